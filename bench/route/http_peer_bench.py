#!/usr/bin/env python3
"""bench/route/http_peer_bench.py — the same OSRM v5 HTTP requests against any
server that speaks that API (samlast serve --graph, or an osrm-routed you
built yourself outside this repository), so two servers are measured with one
client, one keep-alive connection and one request at a time (latency, not
throughput).

  http_peer_bench.py --url http://127.0.0.1:PORT [--profile car]
                     --bbox MINLON,MINLAT,MAXLON,MAXLAT [--pairs 10000]
                     [--seed 1] [--tables 100:20,1000:3]
                     [--points FILE | --snap-to-file FILE] [--dump FILE]
                     [--close]

Points are drawn uniformly in the bounding box from the seed (same seed, same
points for every server); each server snaps them itself.  In an extract with
much empty land (Andorra), many such points are far from any road: then
--snap-to-file FILE first sends each drawn point to /nearest/v1 of this
server, keeps the snapped positions of those answered Ok and writes them to
FILE (lon,lat a line), and --points FILE makes the other server use exactly
the same points.  Pairs and table points are then drawn from that pool.  Routes:
/route/v1/P/a;b?overview=false (median and p99 of the wall time of the whole
request, client included; answers other than code Ok are counted apart).
Tables: /table/v1/P/<n points>?annotations=duration,distance, n x n, median
of the given number of requests (osrm-routed needs --max-table-size >= n).
--close opens a new connection for every timed request (Connection: close,
as VROOM and curl use a server) instead of one keep-alive connection: a server
that writes its headers and body in separate small segments pays TCP's
delayed acknowledgement (~40 ms) on a keep-alive connection, which is a
property of that server but not of its routing.  The pairs drawn are the same
whichever option is used: after the pool of points is settled the generator is
seeded again.
--dump FILE writes each route's answer (from to duration_s distance_m, '-' when
not Ok; parsed
after the request was timed) so that two servers' answers can be compared.
Prints one Markdown table row per figure.  Python's client costs a few tens
of microseconds per request on both sides of the comparison alike.
"""
import argparse
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--profile", default="car")
    ap.add_argument("--bbox", required=True)
    ap.add_argument("--pairs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tables", default="100:20,1000:3")
    ap.add_argument("--points")
    ap.add_argument("--snap-to-file")
    ap.add_argument("--dump")
    ap.add_argument("--close", action="store_true")
    ap.add_argument("--pool", type=int, default=5000)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    x0, y0, x1, y1 = (float(v) for v in a.bbox.split(","))
    rng = random.Random(a.seed)

    def pt():
        return "%.6f,%.6f" % (rng.uniform(x0, x1), rng.uniform(y0, y1))

    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)

    last = {}

    def get(path):
        t0 = time.perf_counter()
        if a.close:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
            c.request("GET", path, headers={"Connection": "close"})
        else:
            c = conn
            try:
                c.request("GET", path)
                r = c.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server ended the keep-alive connection (osrm-routed
                # does after 512 requests): reconnect and time the retry
                c.close()
                t0 = time.perf_counter()
                c.request("GET", path)
                r = c.getresponse()
        if a.close:
            r = c.getresponse()
        body = r.read()
        dt = time.perf_counter() - t0
        if a.close:
            c.close()
        last["body"] = body
        # The answer's code without parsing megabytes of JSON (that would
        # time Python's parser, not the server): "code":"Ok" anywhere.
        if b'"code":"Ok"' in body or b'"code": "Ok"' in body:
            return dt, r.status, "Ok"
        try:
            code = json.loads(body).get("code")
        except ValueError:
            code = "bad-json"
        return dt, r.status, code

    pool = None
    if a.points:
        with open(a.points) as fh:
            pool = [l.strip() for l in fh if l.strip()]
    elif a.snap_to_file:
        pool = []
        for _ in range(a.pool):
            conn.request("GET", "/nearest/v1/%s/%s" % (a.profile, pt()))
            j = json.loads(conn.getresponse().read())
            if j.get("code") == "Ok":
                pool.append("%.6f,%.6f" % tuple(j["waypoints"][0]["location"]))
        with open(a.snap_to_file, "w") as fh:
            fh.write("\n".join(pool) + "\n")
    if pool is not None:
        # the same pairs with --points as with --snap-to-file (snapping drew
        # from the generator): start again from the seed
        rng = random.Random(a.seed)
        pt = lambda: rng.choice(pool)  # noqa: E731
    pairs = [(pt(), pt()) for _ in range(a.pairs)]
    lat, other = [], {}
    dump = open(a.dump, "w") if a.dump else None
    for s, t in pairs:
        dt, st, code = get("/route/v1/%s/%s;%s?overview=false" % (a.profile, s, t))
        if code == "Ok":
            lat.append(dt)
        else:
            other[code] = other.get(code, 0) + 1
        if dump:
            d = json.loads(last["body"]) if code == "Ok" else {}
            r0 = (d.get("routes") or [{}])[0]
            dump.write("%s %s %s %s\n" % (s, t, r0.get("duration", "-"), r0.get("distance", "-")))
    if dump:
        dump.close()
    print("| what | n | median ms | p99 ms | not Ok |")
    print("|---|---|---|---|---|")
    print("| route overview=false | %d | %.3f | %.3f | %s |" % (
        len(lat), 1e3 * statistics.median(lat) if lat else 0,
        1e3 * pct(lat, 0.99) if lat else 0, other or 0))
    for spec in a.tables.split(","):
        n, reps = (int(v) for v in spec.split(":"))
        ts, bad = [], {}
        for _ in range(reps):
            pts = ";".join(pt() for _ in range(n))
            dt, st, code = get("/table/v1/%s/%s?annotations=duration,distance" % (a.profile, pts))
            if code == "Ok":
                ts.append(dt)
            else:
                bad[code or st] = bad.get(code or st, 0) + 1
        print("| table %dx%d | %d | %.1f | - | %s |" % (
            n, n, len(ts), 1e3 * statistics.median(ts) if ts else 0, bad or 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())

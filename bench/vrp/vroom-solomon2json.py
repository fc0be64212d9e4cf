#!/usr/bin/env python3
"""bench/vrp/vroom-solomon2json.py SOLOMON.txt [--fixed-cost N] [--scale S]

Writes a VROOM JSON problem (stdout) for a Solomon / Gehring-Homberger VRPTW
instance, so that VROOM and samlast can be run on the same input in
bench/vrp/vroom-side-by-side.sh.

Conventions (see ../shared/data/vrp/README.md): the benchmark distance is the
unrounded Euclidean distance and travel time = distance.  VROOM only takes
integer costs, so every time and distance is multiplied by S (default 1000):
time windows and service times are exact (they are integers in the files);
an arc's duration is ceil(S * d), so a plan that keeps every window in the
scaled problem also keeps it in the unscaled one (the checker, samlast check,
re-verifies on the original .txt); the distance matrix is round(S * d).
Job id = Solomon customer number, location_index = the row (0 = depot),
vehicle ids 1..K: the layout samlast check reads.
--fixed-cost N adds a fixed cost per used vehicle (VROOM `costs.fixed`),
used for the vehicles-then-distance (hierarchical) runs.
"""
import json
import math
import sys


def main():
    args = sys.argv[1:]
    if not args:
        sys.stderr.write(__doc__)
        return 2
    path, fixed, scale = args[0], 0, 1000
    i = 1
    while i < len(args):
        if args[i] == "--fixed-cost":
            fixed = int(args[i + 1]); i += 2
        elif args[i] == "--scale":
            scale = int(args[i + 1]); i += 2
        else:
            sys.stderr.write("unknown option %s\n" % args[i]); return 2
    with open(path, encoding="utf-8-sig") as fh:
        lines = [l.split() for l in fh]
    nveh = cap = None
    rows = []
    for k, f in enumerate(lines):
        if f and f[0].upper() == "VEHICLE":
            for g in lines[k + 1:]:
                if len(g) == 2 and g[0].isdigit():
                    nveh, cap = int(g[0]), int(g[1]); break
        if len(f) == 7 and all(x.lstrip("-").replace(".", "", 1).isdigit() for x in f):
            rows.append([float(x) for x in f])
    if nveh is None or not rows or int(rows[0][0]) != 0:
        sys.stderr.write("%s: not a Solomon instance\n" % path); return 1
    xy = [(r[1], r[2]) for r in rows]
    n = len(rows)
    dur, dist = [], []
    for a in range(n):
        drow, srow = [], []
        for b in range(n):
            d = math.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1])
            drow.append(int(math.ceil(scale * d - 1e-9)))
            srow.append(int(round(scale * d)))
        dur.append(drow); dist.append(srow)
    depot = rows[0]
    vehicles = []
    for v in range(nveh):
        veh = {"id": v + 1, "profile": "car", "start_index": 0, "end_index": 0,
               "capacity": [cap],
               "time_window": [int(depot[4]) * scale, int(depot[5]) * scale]}
        if fixed:
            veh["costs"] = {"fixed": fixed}
        vehicles.append(veh)
    jobs = []
    for r in rows[1:]:
        jobs.append({"id": int(r[0]), "location_index": rows.index(r),
                     "delivery": [int(r[3])], "service": int(r[6]) * scale,
                     "time_windows": [[int(r[4]) * scale, int(r[5]) * scale]]})
    json.dump({"vehicles": vehicles, "jobs": jobs,
               "matrices": {"car": {"durations": dur, "distances": dist}}},
              sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

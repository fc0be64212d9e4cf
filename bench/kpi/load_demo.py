#!/usr/bin/env python3
"""load_demo.py — load the demo-data CSVs straight into a samlast SQLite file.

A stand-in for `samlast import` used only by the KPI benchmark and for
checking the KPI queries while the ledger importer is being written.  It
applies schema/0001_init.sql (and later migrations given on the command
line) and converts the CSV fields the way docs/formats.md says the importer
does (instants → UTC seconds, local day and minute; SEK → öre; km → m).
Usage: load_demo.py DB DEMO_DIR SCHEMA.sql...
"""
import csv, sqlite3, sys, datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Stockholm")
EPOCH = dt.date(1970, 1, 1)

def day(s): return (dt.date.fromisoformat(s) - EPOCH).days
def inst(s):
    t = dt.datetime.fromisoformat(s)
    if t.tzinfo is None: t = t.replace(tzinfo=TZ)
    loc = t.astimezone(TZ)
    return int(t.timestamp()), (loc.date() - EPOCH).days, loc.hour * 60 + loc.minute
def hm(s): return None if not s else int(s[:2]) * 60 + int(s[3:5])
def rd(d, n): return csv.DictReader(open(f"{d}/{n}.csv", encoding="utf-8"))
def nz(s): return s if s != "" else None
DAYS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}
def days_mask(s):
    if not s: return 31
    m = 0
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            for i in range(DAYS[a], DAYS[b] + 1): m |= 1 << i
        else: m |= 1 << DAYS[part]
    return m

db, d = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
con.execute("PRAGMA foreign_keys=OFF")
con.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)")
for i, f in enumerate(sys.argv[3:], 1):
    con.executescript(open(f).read())
    con.execute("INSERT INTO schema_version VALUES (?, ?, 0)", (i, f.split("/")[-1]))
org, site, con_, veh, trip, order = {}, {}, {}, {}, {}, {}
for r in rd(d, "organisations"):
    cur = con.execute("INSERT INTO organisations(ext_id,kind,name,org_number,gln,category,is_local,parent_id,updated_at,row_hash) VALUES (?,?,?,?,?,?,?,?,0,'')",
        (r["id"], r["kind"], r["name"], nz(r["org_number"]), nz(r["gln"]), nz(r["category"]), int(r["is_local"] or 0), org.get(r["parent"])))
    org[r["id"]] = cur.lastrowid
for r in rd(d, "sites"):
    cur = con.execute("INSERT INTO sites(ext_id,org_id,name,unit_type,address,postcode,city,lon,lat,gln,recv_days,recv_from_min,recv_to_min,updated_at,row_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0,'')",
        (r["id"], org[r["org"]], r["name"], r["unit_type"], r["address"], r["postcode"], r["city"], float(r["lon"]), float(r["lat"]), nz(r["gln"]), days_mask(r["receiving_days"]), hm(r["receiving_from"]), hm(r["receiving_to"])))
    site[r["id"]] = cur.lastrowid
for r in rd(d, "contracts"):
    cur = con.execute("INSERT INTO contracts(ext_id,supplier_id,category,title,valid_from_day,valid_to_day,updated_at,row_hash) VALUES (?,?,?,?,?,?,0,'')",
        (r["id"], org[r["supplier"]], r["category"], r["title"], day(r["valid_from"]), day(r["valid_to"]) if r["valid_to"] else None))
    con_[r["id"]] = cur.lastrowid
for r in rd(d, "vehicles"):
    cur = con.execute("INSERT INTO vehicles(carrier_id,ext_id,reg_plate,vehicle_class,energy_carrier,euro_class,capacity_kg,capacity_m3,capacity_pallets,temp_classes,updated_at,row_hash) VALUES (?,?,?,?,?,?,?,?,?,?,0,'')",
        (org[r["carrier"]], r["id"], r["reg_plate"], r["vehicle_class"], r["energy_carrier"], int(r["euro_class"]) if r["euro_class"] else None, float(r["capacity_kg"]), float(r["capacity_m3"]), int(r["capacity_pallets"]), r["temp_classes"]))
    veh[(r["carrier"], r["id"])] = cur.lastrowid
for r in rd(d, "trips"):
    s, ld, _ = inst(r["start_at"])
    cur = con.execute("INSERT INTO trips(carrier_id,ext_id,vehicle_id,origin_site_id,start_at,end_at,local_day,distance_m,fuel_used,fuel_unit,energy_carrier,updated_at,row_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,'')",
        (org[r["carrier"]], r["id"], veh.get((r["carrier"], r["vehicle"])), site.get(r["origin_site"]), s, inst(r["end_at"])[0] if r["end_at"] else None, ld, round(float(r["distance_km"]) * 1000), float(r["fuel_used"]) if r["fuel_used"] else None, nz(r["fuel_unit"]), nz(r["energy_carrier"])))
    trip[(r["carrier"], r["id"])] = cur.lastrowid
for r in rd(d, "orders"):
    k = (r["supplier"], r["id"])
    v = round(float(r["line_value_sek"]) * 100)
    if k not in order:
        s, ld, _ = inst(r["ordered_at"])
        cur = con.execute("INSERT INTO orders(supplier_id,ext_id,site_id,category,ordered_at,order_day,requested_day,value_ore,line_count,contract_id,updated_at,row_hash) VALUES (?,?,?,?,?,?,?,0,0,?,0,'')",
            (org[r["supplier"]], r["id"], site[r["site"]], r["category"], s, ld, day(r["requested_date"]) if r["requested_date"] else None, con_.get(r["contract"])))
        order[k] = cur.lastrowid
    con.execute("UPDATE orders SET value_ore = value_ore + ?, line_count = line_count + 1 WHERE id = ?", (v, order[k]))
    con.execute("INSERT INTO order_lines VALUES (?,?,?,?,?,?,?)", (order[k], r["line_id"], r["item"], nz(r["gtin"]), float(r["quantity"]), r["unit_code"], v))
for r in rd(d, "deliveries"):
    s, ld, lm = inst(r["delivered_at"])
    cur = con.execute("INSERT INTO deliveries(supplier_id,ext_id,carrier_id,site_id,vehicle_id,trip_id,stop_seq,status,delivered_at,local_day,local_min,window_from_min,window_to_min,parcels,mass_kg,volume_m3,temp_class,updated_at,row_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,'')",
        (org[r["supplier"]], r["id"], org.get(r["carrier"]), site[r["site"]], veh.get((r["carrier"], r["vehicle"])), trip.get((r["carrier"], r["trip"])), int(r["stop_seq"]) if r["stop_seq"] else None, r["status"] or "delivered", s, ld, lm, hm(r["window_from"]), hm(r["window_to"]), int(r["parcels"]) if r["parcels"] else None, float(r["mass_kg"]) if r["mass_kg"] else None, float(r["volume_m3"]) if r["volume_m3"] else None, r["temp_class"] or "ambient"))
    for o in r["orders"].split("|"):
        if o: con.execute("INSERT OR IGNORE INTO delivery_orders VALUES (?,?)", (cur.lastrowid, order[(r["supplier"], o)]))
con.commit()

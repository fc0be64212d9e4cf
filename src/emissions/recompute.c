/* recompute.c — emissions of every trip and delivery in a samlast store
 * (trip_emissions, delivery_emissions; schema/0002_emissions.sql).
 *
 * Without a road graph the shortest feasible distance (ISO 14083's SFD) of a
 * delivery is approximated by the great-circle distance from the trip's
 * origin site to the delivery site times SL_EM_DETOUR_FACTOR; the docs say so
 * and so does the CLI.  The whole recompute runs in one transaction and
 * replaces both tables, so running it twice gives the same rows.
 *
 * The incremental form (after an import) recomputes only what is stale: a
 * trip whose emissions are missing, were computed with another factor set,
 * or are not newer than the trip, its vehicle, its origin site or any of its
 * deliveries (rows carry updated_at, seconds; "not newer" errs towards
 * recomputing), a trip a delivery has left, and trip-less deliveries in the
 * same state.  Nested in the caller's transaction it commits or rolls back
 * with the import. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "samlast/store.h"

static double great_circle_m(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371008.8, rad = 3.14159265358979323846 / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) +
	           cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
	return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

static void problem(sl_em_recompute_stats *st, const char *what, int64_t id, const char *msg)
{
	if (!st->first_problem[0])
		snprintf(st->first_problem, sizeof st->first_problem, "%s %lld: %.400s", what,
		         (long long)id, msg);
}

static int insert(sl_stmt *ins, int64_t id, int has_trip, int64_t trip_id,
                  const sl_emissions_set *set, const char *fid, const sl_em_figures *f,
                  double sfd_m, int64_t now, int is_delivery, sl_error *err)
{
	int i = 1, rc;
	sl_stmt_reset(ins);
	sl_stmt_bind_int64(ins, i++, id);
	if (is_delivery) {
		if (has_trip)
			sl_stmt_bind_int64(ins, i++, trip_id);
		else
			sl_stmt_bind_null(ins, i++);
	}
	sl_stmt_bind_text(ins, i++, set->name);
	sl_stmt_bind_text(ins, i++, set->version);
	sl_stmt_bind_text(ins, i++, fid);
	sl_stmt_bind_text(ins, i++,
	                  f->method == SL_EM_BY_FUEL          ? "measured_fuel"
	                  : f->method == SL_EM_BY_CONSUMPTION ? "distance_x_modelled_consumption"
	                                                      : "tkm_x_default_intensity");
	sl_stmt_bind_text(ins, i++, sl_emissions_quality_name(f->quality));
	sl_stmt_bind_int64(ins, i++, f->wtw_g);
	if (f->has_ttw) {
		sl_stmt_bind_int64(ins, i++, f->ttw_g);
		sl_stmt_bind_int64(ins, i++, f->wtw_g - f->ttw_g);
	} else {
		sl_stmt_bind_null(ins, i++);
		sl_stmt_bind_null(ins, i++);
	}
	if (f->has_energy)
		sl_stmt_bind_double(ins, i++, (double)f->energy_kj / 1000.0);
	else
		sl_stmt_bind_null(ins, i++);
	sl_stmt_bind_double(ins, i++, f->tkm);
	if (is_delivery)
		sl_stmt_bind_double(ins, i++, sfd_m);
	sl_stmt_bind_int64(ins, i++, now);
	rc = sl_stmt_step(ins, err);
	return rc < 0 ? rc : 0;
}

typedef struct {
	int64_t id;
	double mass_kg, sfd_m;
	int ok;
} dl;

/* Run `sql` (parameters ?1 = set name, ?2 = version, when present) to the end. */
static int run_bound(sl_store *st, const char *sql, const sl_emissions_set *set, sl_error *err)
{
	sl_stmt *s = NULL;
	int rc = sl_store_prepare(st, sql, &s, err);
	if (rc)
		return rc;
	if (strstr(sql, "?1"))
		sl_stmt_bind_text(s, 1, set->name);
	if (strstr(sql, "?2"))
		sl_stmt_bind_text(s, 2, set->version);
	while ((rc = sl_stmt_step(s, err)) == 1)
		;
	sl_stmt_free(s);
	return rc < 0 ? rc : 0;
}

/* Mark what is stale in temp.em_stale_trips / temp.em_stale_lone and delete
 * its old figures. */
static int mark_stale(sl_store *st, const sl_emissions_set *set, sl_error *err)
{
	static const char *const sql[] = {
	    "DELETE FROM temp.em_stale_trips",
	    "DELETE FROM temp.em_stale_lone",
	    /* trips: missing, other set, or inputs not older than the figure */
	    ("INSERT OR IGNORE INTO temp.em_stale_trips SELECT t.id FROM trips t"
	     " LEFT JOIN trip_emissions e ON e.trip_id = t.id"
	     " LEFT JOIN vehicles v ON v.id = t.vehicle_id"
	     " LEFT JOIN sites o ON o.id = t.origin_site_id"
	     " WHERE e.trip_id IS NULL OR e.factor_set <> ?1 OR e.factor_version <> ?2"
	     " OR e.computed_at <= t.updated_at OR e.computed_at <= v.updated_at"
	     " OR e.computed_at <= o.updated_at"),
	    /* ... or one of its deliveries (or their sites) changed */
	    ("INSERT OR IGNORE INTO temp.em_stale_trips SELECT DISTINCT d.trip_id"
	     " FROM deliveries d JOIN trip_emissions e ON e.trip_id = d.trip_id"
	     " JOIN sites s ON s.id = d.site_id"
	     " WHERE e.computed_at <= d.updated_at OR e.computed_at <= s.updated_at"),
	    /* ... or a delivery allocated to it has moved or been cancelled */
	    ("INSERT OR IGNORE INTO temp.em_stale_trips SELECT DISTINCT de.trip_id"
	     " FROM delivery_emissions de JOIN deliveries d ON d.id = de.delivery_id"
	     " WHERE de.trip_id IS NOT NULL AND (d.trip_id IS NULL OR d.trip_id <> de.trip_id"
	     " OR d.status = 'cancelled')"),
	    /* trip-less deliveries */
	    ("INSERT OR IGNORE INTO temp.em_stale_lone SELECT d.id FROM deliveries d"
	     " JOIN sites s ON s.id = d.site_id"
	     " LEFT JOIN delivery_emissions de ON de.delivery_id = d.id"
	     " LEFT JOIN vehicles v ON v.id = d.vehicle_id"
	     " WHERE d.trip_id IS NULL AND d.status <> 'cancelled' AND (de.delivery_id IS NULL"
	     " OR de.trip_id IS NOT NULL OR de.factor_set <> ?1 OR de.factor_version <> ?2"
	     " OR de.computed_at <= d.updated_at OR de.computed_at <= v.updated_at"
	     " OR de.computed_at <= s.updated_at)"),
	    ("DELETE FROM delivery_emissions WHERE trip_id IN (SELECT id FROM temp.em_stale_trips)"
	     " OR delivery_id IN (SELECT id FROM temp.em_stale_lone)"
	     " OR delivery_id IN (SELECT id FROM deliveries WHERE status = 'cancelled'"
	     "  OR trip_id IN (SELECT id FROM temp.em_stale_trips))"),
	    ("DELETE FROM trip_emissions WHERE trip_id IN (SELECT id FROM temp.em_stale_trips)"
	     " OR trip_id NOT IN (SELECT id FROM trips)"),
	};
	size_t i;
	int rc;
	for (i = 0; i < sizeof sql / sizeof *sql; i++)
		if ((rc = run_bound(st, sql[i], set, err)) != 0)
			return rc;
	return 0;
}

static void count_delivery(sl_em_recompute_stats *stats, const sl_em_figures *f)
{
	stats->deliveries_by_quality[f->quality]++;
	stats->deliveries_by_method[f->method]++;
	if (f->assumption)
		stats->deliveries_assumption++;
}

static int recompute(struct sl_store *st, const sl_emissions_set *set, int stale_only,
                     sl_em_recompute_stats *stats, sl_error *err)
{
	sl_stmt *trips = NULL, *dels = NULL, *tins = NULL, *dins = NULL, *lone = NULL;
	dl *d = NULL;
	double *mass = NULL, *sfd = NULL;
	sl_em_figures *sh = NULL;
	size_t cap = 0;
	int64_t now = (int64_t)time(NULL);
	int rc;
	memset(stats, 0, sizeof *stats);
	if ((rc = sl_store_begin(st, err)) != 0)
		return rc;
	/* the statements below name these tables in both modes */
	if ((rc = sl_store_exec(
	         st,
	         "CREATE TEMP TABLE IF NOT EXISTS em_stale_trips(id INTEGER PRIMARY KEY);"
	         "CREATE TEMP TABLE IF NOT EXISTS em_stale_lone(id INTEGER PRIMARY KEY);",
	         err)) != 0)
		goto fail;
	if (stale_only)
		rc = mark_stale(st, set, err);
	else
		rc = sl_store_exec(
		    st, "DELETE FROM delivery_emissions; DELETE FROM trip_emissions;", err);
	if (rc != 0)
		goto fail;
	if ((rc = sl_store_prepare(
	         st,
	         "SELECT t.id, COALESCE(t.energy_carrier, v.energy_carrier), v.vehicle_class,"
	         " t.fuel_used, t.fuel_unit, t.distance_m, o.lat, o.lon"
	         " FROM trips t LEFT JOIN vehicles v ON v.id = t.vehicle_id"
	         " LEFT JOIN sites o ON o.id = t.origin_site_id"
	         " WHERE ?1 = 0 OR t.id IN (SELECT id FROM temp.em_stale_trips) ORDER BY t.id",
	         &trips, err)) != 0 ||
	    (rc = sl_store_prepare(st,
	                           "SELECT d.id, d.mass_kg, s.lat, s.lon FROM deliveries d"
	                           " JOIN sites s ON s.id = d.site_id"
	                           " WHERE d.trip_id = ?1 AND d.status <> 'cancelled'"
	                           " ORDER BY d.stop_seq, d.id",
	                           &dels, err)) != 0 ||
	    (rc = sl_store_prepare(
	         st,
	         "INSERT INTO trip_emissions(trip_id, factor_set, factor_version,"
	         " factor_id, method, quality, wtw_g, ttw_g, wtt_g, energy_mj, tkm,"
	         " computed_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
	         &tins, err)) != 0 ||
	    (rc = sl_store_prepare(
	         st,
	         "INSERT INTO delivery_emissions(delivery_id, trip_id, factor_set,"
	         " factor_version, factor_id, method, quality, wtw_g, ttw_g, wtt_g,"
	         " energy_mj, tkm, sfd_m, computed_at)"
	         " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
	         &dins, err)) != 0)
		goto fail;
	sl_stmt_bind_int64(trips, 1, stale_only);
	while ((rc = sl_stmt_step(trips, err)) == 1) {
		int64_t tid = sl_stmt_int64(trips, 0);
		char carrier[64] = "", vclass[64] = "", unit[16] = "", fid[160];
		int has_origin = !sl_stmt_is_null(trips, 6), missing = 0;
		double olat = sl_stmt_double(trips, 6), olon = sl_stmt_double(trips, 7);
		sl_em_trip_in in;
		sl_em_figures tf;
		sl_error e;
		size_t n = 0, i;
		if (!sl_stmt_is_null(trips, 1))
			snprintf(carrier, sizeof carrier, "%s", sl_stmt_text(trips, 1));
		if (!sl_stmt_is_null(trips, 2))
			snprintf(vclass, sizeof vclass, "%s", sl_stmt_text(trips, 2));
		if (!sl_stmt_is_null(trips, 4))
			snprintf(unit, sizeof unit, "%s", sl_stmt_text(trips, 4));
		memset(&in, 0, sizeof in);
		in.vehicle_class = vclass[0] ? vclass : NULL;
		in.energy_carrier = carrier[0] ? carrier : NULL;
		in.fuel_amount = sl_stmt_is_null(trips, 3) ? -1 : sl_stmt_double(trips, 3);
		in.fuel_unit = unit[0] ? unit : NULL;
		in.distance_m = sl_stmt_is_null(trips, 5) ? -1 : sl_stmt_double(trips, 5);
		sl_stmt_reset(dels);
		sl_stmt_bind_int64(dels, 1, tid);
		while ((rc = sl_stmt_step(dels, err)) == 1) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				dl *nd = realloc(d, nc * sizeof *nd);
				double *nm, *ns;
				sl_em_figures *nf;
				if (!nd) {
					rc = sl_error_set(err, SL_ENOMEM, "out of memory");
					goto fail;
				}
				d = nd;
				nm = realloc(mass, nc * sizeof *nm);
				if (nm)
					mass = nm;
				ns = realloc(sfd, nc * sizeof *ns);
				if (ns)
					sfd = ns;
				nf = realloc(sh, nc * sizeof *nf);
				if (nf)
					sh = nf;
				if (!nm || !ns || !nf) {
					rc = sl_error_set(err, SL_ENOMEM, "out of memory");
					goto fail;
				}
				cap = nc;
			}
			d[n].id = sl_stmt_int64(dels, 0);
			d[n].mass_kg = sl_stmt_double(dels, 1);
			if (sl_stmt_is_null(dels, 1))
				missing = 1;
			d[n].sfd_m = has_origin
			                 ? great_circle_m(olat, olon, sl_stmt_double(dels, 2),
			                                  sl_stmt_double(dels, 3)) *
			                       SL_EM_DETOUR_FACTOR
			                 : 0;
			mass[n] = d[n].mass_kg;
			sfd[n] = d[n].sfd_m;
			n++;
		}
		if (rc < 0)
			goto fail;
		if (missing || (!has_origin && n)) {
			stats->trips_failed++;
			stats->deliveries_unresolved += (int64_t)n;
			problem(stats, "trip", tid,
			        missing ? "a delivery has no mass_kg"
			                : "the trip has no origin site");
			continue;
		}
		in.n_shipments = n;
		in.mass_kg = mass;
		in.sfd_m = sfd;
		sl_error_clear(&e);
		rc = sl_emissions_trip(set, &in, &tf, sh, fid, sizeof fid, &e);
		if (rc != 0 && in.fuel_amount >= 0) {
			/* ISO 14083's hierarchy: measured fuel the factor set cannot
			 * use is no data; the trip falls to the modelled or default
			 * tier, and the report says so. */
			stats->trips_fuel_unusable++;
			if (!stats->first_fuel_problem[0])
				snprintf(stats->first_fuel_problem, sizeof stats->first_fuel_problem,
				         "trip %lld: %.400s", (long long)tid, e.message);
			in.fuel_amount = -1;
			in.fuel_unit = NULL;
			sl_error_clear(&e);
			rc = sl_emissions_trip(set, &in, &tf, sh, fid, sizeof fid, &e);
		}
		if (rc != 0) {
			rc = 0;
			stats->trips_failed++;
			stats->deliveries_unresolved += (int64_t)n;
			problem(stats, "trip", tid, e.message);
			continue;
		}
		if (!tf.has_wtw) {
			stats->trips_failed++;
			stats->deliveries_unresolved += (int64_t)n;
			problem(stats, "trip", tid, "the factor has no WTW value");
			continue;
		}
		stats->trips_done++;
		stats->by_quality[tf.quality]++;
		if (strstr(fid, "(vendor_example)"))
			stats->trips_vendor_example++;
		if ((rc = insert(tins, tid, 0, 0, set, fid, &tf, 0, now, 0, err)) != 0)
			goto fail;
		for (i = 0; i < n; i++) {
			if ((rc = insert(dins, d[i].id, 1, tid, set, fid, &sh[i], d[i].sfd_m, now,
			                 1, err)) != 0)
				goto fail;
			stats->deliveries_on_trips++;
			count_delivery(stats, &sh[i]);
		}
	}
	if (rc < 0)
		goto fail;
	/* deliveries without a trip: default intensity x tkm from the supplier's depot */
	if ((rc = sl_store_prepare(
	         st,
	         "SELECT d.id, d.mass_kg, v.vehicle_class, v.energy_carrier, s.lat, s.lon,"
	         " (SELECT p.lat FROM sites p WHERE p.org_id = d.supplier_id AND p.unit_type = "
	         "'depot'"
	         "  ORDER BY p.id LIMIT 1),"
	         " (SELECT p.lon FROM sites p WHERE p.org_id = d.supplier_id AND p.unit_type = "
	         "'depot'"
	         "  ORDER BY p.id LIMIT 1)"
	         " FROM deliveries d JOIN sites s ON s.id = d.site_id"
	         " LEFT JOIN vehicles v ON v.id = d.vehicle_id"
	         " WHERE d.trip_id IS NULL AND d.status <> 'cancelled'"
	         " AND (?1 = 0 OR d.id IN (SELECT id FROM temp.em_stale_lone)) ORDER BY d.id",
	         &lone, err)) != 0)
		goto fail;
	sl_stmt_bind_int64(lone, 1, stale_only);
	while ((rc = sl_stmt_step(lone, err)) == 1) {
		int64_t id = sl_stmt_int64(lone, 0);
		char vclass[64] = "", carrier[64] = "", fid[160];
		double m, s;
		sl_em_trip_in in;
		sl_em_figures tf, one;
		sl_error e;
		if (sl_stmt_is_null(lone, 1) || sl_stmt_is_null(lone, 6)) {
			stats->deliveries_unresolved++;
			problem(stats, "delivery", id,
			        sl_stmt_is_null(lone, 1)
			            ? "no trip and no mass_kg"
			            : "no trip and the supplier has no depot site");
			continue;
		}
		/* no vehicle: the factor set's "unknown" class (an assumption it documents) */
		snprintf(vclass, sizeof vclass, "%s",
		         sl_stmt_is_null(lone, 2) ? "unknown" : sl_stmt_text(lone, 2));
		if (!sl_stmt_is_null(lone, 3))
			snprintf(carrier, sizeof carrier, "%s", sl_stmt_text(lone, 3));
		m = sl_stmt_double(lone, 1);
		s = great_circle_m(sl_stmt_double(lone, 6), sl_stmt_double(lone, 7),
		                   sl_stmt_double(lone, 4), sl_stmt_double(lone, 5)) *
		    SL_EM_DETOUR_FACTOR;
		memset(&in, 0, sizeof in);
		in.vehicle_class = vclass;
		in.energy_carrier = carrier[0] ? carrier : NULL;
		in.fuel_amount = -1;
		in.distance_m = -1;
		in.n_shipments = 1;
		in.mass_kg = &m;
		in.sfd_m = &s;
		sl_error_clear(&e);
		if (sl_emissions_trip(set, &in, &tf, &one, fid, sizeof fid, &e) != 0 ||
		    !tf.has_wtw) {
			stats->deliveries_unresolved++;
			problem(stats, "delivery", id, e.message[0] ? e.message : "no WTW value");
			continue;
		}
		if ((rc = insert(dins, id, 0, 0, set, fid, &one, s, now, 1, err)) != 0)
			goto fail;
		stats->deliveries_default++;
		count_delivery(stats, &one);
		if (sl_stmt_is_null(lone, 2))
			stats->deliveries_unknown_class++;
	}
	if (rc >= 0)
		rc = sl_store_bump_data_version(st, err); /* running servers drop cached CO2e */
fail:
	sl_stmt_free(trips);
	sl_stmt_free(dels);
	sl_stmt_free(tins);
	sl_stmt_free(dins);
	sl_stmt_free(lone);
	free(d);
	free(mass);
	free(sfd);
	free(sh);
	if (rc == 0)
		return sl_store_commit(st, err); /* one clean-up path for success and failure */
	sl_store_rollback(st);
	return rc;
}

int sl_emissions_recompute(struct sl_store *st, const sl_emissions_set *set,
                           sl_em_recompute_stats *stats, sl_error *err)
{
	return recompute(st, set, 0, stats, err);
}

int sl_emissions_recompute_stale(struct sl_store *st, const sl_emissions_set *set,
                                 sl_em_recompute_stats *stats, sl_error *err)
{
	return recompute(st, set, 1, stats, err);
}

int sl_emissions_refresh(struct sl_store *st, const char *factors, sl_em_recompute_stats *stats,
                         sl_error *err)
{
	sl_emissions_set *set = NULL;
	int rc = sl_emissions_set_load(factors, &set, err);
	memset(stats, 0, sizeof *stats);
	if (rc)
		return rc;
	rc = sl_emissions_recompute_stale(st, set, stats, err);
	sl_emissions_set_free(set);
	return rc;
}

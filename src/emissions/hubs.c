/* hubs.c — hub (consolidation centre) operation emissions in the store
 * (ISO 14083:2023 clause 5.5.2; schema/0005_hubs.sql).
 *
 * A hub period's measured energy x its carrier's factor is the hub's
 * emission for the period (primary data, computed like a trip with measured
 * fuel and no shipments, so the same factor rows, conversions and rounding
 * apply).  Its intensity is g CO2e per tonne handled; each delivery on a trip
 * leaving the hub's site in the period is charged mass x intensity, rounded
 * half away from zero to grams.  All hub figures are replaced on every run
 * (there are few periods), inside the caller's transaction when one is open. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "samlast/store.h"

static int64_t round_g(double v)
{
	return (int64_t)(v < 0 ? ceil(v - 0.5) : floor(v + 0.5));
}

int sl_emissions_recompute_hubs(struct sl_store *st, const sl_emissions_set *set,
                                sl_em_hub_stats *stats, sl_error *err)
{
	sl_stmt *per = NULL, *hins = NULL, *dsel = NULL, *dins = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc;
	memset(stats, 0, sizeof *stats);
	if ((rc = sl_store_begin(st, err)) != 0)
		return rc;
	if ((rc = sl_store_exec(
	         st, "DELETE FROM delivery_hub_emissions; DELETE FROM hub_emissions;", err)) != 0 ||
	    (rc = sl_store_prepare(st,
	                           "SELECT id, site_id, from_day, to_day, energy_carrier,"
	                           " energy_amount, energy_unit, handled_t FROM hub_periods"
	                           " ORDER BY id",
	                           &per, err)) != 0 ||
	    (rc = sl_store_prepare(st,
	                           "INSERT INTO hub_emissions(hub_period_id, factor_set,"
	                           " factor_version, factor_id, wtw_g, ttw_g, wtt_g, energy_mj,"
	                           " wtw_g_per_t, computed_at)"
	                           " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
	                           &hins, err)) != 0 ||
	    (rc = sl_store_prepare(st,
	                           "SELECT d.id, d.mass_kg FROM deliveries d"
	                           " JOIN trips t ON t.id = d.trip_id"
	                           " WHERE t.origin_site_id = ?1 AND t.local_day BETWEEN ?2 AND ?3"
	                           " AND d.status <> 'cancelled' AND d.mass_kg IS NOT NULL"
	                           " ORDER BY d.id",
	                           &dsel, err)) != 0 ||
	    (rc = sl_store_prepare(st,
	                           "INSERT INTO delivery_hub_emissions(delivery_id, hub_period_id,"
	                           " wtw_g, ttw_g, quality, computed_at)"
	                           " VALUES (?1,?2,?3,?4,'primary',?5)",
	                           &dins, err)) != 0)
		goto out;
	while ((rc = sl_stmt_step(per, err)) == 1) {
		int64_t id = sl_stmt_int64(per, 0);
		char carrier[64], unit[16], fid[160];
		double handled_t = sl_stmt_double(per, 7);
		sl_em_trip_in in;
		sl_em_figures f;
		sl_error e;
		snprintf(carrier, sizeof carrier, "%s", sl_stmt_text(per, 4));
		snprintf(unit, sizeof unit, "%s", sl_stmt_text(per, 6));
		memset(&in, 0, sizeof in);
		in.energy_carrier = carrier;
		in.fuel_amount = sl_stmt_double(per, 5);
		in.fuel_unit = unit;
		in.distance_m = -1;
		sl_error_clear(&e);
		if (sl_emissions_trip(set, &in, &f, NULL, fid, sizeof fid, &e) != 0 || !f.has_wtw) {
			stats->periods_failed++;
			if (!stats->first_problem[0])
				snprintf(stats->first_problem, sizeof stats->first_problem,
				         "hub period %lld: %.400s", (long long)id,
				         e.message[0] ? e.message : "the factor has no WTW value");
			continue;
		}
		sl_stmt_reset(hins);
		sl_stmt_bind_int64(hins, 1, id);
		sl_stmt_bind_text(hins, 2, set->name);
		sl_stmt_bind_text(hins, 3, set->version);
		sl_stmt_bind_text(hins, 4, fid);
		sl_stmt_bind_int64(hins, 5, f.wtw_g);
		if (f.has_ttw) {
			sl_stmt_bind_int64(hins, 6, f.ttw_g);
			sl_stmt_bind_int64(hins, 7, f.wtw_g - f.ttw_g);
		} else {
			sl_stmt_bind_null(hins, 6);
			sl_stmt_bind_null(hins, 7);
		}
		if (f.has_energy)
			sl_stmt_bind_double(hins, 8, (double)f.energy_kj / 1000.0);
		else
			sl_stmt_bind_null(hins, 8);
		sl_stmt_bind_double(hins, 9, (double)f.wtw_g / handled_t);
		sl_stmt_bind_int64(hins, 10, now);
		if ((rc = sl_stmt_step(hins, err)) < 0)
			goto out;
		stats->periods_done++;
		sl_stmt_reset(dsel);
		sl_stmt_bind_int64(dsel, 1, sl_stmt_int64(per, 1));
		sl_stmt_bind_int64(dsel, 2, sl_stmt_int64(per, 2));
		sl_stmt_bind_int64(dsel, 3, sl_stmt_int64(per, 3));
		while ((rc = sl_stmt_step(dsel, err)) == 1) {
			double t = sl_stmt_double(dsel, 1) / 1000.0;
			sl_stmt_reset(dins);
			sl_stmt_bind_int64(dins, 1, sl_stmt_int64(dsel, 0));
			sl_stmt_bind_int64(dins, 2, id);
			sl_stmt_bind_int64(dins, 3, round_g(t * (double)f.wtw_g / handled_t));
			if (f.has_ttw)
				sl_stmt_bind_int64(dins, 4,
				                   round_g(t * (double)f.ttw_g / handled_t));
			else
				sl_stmt_bind_null(dins, 4);
			sl_stmt_bind_int64(dins, 5, now);
			if ((rc = sl_stmt_step(dins, err)) < 0)
				goto out;
			stats->deliveries_charged++;
		}
		if (rc < 0)
			goto out;
	}
	if (rc >= 0)
		rc = sl_store_bump_data_version(st, err); /* running servers drop cached CO2e */
out:
	sl_stmt_free(per);
	sl_stmt_free(hins);
	sl_stmt_free(dsel);
	sl_stmt_free(dins);
	if (rc == 0)
		return sl_store_commit(st, err);
	sl_store_rollback(st);
	return rc;
}

/* gen_deliveries.c — write a synthetic import set for the ledger benchmark.
 *
 * `gen_deliveries N DIR [SEED]` writes DIR/organisations.csv (the city, 300
 * units, 40 suppliers, one carrier), DIR/sites.csv (one site per unit, around
 * Helsingborg), DIR/vehicles.csv (20 vehicles of the carrier) and
 * DIR/deliveries.csv with N rows.  Deliveries refer only to sites, suppliers,
 * the carrier and its vehicles (no trips or orders), so the benchmark measures
 * the plain delivery path: parse, convert, resolve cached references, upsert.
 * Rows are streamed, so N may be far larger than memory.  The content is a
 * deterministic function of N and SEED (sl_rng). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/base.h"

#define SITES 300
#define SUPPLIERS 40
#define VEHICLES 20

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gen_deliveries: %s: %s\n", path, strerror(errno));
		exit(3);
	}
	return f;
}

static void close_out(FILE *f)
{
	if (fclose(f) != 0) {
		perror("gen_deliveries: write");
		exit(3);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: gen_deliveries N DIR [SEED]\n");
		return 2;
	}
	char *end;
	long long n = strtoll(argv[1], &end, 10);
	if (*end || n < 1) {
		fprintf(stderr, "gen_deliveries: N must be a positive integer\n");
		return 2;
	}
	const char *dir = argv[2];
	sl_rng rng;
	sl_rng_seed(&rng, argc == 4 ? strtoull(argv[3], NULL, 10) : 1);

	FILE *f = open_out(dir, "organisations.csv");
	fputs("id,kind,name,is_local,parent\nCITY,city,Helsingborgs stad,0,\n", f);
	for (int i = 1; i <= SITES; i++)
		fprintf(f, "U%03d,unit,Enhet %d,0,CITY\n", i, i);
	for (int i = 1; i <= SUPPLIERS; i++)
		fprintf(f, "S%02d,supplier,Leverantör %d AB,%d,\n", i, i, i % 3 == 0);
	fputs("C01,carrier,Åkeri AB,1,\n", f);
	close_out(f);

	f = open_out(dir, "sites.csv");
	fputs("id,org,name,unit_type,lon,lat,receiving_days,receiving_from,receiving_to\n", f);
	static const char *const types[] = {"school", "preschool", "care_home", "office"};
	for (int i = 1; i <= SITES; i++)
		fprintf(f, "P%03d,U%03d,Site %d,%s,%.5f,%.5f,Mon-Fri,06:30,15:00\n", i, i, i, types[i % 4],
			12.65 + 0.15 * sl_rng_double(&rng), 55.98 + 0.12 * sl_rng_double(&rng));
	close_out(f);

	f = open_out(dir, "vehicles.csv");
	fputs("id,carrier,reg_plate,vehicle_class,energy_carrier,euro_class,capacity_kg\n", f);
	for (int i = 1; i <= VEHICLES; i++)
		fprintf(f, "V%02d,C01,ABC%03d,%s,%s,%s,%d\n", i, i, i % 2 ? "rigid_12_20t" : "van_lt_3.5t",
			i % 4 == 0 ? "electricity" : "hvo100", i % 4 == 0 ? "" : "6", i % 2 ? 8000 : 900);
	close_out(f);

	f = open_out(dir, "deliveries.csv");
	static char obuf[1 << 20];
	setvbuf(f, obuf, _IOFBF, sizeof obuf);
	fputs("id,supplier,carrier,site,vehicle,stop_seq,delivered_at,parcels,mass_kg,volume_m3,"
	      "temp_class,window_from,window_to,status\n", f);
	static const char *const temps[] = {"ambient", "chilled", "frozen", "mixed"};
	/* spread evenly over the days of 2025 (row order follows the calendar) */
	for (long long i = 1; i <= n; i++) {
		int day = (int)((i * 365) / (n < 365 ? 365 : n)) % 365;
		int month = 1, mday = day + 1;
		static const int mlen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		while (mday > mlen[month - 1]) {
			mday -= mlen[month - 1];
			month++;
		}
		int minute = 6 * 60 + (int)sl_rng_below(&rng, 8 * 60);
		int sup = 1 + (int)sl_rng_below(&rng, SUPPLIERS);
		int site = 1 + (int)sl_rng_below(&rng, SITES);
		int wf = (minute / 60) * 60;
		fprintf(f, "D%lld,S%02d,C01,P%03d,V%02d,%d,2025-%02d-%02dT%02d:%02d:00+01:00,%d,%.1f,%.2f,%s,",
			i, sup, site, 1 + (int)sl_rng_below(&rng, VEHICLES), 1 + (int)sl_rng_below(&rng, 12),
			month, mday, minute / 60, minute % 60, 1 + (int)sl_rng_below(&rng, 20),
			5.0 + 400.0 * sl_rng_double(&rng), 0.05 + 2.0 * sl_rng_double(&rng),
			temps[sl_rng_below(&rng, 4)]);
		if (i % 3)
			fprintf(f, "%02d:%02d,%02d:%02d,delivered\n", wf / 60, wf % 60, (wf + 60) / 60, (wf + 60) % 60);
		else
			fputs(",,delivered\n", f);
	}
	close_out(f);
	return 0;
}

/* test_demo.c — the demo-city generator: the files follow the import
 * contract (headers, references, ranges), the same seed gives the same
 * bytes and another seed other bytes, and — once `samlast import` exists —
 * the whole demo imports with zero errors and gives sensible KPIs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo_city.h"

static const char *const kinds[] = {"organisations", "sites",  "contracts", "vehicles",
                                    "trips",         "orders", "deliveries"};
static const char *const headers[] = {
    "id,kind,name,org_number,gln,category,is_local,parent",
    "id,org,name,unit_type,address,postcode,city,lon,lat,gln,receiving_days,receiving_from,"
    "receiving_to",
    "id,supplier,category,title,valid_from,valid_to",
    "id,carrier,reg_plate,vehicle_class,energy_carrier,euro_class,capacity_kg,capacity_m3,capacity_"
    "pallets,temp_classes",
    "id,carrier,vehicle,origin_site,start_at,end_at,distance_km,fuel_used,fuel_unit,energy_carrier",
    "id,supplier,site,category,ordered_at,requested_date,contract,line_id,item,gtin,quantity,unit_"
    "code,line_value_sek",
    "id,supplier,carrier,site,vehicle,trip,stop_seq,delivered_at,parcels,mass_kg,volume_m3,temp_"
    "class,orders,window_from,window_to,status",
};

static char *slurp(const char *dir, const char *kind, size_t *len)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s.csv", dir, kind);
	FILE *f = fopen(p, "rb");
	cr_assert(f, "cannot open %s", p);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

static long count_lines(const char *s)
{
	long n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void gen(const char *dir, uint64_t seed, int units, int days, sl_demo_stats *st)
{
	sl_demo_options o;
	sl_demo_options_init(&o);
	o.seed = seed;
	o.units = units;
	o.days = days;
	sl_error e;
	sl_error_clear(&e);
	cr_assert_eq(sl_demo_write(dir, &o, st, &e), 0, "%s", e.message);
}

static void rmdir_demo(const char *dir)
{
	char p[512];
	for (size_t i = 0; i < 7; i++) {
		snprintf(p, sizeof p, "%s/%s.csv", dir, kinds[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/announcements.csv", dir);
	unlink(p);
	rmdir(dir);
}

Test(demo, files_follow_the_import_contract)
{
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/sl_demo_test_%d", (int)getpid());
	sl_demo_stats st;
	gen(dir, 7, 40, 45, &st);
	const long expect[] = {st.organisations, st.sites,       st.contracts, st.vehicles,
	                       st.trips,         st.order_lines, st.deliveries};
	for (size_t i = 0; i < 7; i++) {
		char *s = slurp(dir, kinds[i], NULL);
		size_t hl = strlen(headers[i]);
		cr_assert(strncmp(s, headers[i], hl) == 0 && s[hl] == '\n', "%s header: %.200s",
		          kinds[i], s);
		cr_assert_eq(count_lines(s) - 1, expect[i], "%s rows", kinds[i]);
		cr_assert_gt(expect[i], 0, "%s is empty", kinds[i]);
		free(s);
	}
	cr_assert_eq(st.organisations, 1 + 40 + 40 + 5);
	cr_assert_gt(st.orders, 200);

	/* every unit site is on land east of the coast, around Helsingborg */
	char *s = slurp(dir, "sites", NULL);
	char *line = strchr(s, '\n') + 1;
	int units = 0;
	while (*line) {
		char *nl = strchr(line, '\n');
		*nl = 0;
		if (strncmp(line, "S-", 2) == 0) {
			char *f = line;
			double v[2];
			for (int k = 0; k < 7; k++)
				f = strchr(f, ',') + 1;
			v[0] = atof(f);
			v[1] = atof(strchr(f, ',') + 1);
			cr_assert(v[0] > 12.60 && v[0] < 12.90 && v[1] > 55.95 && v[1] < 56.16,
			          "%s", line);
			units++;
		}
		line = nl + 1;
	}
	cr_assert_eq(units, 40);
	free(s);

	/* statuses and windows appear as the contract spells them */
	s = slurp(dir, "deliveries", NULL);
	cr_assert_not_null(strstr(s, ",delivered\n"));
	cr_assert_not_null(strstr(s, "+01:00,"));
	free(s);
	rmdir_demo(dir);
}

Test(demo, deterministic_per_seed)
{
	char a[64], b[64], c[64];
	snprintf(a, sizeof a, "/tmp/sl_demo_a_%d", (int)getpid());
	snprintf(b, sizeof b, "/tmp/sl_demo_b_%d", (int)getpid());
	snprintf(c, sizeof c, "/tmp/sl_demo_c_%d", (int)getpid());
	sl_demo_stats st;
	gen(a, 42, 30, 30, &st);
	gen(b, 42, 30, 30, &st);
	gen(c, 43, 30, 30, &st);
	int differs = 0;
	for (size_t i = 0; i < 7; i++) {
		size_t la, lb, lc;
		char *x = slurp(a, kinds[i], &la), *y = slurp(b, kinds[i], &lb),
		     *z = slurp(c, kinds[i], &lc);
		cr_assert(la == lb && memcmp(x, y, la) == 0, "%s differs for the same seed",
		          kinds[i]);
		differs |= la != lc || memcmp(x, z, la) != 0;
		free(x);
		free(y);
		free(z);
	}
	cr_assert(differs, "another seed gave the same files");
	rmdir_demo(a);
	rmdir_demo(b);
	rmdir_demo(c);
}

/* The announced days come after the period: the other files are the same
 * bytes with or without them; every announcement is a plan (status
 * announced, no trip, after the last delivered day) with the same header as
 * deliveries.csv; and they are deterministic too. */
Test(demo, announcements_after_the_period)
{
	char a[64], b[64];
	snprintf(a, sizeof a, "/tmp/sl_demo_ann_a_%d", (int)getpid());
	snprintf(b, sizeof b, "/tmp/sl_demo_ann_b_%d", (int)getpid());
	sl_demo_options o;
	sl_demo_options_init(&o);
	cr_assert_eq(o.announce_days, 10);
	o.seed = 5;
	o.units = 20;
	o.days = 20;
	sl_demo_stats sa, sb;
	sl_error e;
	cr_assert_eq(sl_demo_write(a, &o, &sa, &e), 0, "%s", e.message);
	o.announce_days = 0;
	cr_assert_eq(sl_demo_write(b, &o, &sb, &e), 0, "%s", e.message);
	for (size_t i = 0; i < 7; i++) {
		size_t la, lb;
		char *x = slurp(a, kinds[i], &la), *y = slurp(b, kinds[i], &lb);
		cr_assert(la == lb && memcmp(x, y, la) == 0, "%s changed by announcing", kinds[i]);
		free(x);
		free(y);
	}
	cr_assert_eq(sa.deliveries, sb.deliveries);
	cr_assert_gt(sa.announcements, 0);
	cr_assert_eq(sb.announcements, 0);
	size_t len;
	char *ann = slurp(a, "announcements", &len);
	cr_assert_eq(count_lines(ann), sa.announcements + 1);
	cr_assert(!strncmp(ann, headers[6], strlen(headers[6])), "header: %.80s", ann);
	/* every row: no trip, no stop, status announced, a day after day 20 */
	char *next;
	for (char *line = strchr(ann, '\n') + 1; *line; line = next) {
		char *end = strchr(line, '\n');
		next = end + 1;
		*end = 0;
		char *f[16];
		int n = 0;
		for (char *c = line; n < 16; c++) {
			f[n++] = c;
			c = strchr(c, ',');
			if (!c)
				break;
			*c = 0;
		}
		cr_assert_eq(n, 16, "fields: %d", n);
		cr_assert_str_empty(f[5]);
		cr_assert_str_empty(f[6]);
		cr_assert_str_eq(f[15], "announced");
		cr_assert(strcmp(f[7], "2025-01-21") > 0, "announced on %s", f[7]);
	}
	free(ann);
	rmdir_demo(a);
	rmdir_demo(b);
}

Test(demo, bad_options)
{
	sl_demo_options o;
	sl_demo_options_init(&o);
	sl_error e;
	o.units = 3;
	cr_assert_eq(sl_demo_write("/tmp", &o, NULL, &e), SL_EUSAGE);
	sl_demo_options_init(&o);
	o.year = 1800;
	cr_assert_eq(sl_demo_write("/tmp", &o, NULL, &e), SL_EUSAGE);
	sl_demo_options_init(&o);
	cr_assert_eq(sl_demo_write("/nonexistent/x/y", &o, NULL, &e), SL_EIO);
	const char *bin = getenv("SAMLAST_BIN");
	cr_assert(bin);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s demo-data --seed x --out /tmp/never 2>/dev/null", bin);
	int status = system(cmd);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	snprintf(cmd, sizeof cmd, "%s demo-data --seed 1 2>/dev/null", bin);
	status = system(cmd);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2);
}

/* End to end through the real importer, when it exists. */
Test(demo, imports_with_zero_errors, .timeout = 100)
{
	const char *bin = getenv("SAMLAST_BIN");
	cr_assert(bin);
	char cmd[2048], dir[64], db[80];
	snprintf(cmd, sizeof cmd, "%s import --help >/dev/null 2>&1", bin);
	int status = system(cmd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		cr_skip_test("samlast import is not built yet");
	snprintf(dir, sizeof dir, "/tmp/sl_demo_e2e_%d", (int)getpid());
	snprintf(db, sizeof db, "/tmp/sl_demo_e2e_%d.db", (int)getpid());
	unlink(db);
	sl_demo_stats st;
	gen(dir, 3, 60, 60, &st);
	snprintf(cmd, sizeof cmd, "%s init --db %s >/dev/null", bin, db);
	cr_assert_eq(system(cmd), 0, "init failed");
	for (size_t i = 0; i < 7; i++) {
		snprintf(cmd, sizeof cmd, "%s import --db %s --kind %s %s/%s.csv >/dev/null", bin,
		         db, kinds[i], dir, kinds[i]);
		status = system(cmd);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "import of %s failed",
		          kinds[i]);
	}
	snprintf(cmd, sizeof cmd, "%s kpi --db %s --format csv --kpi deliveries,stops", bin, db);
	FILE *p = popen(cmd, "r");
	char out[4096] = "";
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	cr_assert_eq(pclose(p), 0);
	/* stops = delivered rows of the file */
	char *s = slurp(dir, "deliveries", NULL);
	long delivered = 0;
	for (char *q = s; (q = strstr(q, ",delivered\n")); q++)
		delivered++;
	free(s);
	char expect[64];
	snprintf(expect, sizeof expect, ",%ld.0,", delivered); /* the stops column */
	cr_assert_not_null(strstr(out, expect), "KPI output %s lacks %s", out, expect);
	rmdir_demo(dir);
	unlink(db);
	char w[100];
	snprintf(w, sizeof w, "%s-wal", db);
	unlink(w);
	snprintf(w, sizeof w, "%s-shm", db);
	unlink(w);
}

/* The calendar assumptions of docs/demo.md show in the data: nothing on
 * weekends or public holidays, schools quiet in July, an expired contract
 * still named on orders after its end. */
Test(demo, calendar_and_contract_patterns)
{
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/sl_demo_cal_%d", (int)getpid());
	sl_demo_stats st;
	gen(dir, 5, 40, 0, &st);
	char *s = slurp(dir, "deliveries", NULL);
	long month[13] = {0};
	for (char *l = strchr(s, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
		char *at = l;
		for (int k = 0; k < 7; k++)
			at = strchr(at, ',') + 1;
		int y, m, d;
		cr_assert_eq(sscanf(at, "%d-%d-%d", &y, &m, &d), 3, "%.80s", l);
		int64_t day = sl_days_from_civil(y, m, d);
		cr_assert_leq(sl_weekday(day), 5, "weekend delivery: %.80s", l);
		cr_assert(!(m == 12 && d == 25) && !(m == 6 && d == 6) && !(m == 5 && d == 1),
		          "delivery on a public holiday: %.80s", l);
		month[m]++;
	}
	free(s);
	cr_assert_lt(month[7] * 2, month[3], "July %ld vs March %ld", month[7], month[3]);
	s = slurp(dir, "orders", NULL);
	/* the chilled contract AVT-2022-06 ends 2025-08-31; orders from October
	 * that still name it exist (habit), and the successor's from September */
	int habit = 0;
	for (char *l = strstr(s, "AVT-2022-06"); l && !habit; l = strstr(l + 1, "AVT-2022-06")) {
		char *bol = l;
		while (bol > s && bol[-1] != '\n')
			bol--;
		char *req = bol;
		for (int k = 0; k < 5; k++)
			req = strchr(req, ',') + 1;
		habit = strncmp(req, "2025-09", 7) >= 0 && strncmp(req, "2025-13", 7) < 0;
	}
	cr_assert(habit, "no order names the expired contract after its end");
	cr_assert_not_null(strstr(s, "AVT-2025-05"), "successor contract never used");
	free(s);
	rmdir_demo(dir);
}

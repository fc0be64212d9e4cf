/* cmd_share.c — `samlast share grant|revoke|list` (issue 7, item 2): the
 * opt-in sharing between named parties on the groupage board.  A supplier
 * (owner) lets a named supplier or carrier see its board rows by name;
 * each grant and revocation is stored and written to audit_log by the
 * library (docs/pooling.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samlast/pooling.h"
#include "commands.h"

static void usage(FILE *out)
{
	fputs("usage: samlast share grant  --db FILE --owner SUPPLIER --to ORG [--note TEXT]\n"
	      "       samlast share revoke --db FILE --owner SUPPLIER --to ORG\n"
	      "       samlast share list   --db FILE [--org ORG] [--history]\n"
	      "\n"
	      "Opt-in sharing on the groupage board: the owner (a supplier) lets ORG (a\n"
	      "supplier or carrier) see its deliveries by name.  Revoking takes effect at\n"
	      "once.  Every change is recorded in audit_log.\n",
	      out);
}

int cmd_share(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE_ : EX_OK_;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "grant") && strcmp(sub, "revoke") && strcmp(sub, "list")) {
		fprintf(stderr, "samlast share: unknown subcommand '%s' (grant, revoke, list)\n", sub);
		return EX_USAGE_;
	}
	static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
	                                         {"owner", required_argument, NULL, 'o'},
	                                         {"to", required_argument, NULL, 't'},
	                                         {"org", required_argument, NULL, 'g'},
	                                         {"note", required_argument, NULL, 'n'},
	                                         {"history", no_argument, NULL, 'H'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *db = NULL, *owner = NULL, *to = NULL, *org = NULL, *note = NULL;
	int history = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'o': owner = optarg; break;
		case 't': to = optarg; break;
		case 'g': org = optarg; break;
		case 'n': note = optarg; break;
		case 'H': history = 1; break;
		case 'h': usage(stdout); return EX_OK_;
		default:
			fprintf(stderr, "samlast share: unknown or incomplete option '%s'\n", argv[optind]);
			usage(stderr);
			return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	int is_list = !strcmp(sub, "list");
	if (!db || optind < argc - 1 || (!is_list && (!owner || !to))) {
		fprintf(stderr, "samlast share %s: %s\n", sub,
		        is_list ? "--db FILE is required" : "--db, --owner and --to are required");
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err;
	sl_error_clear(&err);
	sl_store *st = NULL;
	int rc = sl_store_open(db, &st, &err);
	if (!rc)
		rc = sl_store_migrate(st, &err);
	int64_t id = 0;
	sl_share *list = NULL;
	size_t n = 0;
	if (!rc) {
		if (!strcmp(sub, "grant"))
			rc = sl_share_grant(st, owner, to, note, NULL, &id, &err);
		else if (!strcmp(sub, "revoke"))
			rc = sl_share_revoke(st, owner, to, NULL, &err);
		else
			rc = sl_share_list(st, org, history, &list, &n, &err);
	}
	sl_store_close(st);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	if (!strcmp(sub, "grant"))
		printf("share %lld: %s shares with %s\n", (long long)id, owner, to);
	else if (!strcmp(sub, "revoke"))
		printf("revoked: %s no longer shares with %s\n", owner, to);
	else {
		printf("id\towner\tgrantee\tgranted_at\tgranted_by\trevoked_at\tnote\n");
		for (size_t i = 0; i < n; i++) {
			char g[32] = "", r[32] = "";
			time_t t = (time_t)list[i].granted_at;
			strftime(g, sizeof g, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
			if (list[i].revoked_at) {
				t = (time_t)list[i].revoked_at;
				strftime(r, sizeof r, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
			}
			printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)list[i].id, list[i].owner,
			       list[i].grantee, g, list[i].granted_by, r[0] ? r : "-", list[i].note);
		}
		free(list);
	}
	return EX_OK_;
}

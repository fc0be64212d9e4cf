/* cmd_token.c — `samlast token create|list|revoke`: API tokens.
 *
 * The token text is printed once on creation; the store keeps only its
 * hash (see server.h). */
#include "commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samlast/server.h"
#include "samlast/store.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: samlast token create --db FILE --role admin|city|supplier|unit|public\n"
		"                            [--org ID] [--expires YYYY-MM-DD] [--label TEXT]\n"
		"       samlast token list --db FILE\n"
		"       samlast token revoke --db FILE ID\n\n"
		"create prints the new token once (only its hash is stored); supplier and unit\n"
		"tokens need --org.  list prints the tokens as JSON (never their secrets).\n");
}

int cmd_token(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE_ : 0;
	}
	const char *sub = argv[1];
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"org", required_argument, NULL, 'o'},
					     {"role", required_argument, NULL, 'r'},
					     {"expires", required_argument, NULL, 'e'},
					     {"label", required_argument, NULL, 'L'},
					     {"help", no_argument, NULL, 'h'},
					     {0, 0, 0, 0}};
	const char *db = NULL, *org = NULL, *role_s = NULL, *expires = NULL, *label = NULL;
	int ch;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "d:o:r:e:L:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'o': org = optarg; break;
		case 'r': role_s = optarg; break;
		case 'e': expires = optarg; break;
		case 'L': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	if (!db) {
		usage(stderr);
		return EX_USAGE_;
	}
	sl_error err = {0};
	int rc;
	if (!strcmp(sub, "create")) {
		sl_role role;
		int64_t exp_day = 0;
		if (optind != argc || !role_s) {
			usage(stderr);
			return EX_USAGE_;
		}
		if (sl_role_parse(role_s, &role, &err)) {
			fprintf(stderr, "samlast token: %s\n", err.message);
			return EX_USAGE_;
		}
		if (expires && sl_date_parse(expires, &exp_day, &err)) {
			fprintf(stderr, "samlast token: --expires: %s\n", err.message);
			return EX_USAGE_;
		}
		sl_store *st;
		rc = sl_store_open(db, &st, &err);
		if (!rc)
			rc = sl_store_migrate(st, &err);
		char token[96];
		int64_t id = 0;
		if (!rc)
			rc = sl_server_token_create(st, org, role, expires ? sl_local_to_utc(exp_day, 0) : 0,
						    label, token, sizeof token, &id, &err);
		sl_store_close(st);
		if (rc) {
			cli_print_error(&err);
			return cli_exit_code(rc);
		}
		printf("%s\n", token);
		fprintf(stderr, "samlast token: created token %lld (%s%s%s); it is shown only now\n",
			(long long)id, role_s, org ? ", " : "", org ? org : "");
		return 0;
	}
	if (!strcmp(sub, "list") || !strcmp(sub, "revoke")) {
		int revoke = sub[0] == 'r';
		if (revoke ? optind != argc - 1 : optind != argc) {
			usage(stderr);
			return EX_USAGE_;
		}
		int64_t id = 0;
		if (revoke && (sl_parse_int64(argv[optind], &id, NULL) || id <= 0)) {
			fprintf(stderr, "samlast token: '%s' is not a token id\n", argv[optind]);
			return EX_USAGE_;
		}
		sl_store *st;
		rc = sl_store_open(db, &st, &err);
		if (!rc)
			rc = sl_store_migrate(st, &err);
		sl_buf b = {0};
		if (!rc)
			rc = revoke ? sl_server_token_revoke(st, id, &err) : sl_server_token_list_json(st, &b, &err);
		sl_store_close(st);
		if (rc) {
			sl_buf_free(&b);
			cli_print_error(&err);
			return cli_exit_code(rc);
		}
		if (!revoke)
			printf("%s\n", b.data);
		sl_buf_free(&b);
		return 0;
	}
	fprintf(stderr, "samlast token: unknown subcommand '%s' (create, list, revoke)\n", sub);
	return EX_USAGE_;
}

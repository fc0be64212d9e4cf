/* cmd_serve.c — `samlast serve`: run the HTTP server until SIGTERM/SIGINT.
 *
 * The library starts and stops the server; this command owns the signals:
 * it blocks SIGTERM/SIGINT in every thread (the server's workers inherit the
 * mask) and waits for one with sigwait, then stops the server, which lets
 * requests in flight finish. */
#include "commands.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "samlast/server.h"
#include "samlast/store.h"
#include "sl_config.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: samlast serve --db FILE [--listen HOST:PORT] [--web DIR] [--threads N]\n"
		"                     [--graph FILE]\n\n"
		"Serve the JSON API (/api/v1/), /healthz, /metrics and the dashboard (--web,\n"
		"default the built web/dist when present) until SIGTERM or SIGINT.  The\n"
		"database is migrated first.  Access log lines go to stderr.\n"
		"  --listen HOST:PORT   IPv4 address and port (default 127.0.0.1:8080; port 0:\n"
		"                       any free port, printed on stdout)\n"
		"  --threads N          worker threads (default 2)\n"
		"  --graph FILE         routing graph (samlast graph) served as OSRM v5 at\n"
		"                       /route/v1/, /table/v1/ and /nearest/v1/\n");
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"listen", required_argument, NULL, 'l'},
					     {"web", required_argument, NULL, 'w'},
					     {"graph", required_argument, NULL, 'g'},
					     {"threads", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {0, 0, 0, 0}};
	const char *db = NULL, *listen = "127.0.0.1:8080", *web = NULL, *graph = NULL;
	long threads = 2;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:l:w:g:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'l': listen = optarg; break;
		case 'w': web = optarg; break;
		case 'g': graph = optarg; break;
		case 't': threads = strtol(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	db = cli_db_path(db);
	if (!db || optind != argc || threads < 1 || threads > 64) {
		usage(stderr);
		return EX_USAGE_;
	}
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || (size_t)(colon - listen) >= sizeof host || *end || port < 0 || port > 65535 ||
	    colon[1] == 0) {
		fprintf(stderr, "samlast serve: --listen expects HOST:PORT, e.g. 127.0.0.1:8080\n");
		return EX_USAGE_;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	if (!web) {
		struct stat sb;
		if (!stat(SL_WEBDIR_SOURCE, &sb) && S_ISDIR(sb.st_mode))
			web = SL_WEBDIR_SOURCE;
		else if (!stat(SL_WEBDIR_INSTALLED, &sb) && S_ISDIR(sb.st_mode))
			web = SL_WEBDIR_INSTALLED;
	}

	sl_error err = {0};
	sl_store *st;
	int rc = sl_store_open(db, &st, &err);
	if (!rc)
		rc = sl_store_migrate(st, &err);
	sl_store_close(st);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	sl_server_config cfg;
	sl_server_config_init(&cfg);
	cfg.db_uri = db;
	cfg.host = host;
	cfg.port = (uint16_t)port;
	cfg.web_dir = web;
	cfg.threads = (unsigned)threads;
	cfg.log = log_line;
	cfg.graph_path = graph;
	sl_server *srv;
	rc = sl_server_start(&cfg, &srv, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	printf("samlast: serving %s on http://%s:%u/%s%s\n", db, host, (unsigned)sl_server_port(srv),
	       web ? " (dashboard from " : "", web ? web : "");
	if (web)
		printf(")\n");
	else
		printf("\n");
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "samlast serve: %s, finishing requests in flight\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	sl_server_stop(srv);
	return 0;
}

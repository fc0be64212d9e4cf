/* commands.h — the samlast subcommands and the helpers they share.
 *
 * The CLI is a thin client of libsamlast: each cmd_*.c parses its options,
 * calls the library and formats the result.  Exit status: 0 ok, 1 invalid
 * input, 2 usage, 3 I/O or store failure (see samlast(1)). */
#ifndef SL_CLI_COMMANDS_H
#define SL_CLI_COMMANDS_H

#include "samlast/base.h"

enum { EX_OK_ = 0, EX_INVALID = 1, EX_USAGE_ = 2, EX_IOSTORE = 3 };

/* Map a library error code to the CLI's exit status. */
int cli_exit_code(int sl_code);

/* Print "samlast: FILE:LINE:COL: error: MSG" to stderr. */
void cli_print_error(const sl_error *err);

/* The --db value, or $SAMLAST_DB, or NULL. */
const char *cli_db_path(const char *opt);

/* Is `arg` "--help" or "-h"? */
int cli_is_help(const char *arg);

typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_kpi(int argc, char **argv);
int cmd_demo_data(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_emissions(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_solve(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_ordering(int argc, char **argv);
int cmd_pooling(int argc, char **argv);
int cmd_followup(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_announce(int argc, char **argv);
int cmd_board(int argc, char **argv);
int cmd_share(int argc, char **argv);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Subcommands: each returns an exit status (EXIT_OK, EXIT_FAIL, EXIT_USAGE). */
#ifndef SECIMPORT_COMMANDS_H
#define SECIMPORT_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_broker(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_policy_apply(int argc, char **argv);
int cmd_agent(int argc, char **argv);

#endif

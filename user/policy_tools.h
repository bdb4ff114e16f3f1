/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `policy` subcommands that write policies: merge and import-secimport.
 * argv[0] is the subcommand's own name; each returns an exit status.
 */
#ifndef SECIMPORT_POLICY_TOOLS_H
#define SECIMPORT_POLICY_TOOLS_H

int policy_cmd_merge(int argc, char **argv);
int policy_cmd_import(int argc, char **argv);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The options the loaded system's small commands share. */
#ifndef SECIMPORT_SYSTEM_ARGS_H
#define SECIMPORT_SYSTEM_ARGS_H

#include <stdbool.h>

/* Which of the optional flags a command takes. */
#define SYSARG_JSON 0x1u /* --json */
#define SYSARG_FOLLOW 0x2u /* --follow */
#define SYSARG_DAEMON 0x4u /* --daemon */

struct system_args {
	const char *dir; /* --pin-dir, else system_default_dir() */
	bool json, follow, daemon;
};

/*
 * Parse [--pin-dir DIR] [-v] [-h] and the flags in @allowed. --help prints
 * @usage and exits 0; a bad option or argument prints it and returns -1.
 */
int system_args_parse(int argc, char **argv, const char *usage, unsigned int allowed,
		      struct system_args *a);

#endif

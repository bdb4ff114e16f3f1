/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which Python interpreter a command line runs, how it will set sys.path[0],
 * and which USDT probes its binary carries.
 */
#ifndef SECIMPORT_INTERP_H
#define SECIMPORT_INTERP_H

#include <stdbool.h>
#include <stddef.h>

#define INTERP_MAX_FLAGS 16

struct launch {
	char interpreter[4096]; /* absolute, symlinks resolved */
	/* What the interpreter puts first on sys.path: a directory, or none. */
	char path0[4096];
	bool has_path0;
	char script[4096]; /* the script run, symlinks resolved; empty for -c, -m, stdin */
	/* Options that change sys.path (-I -P -E -s -S), passed to the resolver. */
	char *flags[INTERP_MAX_FLAGS];
	size_t nr_flags;
};

/* USDT probes of provider "python" found in a binary. */
struct usdt_probes {
	bool function_entry;
	bool function_return;
	bool line;
};

/*
 * Work out the interpreter and launch mode of @argv (the program after --).
 * @python, when not NULL, names the interpreter explicitly. On failure
 * return -1 with a message for the user in @err.
 */
int launch_from_argv(struct launch *l, char *const argv[], const char *python, char *err,
		     size_t errlen);
void launch_free(struct launch *l);

/* Read the python USDT notes of the ELF file @path. -1 with @err on failure. */
int usdt_probes_read(const char *path, struct usdt_probes *probes, char *err, size_t errlen);

#endif

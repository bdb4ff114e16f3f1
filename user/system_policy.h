/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What `load` and `policy apply` share: the interpreters a loaded system
 * covers, and the system policy (several files) resolved for each of them.
 */
#ifndef SECIMPORT_SYSTEM_POLICY_H
#define SECIMPORT_SYSTEM_POLICY_H

#include <limits.h>
#include <stddef.h>

#include "engine.h"
#include "interp.h"
#include "policy.h"
#include "resolve.h"

struct system_interp {
	struct launch launch; /* interpreter path; no script, so no sys.path[0] */
	struct interp_info info;
	struct secimport_interp walk; /* the stack walker's description of the build */
	char elf[PATH_MAX]; /* the ELF holding _PyRuntime */
	struct resolved_module *resolved; /* the policy's modules for this interpreter */
};

/*
 * The interpreters named in @given (an error for one the walker cannot
 * cover), or, if none, every python3.N in /usr/bin and /usr/local/bin it can
 * (the others are named with --verbose). Prints why and returns EXIT_USAGE
 * on failure, EXIT_OK otherwise.
 */
int system_interps_find(char *const *given, size_t nr_given, struct system_interp **out,
			size_t *nr);

/* Resolve @p's modules for every interpreter. EXIT_OK or EXIT_USAGE (printed). */
int system_interps_resolve(struct system_interp *ips, size_t nr, const struct policy *p);

void system_interps_free(struct system_interp *ips, size_t nr, const struct policy *p);

/*
 * Parse policy files @files into one policy (@p empty with no files).
 * EXIT_OK, or EXIT_USAGE after printing the diagnostic.
 */
int system_policy_parse(char *const *files, size_t nr, struct policy *p);

#endif

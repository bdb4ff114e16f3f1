/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where a policy's modules live, as the target interpreter would import
 * them: asked of that interpreter, without importing (running) anything.
 */
#ifndef SECIMPORT_RESOLVE_H
#define SECIMPORT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "interp.h"
#include "policy.h"
#include "privs.h"

/* A file name (exact) or a package directory (prefix, ends in '/'). */
struct location {
	char *path;
	bool prefix;
};

struct resolved_module {
	char kind[16]; /* file, package, namespace, frozen, path */
	struct location *locs;
	size_t nr_locs;
};

#define INTERP_MAX_SYS_PATH 64
#define INTERP_MAX_STDLIB 8

struct interp_info {
	int major, minor;
	char version[64];
	char runtime_elf[4096]; /* the executable, or the libpython it maps */
	char *sys_path[INTERP_MAX_SYS_PATH]; /* absolute, as the program will see it */
	size_t nr_sys_path;
	char *stdlib[INTERP_MAX_STDLIB]; /* the standard library's directories */
	size_t nr_stdlib;
};

void interp_info_free(struct interp_info *info);

/*
 * Resolve every module of @p (process_default has no location). @out has
 * p->nr_modules entries. The interpreter runs as @as (NULL: as we are), since
 * site-packages .pth files run code at its start. On failure return -1 with a diagnostic in @diag
 * ("file:line:col: error: ...").
 */
int resolve_policy(const struct policy *p, const struct launch *l, const struct run_as *as,
		   struct resolved_module *out, struct interp_info *info, struct policy_diag *diag);
void resolved_free(struct resolved_module *r, size_t nr);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Policies of the original secimport (github.com/avilum/secimport): its YAML
 * "modules: {NAME: {destructive: BOOL, syscall_allowlist: [...]}}" format,
 * turned into a struct policy of modules with allowlists.
 */
#ifndef SECIMPORT_IMPORT_SECIMPORT_H
#define SECIMPORT_IMPORT_SECIMPORT_H

#include "policy.h"

/*
 * Read @path and build @out as policy_parse_file() would have compiled the
 * equivalent policy (for table @t, the native one if NULL):
 *   - each module becomes an allowlist module (an absolute path stays a
 *     path, "<frozen NAME>" becomes the import name NAME);
 *   - destructive: true becomes action kill, false action log;
 *   - the pseudo module general_requirements (what the interpreter itself
 *     needed) is added to every module's list, as the original allowed it
 *     to every module.
 * On error return -1 with @diag as "FILE:LINE:COL: error: ..." and @out
 * empty; on success 0, release @out with policy_free().
 */
int policy_import_secimport(const char *path, const struct syscall_table *t, struct policy *out,
			    struct policy_diag *diag);
/* The same from memory; @source_name is used in diagnostics. */
int policy_import_secimport_buffer(const char *source_name, const void *buf, size_t len,
				   const struct syscall_table *t, struct policy *out,
				   struct policy_diag *diag);

#endif

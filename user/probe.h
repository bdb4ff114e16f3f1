/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What this kernel and system offer the enforcer, found out once. */
#ifndef SECIMPORT_PROBE_H
#define SECIMPORT_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Is "bpf" among the active LSMs? Mounts securityfs if it is not mounted.
 * The list goes to @lsms ("?" when it cannot be read). Being listed is not
 * enough: the programs must also load and attach (the loader tries).
 */
bool probe_lsm_bpf_listed(char *lsms, size_t len);

/* Where the cgroup v2 hierarchy is mounted (unified or hybrid); -1 if nowhere. */
int probe_cgroup2_root(char *path, size_t len);

/* The value of enumerator @name of enum @type in the running kernel's BTF. */
int probe_kernel_enum(const char *type, const char *name, long long *value);

/* Does the running kernel's BTF have function @name (e.g. an LSM hook's bpf_lsm_*)? */
bool probe_kernel_func(const char *name);

#endif

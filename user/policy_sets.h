/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A compiled policy written into one policy set of the BPF maps: module
 * policies, locations, names and the set's summary. Works on map fds, so
 * that `run`'s loader, a loaded system's commands and the registration
 * broker write sets the same way.
 */
#ifndef SECIMPORT_POLICY_SETS_H
#define SECIMPORT_POLICY_SETS_H

#include <stddef.h>
#include <linux/types.h>

#include "policy.h"
#include "resolve.h"

struct set_maps {
	int policies, locations, sets;
	int names; /* module_names, or -1 (run keeps names in memory) */
	int write_dirs; /* write_paths' directories by inode */
};

/*
 * @m compiled for the kernel. bpf() is never allowed: code confined by any
 * module must not be able to change what confines it.
 */
void module_policy_compile(struct secimport_module_policy *out, const struct policy_module *m,
			   const struct syscall_table *t);

/* Syscalls worth a stack walk for a module: what it refuses, and process
 * creation and exec (inheritance needs the stack then). */
void set_walk_add(struct secimport_set *si, const struct secimport_module_policy *mp,
		  const struct syscall_table *t);

int set_put_policy(const struct set_maps *m, __u32 set, __u32 module,
		   const struct secimport_module_policy *mp, const char *name, char *err,
		   size_t errlen);
int set_put_location(const struct set_maps *m, __u32 set, const struct location *loc, __u32 module,
		     char *err, size_t errlen);
/*
 * The module of @set that @loc's code belongs to now (the longest location
 * of the set that covers it, as the kernel matches frames). -1 if none.
 */
int set_find_location(const struct set_maps *m, __u32 set, const struct location *loc,
		      __u32 *module);
/* write_paths of @pm, module @module of @set: its directories, by inode. */
int set_put_write_dirs(const struct set_maps *m, __u32 set, __u32 module,
		       const struct policy_module *pm, char *err, size_t errlen);
int set_put_summary(const struct set_maps *m, __u32 set, const struct secimport_set *si, char *err,
		    size_t errlen);

/* Remove everything of @set (policies, locations, names, summary). */
void set_clear(const struct set_maps *m, __u32 set);

/*
 * Write policy @p into @set. @resolved[k] are the locations of p's modules
 * for interpreter k (of @nr_resolved): a set covers several interpreters.
 * @numbers[i] is module i's number (NULL: i + 1); @tombstones are numbers
 * that must allow everything (modules that were removed but that running
 * processes may still carry).
 */
int set_write_policy(const struct set_maps *m, __u32 set, const struct policy *p,
		     struct resolved_module *const *resolved, size_t nr_resolved,
		     const __u32 *numbers, __u64 tombstones, char *err, size_t errlen);

#endif

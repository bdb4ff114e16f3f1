/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Wiring of the BPF side: open, size, load and attach the skeleton, fill
 * the policy maps, and attach the attribution engine to processes.
 */
#ifndef SECIMPORT_LOADER_H
#define SECIMPORT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "policy.h"
#include "policy_sets.h"
#include "resolve.h"

struct loader;
struct ring_buffer;

struct loader_opts {
	bool deny; /* a policy asks for deny: load the hooks that can refuse */
	bool trace; /* learning mode: record what modules do */
	bool system; /* a loaded system (`load`): cover every interpreter exec */
	bool code_write; /* a module may not plant code: BPF LSM's file hooks judge it */
	__u32 trace_files_max; /* >0: record every frame's file (trace --all-modules) */
	const struct syscall_table *table;
};

/* Which refusing hooks are live, and why not. */
struct loader_status {
	bool lsm_live; /* BPF LSM hooks attached */
	bool cgroup_live; /* cgroup socket hooks attached */
	char lsms[256]; /* the kernel's active LSM list */
	char lsm_why[512]; /* why the LSM hooks are not live */
	char cgroup_root[256];
};

/* Open, load and attach the always-on hooks. -1 with @err on failure. */
int loader_open(struct loader **out, const struct loader_opts *opts, struct loader_status *st,
		char *err, size_t errlen);
void loader_destroy(struct loader *l);

/* Write policy set @set: module policies, locations and the set's mask. */
int loader_set_policy(struct loader *l, __u32 set, const struct policy *p,
		      const struct resolved_module *r, char *err, size_t errlen);

/* The fds of the maps that hold policy sets. */
struct set_maps loader_set_maps(struct loader *l);

/* Processes that exec @path are stopped until the engine is attached. */
int loader_add_interpreter(struct loader *l, const char *path, char *err, size_t errlen);

/*
 * Stack-walking engine: know interpreter build @interp (its ELF @elf, the
 * executable or libpython), and find _PyRuntime in every process that starts
 * it. Returns the interp id in *id.
 */
int loader_add_stackwalk(struct loader *l, const char *elf, const struct secimport_interp *interp,
			 __u32 *id, char *err, size_t errlen);

/*
 * Give the process behind @pidfd its first verdict state; @flags are
 * SECIMPORT_TS_* (SECIMPORT_TS_STACKWALK picks the engine).
 */
int loader_track(struct loader *l, int pidfd, __u32 set, __u64 inherited, __u32 flags, char *err,
		 size_t errlen);

/*
 * Attach the USDT engine to process @pid running @interpreter, and mark it
 * attached. @line: also hold CPython 3.11's `line` probe (see docs).
 */
int loader_attach_engine(struct loader *l, pid_t pid, int pidfd, const char *interpreter, bool line,
			 char *err, size_t errlen);
void loader_detach_engine(struct loader *l, pid_t pid);

/* The violation and lifecycle event stream. */
struct ring_buffer *loader_events(struct loader *l, int (*cb)(void *ctx, void *data, size_t len),
				  void *ctx);

/*
 * Learning mode: OR the syscalls seen for module m of @set into allow[m]
 * (module 0 is process_default, m the policy's module m-1).
 */
int loader_trace_modules(struct loader *l, __u32 set, __u64 (*allow)[SECIMPORT_SYSCALL_WORDS],
			 size_t nr_modules);

/* Learning mode, every module: each (file, syscall) pair seen. */
int loader_trace_files(struct loader *l, void (*cb)(void *ctx, const char *path, unsigned int nr),
		       void *ctx);

/* Loaded system: a map's fd by name (-1 if none). */
int loader_map_fd(struct loader *l, const char *name);

/*
 * Loaded system: attach the registration guard (see registration.bpf.c)
 * where this kernel can: cgroup connect_unix (6.7+), BPF LSM.
 */
int loader_attach_system(struct loader *l, const struct loader_status *st, char *err,
			 size_t errlen);
/* Is a registration guard attached? Without one the broker refuses everyone. */
bool loader_guard_live(const struct loader *l);

/* Loaded system: cover every thread of the running processes @tgids. */
int loader_adopt(struct loader *l, const __u32 *tgids, const struct secimport_adopt *a, size_t n,
		 char *err, size_t errlen);

/*
 * Loaded system: pin every map (DIR/maps/NAME) and link (DIR/links/NAME), so
 * that enforcement outlives this process.
 */
int loader_pin(struct loader *l, const char *dir, char *err, size_t errlen);

/* Sum of a per-CPU counter (enum secimport_counter). */
__u64 loader_counter(struct loader *l, unsigned int which);

#endif

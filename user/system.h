/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A loaded system: the BPF programs, maps and links that `secimport-bpf load`
 * pinned under one bpffs directory, and what every later command (status,
 * events, policy apply, unload) and the registration broker do with them.
 */
#ifndef SECIMPORT_SYSTEM_H
#define SECIMPORT_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "policy.h"
#include "policy_sets.h"
#include "resolve.h"

#define SYSTEM_PIN_DIR "/sys/fs/bpf/secimport"
#define SYSTEM_SOCKET "/run/secimport/secimport.sock"

struct system {
	char dir[256];
	int policies, locations, sets, names, config, proc_sets, info, events, counters, threads,
	    peers, cgroups, interps, interpreters, adopt, write_dirs;
	struct secimport_system_info sysinfo;
};

/* The pin directory: $SECIMPORT_PIN_DIR, else SYSTEM_PIN_DIR. */
const char *system_default_dir(void);

/* Is a system pinned at @dir? */
bool system_is_loaded(const char *dir);

/*
 * Open the system pinned at @dir. -1 with a message for the user in @err
 * (no system loaded, or one of another version).
 */
int system_open(struct system *s, const char *dir, char *err, size_t errlen);
void system_close(struct system *s);

struct set_maps system_set_maps(const struct system *s);
__u64 system_config_get(const struct system *s, __u32 key);
int system_config_set(const struct system *s, __u32 key, __u64 val);
__u64 system_counter(const struct system *s, unsigned int which);
int system_info_write(const struct system *s);

/* The name of a module of a set, for event records (ctx: struct system). */
const char *system_module_name(void *ctx, __u32 set, unsigned int module);

/*
 * Write policy @p into system slot @slot, numbering modules so that a name
 * keeps the number it has in slot @active (0: none), so that confinement
 * running processes inherited keeps its meaning across `policy apply`.
 */
int system_write_slot(const struct system *s, __u32 slot, __u32 active, const struct policy *p,
		      struct resolved_module *const *resolved, size_t nr_resolved, char *err,
		      size_t errlen);

/*
 * Wait until no BPF program can still be running with set ids read before
 * this call (an RCU grace period).
 */
void system_sync(void);

/* Remove every pin under @dir and @dir itself. */
int system_unpin(const char *dir, char *err, size_t errlen);

/* Mount bpffs on /sys/fs/bpf if nothing is mounted there. */
int system_mount_bpffs(const char *dir, char *err, size_t errlen);

#endif

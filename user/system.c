// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "system.h"

#define BPF_FS_MAGIC 0xcafe4a11

const char *system_default_dir(void)
{
	const char *d = getenv("SECIMPORT_PIN_DIR");

	return d && *d ? d : SYSTEM_PIN_DIR;
}

bool system_is_loaded(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/maps/system_info", dir);
	return access(path, F_OK) == 0;
}

static int open_map(const struct system *s, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/maps/%s", s->dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
	return fd;
}

int system_open(struct system *s, const char *dir, char *err, size_t errlen)
{
	struct {
		const char *name;
		int *fd;
	} maps[] = {
		{ "system_info", &s->info },	  { "policies", &s->policies },
		{ "locations", &s->locations },	  { "sets", &s->sets },
		{ "module_names", &s->names },	  { "system_config", &s->config },
		{ "proc_sets", &s->proc_sets },	  { "events", &s->events },
		{ "counters", &s->counters },	  { "threads", &s->threads },
		{ "peers", &s->peers },		  { "cgroup_sets", &s->cgroups },
		{ "interps", &s->interps },	  { "interpreters", &s->interpreters },
		{ "write_dirs", &s->write_dirs }, { "adopt", &s->adopt },
	};
	__u32 zero = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		*maps[i].fd = -1;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	if (!system_is_loaded(dir)) {
		snprintf(err, errlen,
			 "no secimport-bpf system is loaded (nothing pinned at %s); run 'sudo "
			 "secimport-bpf load' first",
			 dir);
		return -1;
	}
	if ((s->info = open_map(s, "system_info", err, errlen)) < 0)
		goto fail;
	if (bpf_map_lookup_elem(s->info, &zero, &s->sysinfo)) {
		snprintf(err, errlen, "cannot read the loaded system's description: %s",
			 strerror(errno));
		goto fail;
	}
	s->sysinfo.version[sizeof(s->sysinfo.version) - 1] = 0;
	if (s->sysinfo.abi != SECIMPORT_ABI_VERSION ||
	    strcmp(s->sysinfo.version, SECIMPORT_VERSION)) {
		snprintf(err, errlen,
			 "the system pinned at %s was loaded by secimport-bpf %s (ABI %u); this is "
			 "%s (ABI %u): run 'sudo secimport-bpf unload', then load again",
			 dir, s->sysinfo.version, s->sysinfo.abi, SECIMPORT_VERSION,
			 SECIMPORT_ABI_VERSION);
		goto fail;
	}
	for (size_t i = 1; i < sizeof(maps) / sizeof(maps[0]); i++)
		if ((*maps[i].fd = open_map(s, maps[i].name, err, errlen)) < 0)
			goto fail;
	return 0;
fail:
	system_close(s);
	return -1;
}

void system_close(struct system *s)
{
	int *fds[] = { &s->policies, &s->locations,    &s->sets,  &s->names,
		       &s->config,   &s->proc_sets,    &s->info,  &s->events,
		       &s->counters, &s->threads,      &s->peers, &s->cgroups,
		       &s->interps,  &s->interpreters, &s->adopt, &s->write_dirs };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] > 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

struct set_maps system_set_maps(const struct system *s)
{
	return (struct set_maps){ .policies = s->policies,
				  .locations = s->locations,
				  .sets = s->sets,
				  .names = s->names,
				  .write_dirs = s->write_dirs };
}

__u64 system_config_get(const struct system *s, __u32 key)
{
	__u64 v = 0;

	bpf_map_lookup_elem(s->config, &key, &v);
	return v;
}

int system_config_set(const struct system *s, __u32 key, __u64 val)
{
	return bpf_map_update_elem(s->config, &key, &val, BPF_ANY);
}

int system_info_write(const struct system *s)
{
	__u32 zero = 0;

	return bpf_map_update_elem(s->info, &zero, &s->sysinfo, BPF_ANY);
}

__u64 system_counter(const struct system *s, unsigned int which)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 sum = 0, *vals;

	if (ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
		return 0;
	if (!bpf_map_lookup_elem(s->counters, &which, vals))
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

const char *system_module_name(void *ctx, __u32 set, unsigned int module)
{
	static struct secimport_module_name n;
	const struct system *s = ctx;
	__u32 key = set * SECIMPORT_MAX_MODULES + module;

	if (bpf_map_lookup_elem(s->names, &key, &n))
		return "<unknown>";
	n.name[sizeof(n.name) - 1] = 0;
	return n.name;
}

int system_write_slot(const struct system *s, __u32 slot, __u32 active, const struct policy *p,
		      struct resolved_module *const *resolved, size_t nr_resolved, char *err,
		      size_t errlen)
{
	struct set_maps m = system_set_maps(s);
	char old[SECIMPORT_MAX_MODULES][SECIMPORT_NAME_MAX] = {};
	__u32 numbers[SECIMPORT_MAX_MODULES] = {};
	__u64 used_old = 0, taken = 1; /* module 0 is process_default */

	for (__u32 i = 1; active && i < SECIMPORT_MAX_MODULES; i++) {
		struct secimport_module_name n;
		__u32 key = active * SECIMPORT_MAX_MODULES + i;

		if (bpf_map_lookup_elem(s->names, &key, &n) == 0) {
			memcpy(old[i], n.name, sizeof(old[i]));
			old[i][SECIMPORT_NAME_MAX - 1] = 0;
			used_old |= 1ULL << i;
		}
	}
	if (p->nr_modules >= SECIMPORT_MAX_MODULES) {
		snprintf(err, errlen, "too many modules (at most %d)", SECIMPORT_MAX_MODULES - 1);
		return -1;
	}
	/* Same name, same number. */
	for (size_t i = 0; i < p->nr_modules; i++)
		for (__u32 k = 1; k < SECIMPORT_MAX_MODULES; k++)
			if ((used_old & (1ULL << k)) && !strcmp(old[k], p->modules[i].name) &&
			    strcmp(old[k], "<removed>")) {
				numbers[i] = k;
				taken |= 1ULL << k;
				break;
			}
	/* New names: numbers nobody carries first, then those of removed modules. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < p->nr_modules; i++) {
			if (numbers[i])
				continue;
			for (__u32 k = 1; k < SECIMPORT_MAX_MODULES; k++) {
				__u64 bit = 1ULL << k;

				if ((taken & bit) || (pass == 0 && (used_old & bit)))
					continue;
				numbers[i] = k;
				taken |= bit;
				break;
			}
		}
	set_clear(&m, slot);
	return set_write_policy(&m, slot, p, resolved, nr_resolved, numbers, used_old & ~taken, err,
				errlen);
}

void system_sync(void)
{
	/* MEMBARRIER_CMD_GLOBAL waits for an RCU grace period, which BPF
	 * programs on tracepoints run inside of. */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(100 * 1000);
}

static int unpin_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (lstat(sub, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			ret |= unpin_dir(sub);
		else if (unlink(sub))
			ret = -1;
	}
	closedir(d);
	if (rmdir(path))
		ret = -1;
	return ret;
}

int system_unpin(const char *dir, char *err, size_t errlen)
{
	if (unpin_dir(dir)) {
		snprintf(err, errlen, "cannot remove everything under %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int system_mount_bpffs(const char *dir, char *err, size_t errlen)
{
	char parent[PATH_MAX], *slash;
	struct statfs sfs;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = 0;
	if (statfs(parent, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (strcmp(parent, "/sys/fs/bpf")) {
		snprintf(err, errlen,
			 "%s is not on a bpf filesystem; mount one there first "
			 "(mount -t bpf bpf %s)",
			 dir, parent);
		return -1;
	}
	if (mount("bpf", parent, "bpf", 0, "mode=0700")) {
		snprintf(err, errlen, "cannot mount bpffs on %s: %s", parent, strerror(errno));
		return -1;
	}
	return 0;
}

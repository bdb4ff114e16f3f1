// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>

#include "policy_sets.h"

static void set_bit(__u64 *bits, int nr)
{
	if (nr >= 0 && nr < SECIMPORT_SYSCALL_BITS)
		bits[nr / 64] |= 1ULL << (nr % 64);
}

void module_policy_compile(struct secimport_module_policy *out, const struct policy_module *m,
			   const struct syscall_table *t)
{
	int bpf_nr = syscall_lookup(t, "bpf");
	uint64_t allow[SECIMPORT_SYSCALL_WORDS];

	memset(out, 0, sizeof(*out));
	out->action = m->action;
	out->present = 1;
	memcpy(allow, m->allow, sizeof(allow));
	if (bpf_nr >= 0 && bpf_nr < SECIMPORT_SYSCALL_BITS)
		allow[bpf_nr / 64] &= ~(1ULL << (bpf_nr % 64));
	policy_pseudo_derive(t, allow);
	memcpy(out->allow, allow, sizeof(out->allow));
}

void set_walk_add(struct secimport_set *si, const struct secimport_module_policy *mp,
		  const struct syscall_table *t)
{
	static const char *const creation[] = { "clone", "clone3", "fork",
						"vfork", "execve", "execveat" };

	for (unsigned int w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
		si->walk[w] |= ~mp->allow[w];
	for (size_t i = 0; i < sizeof(creation) / sizeof(creation[0]); i++)
		set_bit(si->walk, syscall_lookup(t, creation[i]));
}

int set_put_policy(const struct set_maps *m, __u32 set, __u32 module,
		   const struct secimport_module_policy *mp, const char *name, char *err,
		   size_t errlen)
{
	__u32 key = set * SECIMPORT_MAX_MODULES + module;

	if (bpf_map_update_elem(m->policies, &key, mp, BPF_ANY)) {
		snprintf(err, errlen, "failed to write the policy of %s: %s", name,
			 strerror(errno));
		return -1;
	}
	if (m->names >= 0) {
		struct secimport_module_name n = {};

		snprintf(n.name, sizeof(n.name), "%s", name);
		if (bpf_map_update_elem(m->names, &key, &n, BPF_ANY)) {
			snprintf(err, errlen, "failed to record module %s: %s", name,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The LPM key of @loc in @set: a file with its NUL (exact), a directory as a prefix. */
static int location_key(__u32 set, const struct location *loc, struct secimport_location_key *key)
{
	size_t len = strlen(loc->path);

	if (len + 1 > SECIMPORT_PATH_MAX)
		return -1;
	memset(key, 0, sizeof(*key));
	key->data[0] = set >> 24;
	key->data[1] = set >> 16;
	key->data[2] = set >> 8;
	key->data[3] = set;
	memcpy(key->data + 4, loc->path, len);
	key->prefixlen = (4 + len + (loc->prefix ? 0 : 1)) * 8;
	return 0;
}

int set_put_location(const struct set_maps *m, __u32 set, const struct location *loc, __u32 module,
		     char *err, size_t errlen)
{
	struct secimport_location_key key;
	struct secimport_location val = { .module = module };

	if (location_key(set, loc, &key)) {
		snprintf(err, errlen, "path too long for the kernel side: %s", loc->path);
		return -1;
	}
	if (bpf_map_update_elem(m->locations, &key, &val, BPF_ANY)) {
		snprintf(err, errlen, "failed to add module location %s: %s", loc->path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int set_find_location(const struct set_maps *m, __u32 set, const struct location *loc,
		      __u32 *module)
{
	struct secimport_location_key key;
	struct secimport_location val;

	if (location_key(set, loc, &key) || bpf_map_lookup_elem(m->locations, &key, &val))
		return -1;
	*module = val.module;
	return 0;
}

/*
 * write_paths: each directory, by the identity the kernel's dentries carry
 * (device, inode), allows @module of @set to change files under it.
 */
int set_put_write_dirs(const struct set_maps *m, __u32 set, __u32 module,
		       const struct policy_module *pm, char *err, size_t errlen)
{
	for (size_t i = 0; i < pm->nr_write_paths; i++) {
		struct secimport_write_dir_key key = { .set = set };
		const char *dir = pm->write_paths[i];
		__u64 mods = 0;
		struct stat st;

		if (stat(dir, &st)) {
			snprintf(err, errlen,
				 "write_paths of %s: %s: %s (the directories must exist "
				 "when the policy is loaded)",
				 pm->name, dir, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "write_paths of %s: %s is not a directory", pm->name,
				 dir);
			return -1;
		}
		key.dev = major(st.st_dev) << 20 | minor(st.st_dev);
		key.ino = st.st_ino;
		bpf_map_lookup_elem(m->write_dirs, &key, &mods);
		mods |= 1ULL << module;
		if (bpf_map_update_elem(m->write_dirs, &key, &mods, BPF_ANY)) {
			snprintf(err, errlen, "failed to record write_paths directory %s: %s", dir,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

int set_put_summary(const struct set_maps *m, __u32 set, const struct secimport_set *si, char *err,
		    size_t errlen)
{
	if (bpf_map_update_elem(m->sets, &set, si, BPF_ANY)) {
		snprintf(err, errlen, "failed to write the module set: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static __u32 key_set(const struct secimport_location_key *k)
{
	return (__u32)k->data[0] << 24 | (__u32)k->data[1] << 16 | (__u32)k->data[2] << 8 |
	       k->data[3];
}

void set_clear(const struct set_maps *m, __u32 set)
{
	struct secimport_location_key key, next;
	struct secimport_set empty = {};
	bool more;

	/* The set stays defined (empty) while its parts go. */
	bpf_map_update_elem(m->sets, &set, &empty, BPF_ANY);
	for (__u32 i = 0; i < SECIMPORT_MAX_MODULES; i++) {
		__u32 k = set * SECIMPORT_MAX_MODULES + i;

		bpf_map_delete_elem(m->policies, &k);
		if (m->names >= 0)
			bpf_map_delete_elem(m->names, &k);
	}
	/* write_paths' directories of the set (deleting restarts the walk). */
	do {
		struct secimport_write_dir_key wk, wnext;

		more = false;
		if (bpf_map_get_next_key(m->write_dirs, NULL, &wnext))
			break;
		do {
			wk = wnext;
			if (wk.set == set) {
				bpf_map_delete_elem(m->write_dirs, &wk);
				more = true;
				break;
			}
		} while (bpf_map_get_next_key(m->write_dirs, &wk, &wnext) == 0);
	} while (more);
	/* Deleting while iterating an LPM trie restarts the walk: go from the top. */
	do {
		more = false;
		if (bpf_map_get_next_key(m->locations, NULL, &next))
			break;
		do {
			key = next;
			if (key_set(&key) == set) {
				bpf_map_delete_elem(m->locations, &key);
				more = true;
				break;
			}
		} while (bpf_map_get_next_key(m->locations, &key, &next) == 0);
	} while (more);
}

int set_write_policy(const struct set_maps *m, __u32 set, const struct policy *p,
		     struct resolved_module *const *resolved, size_t nr_resolved,
		     const __u32 *numbers, __u64 tombstones, char *err, size_t errlen)
{
	struct secimport_set si = {};
	struct secimport_module_policy mp;

	if (set >= SECIMPORT_MAX_SETS || p->nr_modules >= SECIMPORT_MAX_MODULES) {
		snprintf(err, errlen, "policy set %u or module count out of range", set);
		return -1;
	}
	if (p->has_process_default) {
		module_policy_compile(&mp, &p->process_default, p->table);
		if (set_put_policy(m, set, SECIMPORT_DEFAULT_MODULE, &mp, "<process_default>", err,
				   errlen))
			return -1;
		si.modules |= 1ULL << SECIMPORT_DEFAULT_MODULE;
		set_walk_add(&si, &mp, p->table);
	}
	for (size_t i = 0; i < p->nr_modules; i++) {
		__u32 module = numbers ? numbers[i] : i + 1;

		module_policy_compile(&mp, &p->modules[i], p->table);
		if (set_put_policy(m, set, module, &mp, p->modules[i].name, err, errlen) ||
		    set_put_write_dirs(m, set, module, &p->modules[i], err, errlen))
			return -1;
		for (size_t r = 0; r < nr_resolved; r++)
			for (size_t k = 0; k < resolved[r][i].nr_locs; k++)
				if (set_put_location(m, set, &resolved[r][i].locs[k], module, err,
						     errlen))
					return -1;
		si.modules |= 1ULL << module;
		if (p->modules[i].nr_write_paths)
			si.write_limited |= 1ULL << module;
		set_walk_add(&si, &mp, p->table);
	}
	/* A removed module's number: allow everything, refuse nothing. */
	for (__u32 module = 1; module < SECIMPORT_MAX_MODULES; module++) {
		if (!(tombstones & (1ULL << module)) || (si.modules & (1ULL << module)))
			continue;
		memset(&mp, 0, sizeof(mp));
		memset(mp.allow, 0xff, sizeof(mp.allow));
		mp.action = SECIMPORT_ACT_LOG;
		mp.present = 1;
		if (set_put_policy(m, set, module, &mp, "<removed>", err, errlen))
			return -1;
		si.modules |= 1ULL << module;
	}
	return set_put_summary(m, set, &si, err, errlen);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * secimport-bpf policy apply: replace a loaded system's policy atomically.
 * The new policy is written into the idle slot while the old one keeps
 * enforcing, then one switch makes it current; each thread moves to it at
 * its next syscall, judged by the old policy until then, never by neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include "commands.h"
#include "probe.h"
#include "system.h"
#include "system_policy.h"
#include "util.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* The cgroup v2 directory @path names (absolute, or under the v2 root): its id. */
static int cgroup_id(const char *path, __u64 *id, char *err, size_t errlen)
{
	char root[PATH_MAX], full[PATH_MAX * 2];
	struct statfs sfs;
	struct stat st;

	if (path[0] == '/') {
		snprintf(full, sizeof(full), "%s", path);
	} else if (probe_cgroup2_root(root, sizeof(root)) == 0) {
		snprintf(full, sizeof(full), "%s/%s", root, path);
	} else {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted; name the cgroup by path");
		return -1;
	}
	if (stat(full, &st) || !S_ISDIR(st.st_mode) || statfs(full, &sfs) ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen, "%.900s is not a cgroup v2 directory", full);
		return -1;
	}
	*id = st.st_ino; /* a cgroup v2 id is its directory's inode number */
	return 0;
}

/*
 * A free cgroup set: one no cgroup uses. Freed sets are emptied here, after
 * system_sync(), so nothing still reads what they held.
 */
static int cgroup_set_alloc(const struct system *s, __u32 *set)
{
	unsigned char used[SECIMPORT_MAX_CGROUP_SETS] = {};
	__u64 key, next, *prev = NULL;
	__u32 val;

	while (bpf_map_get_next_key(s->cgroups, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(s->cgroups, &key, &val) == 0 &&
		    val - SECIMPORT_SET_CGROUP_FIRST < SECIMPORT_MAX_CGROUP_SETS)
			used[val - SECIMPORT_SET_CGROUP_FIRST] = 1;
	}
	for (__u32 i = 0; i < SECIMPORT_MAX_CGROUP_SETS; i++)
		if (!used[i]) {
			*set = SECIMPORT_SET_CGROUP_FIRST + i;
			return 0;
		}
	return -1;
}

/* The policy of one cgroup (and its descendants), next to the system's. */
static int apply_cgroup(const struct system *s, const char *cgroup, bool clear,
			const struct policy *p, struct resolved_module *const *resolved, size_t nr)
{
	struct set_maps m = system_set_maps(s);
	__u32 old = 0, set;
	char err[1024];
	__u64 id;

	if (cgroup_id(cgroup, &id, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	bpf_map_lookup_elem(s->cgroups, &id, &old);
	if (clear) {
		if (!old) {
			p_err("cgroup %s has no policy of its own", cgroup);
			return EXIT_USAGE;
		}
		bpf_map_delete_elem(s->cgroups, &id);
		system_config_set(s, SECIMPORT_CFG_GEN,
				  system_config_get(s, SECIMPORT_CFG_GEN) + 1);
		printf("secimport-bpf: cgroup %s (id %llu) has no policy of its own now\n", cgroup,
		       (unsigned long long)id);
		return EXIT_OK;
	}
	if (cgroup_set_alloc(s, &set)) {
		p_err("%d cgroups have policies already, the most there can be",
		      SECIMPORT_MAX_CGROUP_SETS);
		return EXIT_FAIL;
	}
	system_sync();
	set_clear(&m, set);
	if (system_write_slot(s, set, old, p, resolved, nr, err, sizeof(err)) ||
	    bpf_map_update_elem(s->cgroups, &id, &set, BPF_ANY)) {
		p_err("%s; the cgroup's old policy stays in force", err[0] ? err : strerror(errno));
		return EXIT_FAIL;
	}
	system_config_set(s, SECIMPORT_CFG_GEN, system_config_get(s, SECIMPORT_CFG_GEN) + 1);
	printf("secimport-bpf: applied %zu module(s)%s to cgroup %s (id %llu, set %u)\n",
	       p->nr_modules, p->has_process_default ? " + process_default" : "", cgroup,
	       (unsigned long long)id, set);
	return EXIT_OK;
}

int cmd_policy_apply(int argc, char **argv)
{
	static const char usage[] =
	    "Usage: secimport-bpf policy apply FILE... [--cgroup PATH] [--pin-dir DIR]\n"
	    "       secimport-bpf policy apply [--cgroup PATH] --clear\n\n"
	    "Replace the loaded system's policy with FILE (several files are combined).\n"
	    "Processes are judged by the old policy until the switch, by the new one\n"
	    "after; registrations made with secure_import() are kept.\n\n"
	    "With --cgroup (or a `cgroup:` key in FILE), FILE is the policy of the\n"
	    "processes in cgroup PATH (a cgroup v2 directory, absolute or under the v2\n"
	    "root) and its descendants, enforced next to the system's (a syscall must pass\n"
	    "both). --clear removes a cgroup's policy, or empties the system's.\n";
	static const struct option longopts[] = {
		{ "pin-dir", required_argument, NULL, 'D' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "clear", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *cgroup = NULL;
	bool clear = false;
	struct resolved_module *resolved[SECIMPORT_MAX_INTERPS];
	char *interps[SECIMPORT_MAX_INTERPS];
	struct system_interp *ips = NULL;
	struct policy policy = {};
	const char *dir = system_default_dir();
	struct system s;
	char err[1024];
	size_t nr = 0;
	__u32 active, target;
	int c, lock = -1, status = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			dir = optarg;
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'C':
			clear = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			printf("%s", usage);
			return EXIT_OK;
		default:
			fprintf(stderr, "%s", usage);
			return EXIT_USAGE;
		}
	}
	if (clear && optind != argc) {
		p_err("--clear takes no policy file");
		return EXIT_USAGE;
	}
	if (optind == argc && !clear) {
		p_err("policy apply needs a policy FILE");
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		p_err("policy apply needs root; try sudo");
		return EXIT_USAGE;
	}
	if (system_policy_parse(argv + optind, argc - optind, &policy))
		return EXIT_USAGE;
	/* A policy that names its cgroup applies there (--cgroup overrides). */
	if (!cgroup)
		cgroup = policy.cgroup;
	if (system_open(&s, dir, err, sizeof(err))) {
		p_err("%s", err);
		policy_free(&policy);
		return EXIT_USAGE;
	}
	if (policy_uses_action(&policy, SECIMPORT_ACT_DENY) &&
	    !(s.sysinfo.flags & (SECIMPORT_SYS_LSM | SECIMPORT_SYS_FALLBACK_KILL))) {
		p_err("the policy asks for deny, but the loaded system has no BPF LSM and was "
		      "not loaded with --fallback kill; nothing changed");
		goto out;
	}
	if (policy_uses_write_paths(&policy) && !(s.sysinfo.flags & SECIMPORT_SYS_LSM)) {
		p_err("the policy limits file writes to write_paths, but the loaded system has "
		      "no BPF LSM; nothing changed (use allow_file_write: false instead)");
		goto out;
	}
	/* One apply at a time: the idle slot is ours until the switch. */
	lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		p_err("cannot lock %s: %s", dir, strerror(errno));
		goto out;
	}
	for (__u32 i = 0; i < s.sysinfo.nr_interps && i < SECIMPORT_MAX_INTERPS; i++) {
		s.sysinfo.interps[i][sizeof(s.sysinfo.interps[i]) - 1] = 0;
		interps[i] = s.sysinfo.interps[i];
	}
	if ((status = system_interps_find(interps, s.sysinfo.nr_interps, &ips, &nr)) ||
	    (status = system_interps_resolve(ips, nr, &policy)))
		goto out;
	for (size_t i = 0; i < nr; i++)
		resolved[i] = ips[i].resolved;
	if (cgroup) {
		status = apply_cgroup(&s, cgroup, clear, &policy, resolved, nr);
		goto out;
	}
	active = system_config_get(&s, SECIMPORT_CFG_SYSTEM_SET);
	target = active == SECIMPORT_SET_SYSTEM_A ? SECIMPORT_SET_SYSTEM_B : SECIMPORT_SET_SYSTEM_A;
	/* Nobody may still be judging by the idle slot since the previous switch. */
	system_sync();
	if (system_write_slot(&s, target, active, &policy, resolved, nr, err, sizeof(err))) {
		p_err("%s; the old policy stays in force", err);
		status = EXIT_FAIL;
		goto out;
	}
	if (system_config_set(&s, SECIMPORT_CFG_SYSTEM_SET, target) ||
	    system_config_set(&s, SECIMPORT_CFG_GEN,
			      system_config_get(&s, SECIMPORT_CFG_GEN) + 1)) {
		p_err("failed to switch to the new policy: %s", strerror(errno));
		status = EXIT_FAIL;
		goto out;
	}
	printf("secimport-bpf: applied %zu module(s)%s (slot %u)\n", policy.nr_modules,
	       policy.has_process_default ? " + process_default" : "", target);
	status = EXIT_OK;
out:
	if (lock >= 0)
		close(lock);
	system_interps_free(ips, nr, &policy);
	system_close(&s);
	policy_free(&policy);
	return status;
}

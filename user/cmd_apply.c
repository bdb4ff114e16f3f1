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
#include <sys/file.h>
#include <unistd.h>

#include "commands.h"
#include "system.h"
#include "system_policy.h"
#include "util.h"

int cmd_policy_apply(int argc, char **argv)
{
	static const char usage[] =
	    "Usage: secimport-bpf policy apply FILE... [--pin-dir DIR]\n\n"
	    "Replace the loaded system's policy with FILE (several files are combined).\n"
	    "Processes are judged by the old policy until the switch, by the new one\n"
	    "after; registrations made with secure_import() are kept.\n";
	static const struct option longopts[] = {
		{ "pin-dir", required_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
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
	if (optind == argc) {
		p_err("policy apply needs a policy FILE");
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		p_err("policy apply needs root; try sudo");
		return EXIT_USAGE;
	}
	if (system_policy_parse(argv + optind, argc - optind, &policy))
		return EXIT_USAGE;
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

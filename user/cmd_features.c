// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* secimport-bpf features: what this kernel lets the enforcer do. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "loader.h"
#include "util.h"

int cmd_features(int argc, char **argv)
{
	struct loader_opts opts = { .deny = true, .table = syscall_table_native() };
	struct loader_status st;
	struct loader *l = NULL;
	bool json = false, loaded;
	char err[1024] = "";

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: secimport-bpf features [--json] [--verbose]\n\n"
			       "Load the BPF programs once, without enforcing anything, and say\n"
			       "which hooks this kernel allows: the syscall hook and the engines\n"
			       "(kill, log), BPF LSM (deny) and cgroup socket hooks (deny for\n"
			       "inet sockets). Needs root.\n");
			return EXIT_OK;
		} else {
			p_err("unknown argument '%s' (see 'secimport-bpf features --help')",
			      argv[i]);
			return EXIT_USAGE;
		}
	}
	if (geteuid() != 0) {
		p_err("features needs root to load BPF programs; try sudo");
		return EXIT_USAGE;
	}
	loaded = loader_open(&l, &opts, &st, err, sizeof(err)) == 0;
	loader_destroy(l);
	if (json) {
		printf("{\"bpf\":%s,\"bpf_lsm\":%s,\"cgroup_sock\":%s,\"lsms\":",
		       loaded ? "true" : "false", loaded && st.lsm_live ? "true" : "false",
		       loaded && st.cgroup_live ? "true" : "false");
		json_write_string(stdout, st.lsms);
		printf(",\"error\":");
		json_write_string(stdout, loaded ? (st.lsm_live ? "" : st.lsm_why) : err);
		printf("}\n");
	} else {
		printf("BPF programs (kill, log):   %s\n", loaded ? "yes" : err);
		printf("BPF LSM hooks (deny):       %s\n", !loaded	 ? "no"
							   : st.lsm_live ? "yes"
									 : st.lsm_why);
		/* allow_shell: false's planting-code check lives in the same hooks */
		printf("planting code judged:       %s\n",
		       loaded && st.lsm_live ? "yes (BPF LSM file hooks)" : "no (needs BPF LSM)");
		printf("cgroup socket hooks (deny): %s%s%s\n",
		       loaded && st.cgroup_live ? "yes, on " : "no",
		       loaded && st.cgroup_live ? st.cgroup_root : "", "");
	}
	return loaded ? EXIT_OK : EXIT_FAIL;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* secimport-bpf: confine Python modules with BPF. Command dispatch. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "run", cmd_run, "run a program with Python modules confined" },
	{ "trace", cmd_trace, "run a program and write the policy its modules need" },
	{ "policy", cmd_policy, "check, merge or import policy files" },
	{ "load", cmd_load, "enforce system-wide from pinned BPF programs" },
	{ "unload", cmd_unload, "end what load started" },
	{ "status", cmd_status, "what the loaded system enforces, and whether it is whole" },
	{ "events", cmd_events, "violation records of the loaded system" },
	{ "broker", cmd_broker, "serve secure_import() registrations (load starts one)" },
	{ "agent", cmd_agent, "load, follow a policy directory, serve, stream JSON (DaemonSet)" },
	{ "features", cmd_features, "which hooks this kernel allows (kill, log, deny)" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: secimport-bpf [--version] [--help] COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'secimport-bpf COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("secimport-bpf %s\n", SECIMPORT_VERSION);
		return EXIT_OK;
	}
	/* Exact names only: abbreviations would become interface. */
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "secimport-bpf: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * secimport-bpf run: start a program confined from its first Python
 * instruction. The child waits until the hooks are in place and its verdict
 * state exists; the exec of the interpreter then stops it (in BPF) until
 * the attribution engine is attached to it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "policy.h"
#include "session.h"
#include "util.h"

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: secimport-bpf run --policy FILE [OPTIONS] -- PROGRAM [ARGS...]\n"
		"\n"
		"Run PROGRAM with the Python modules named in FILE confined. Exits with\n"
		"PROGRAM's status (128+N when signal N ended it).\n"
		"\n"
		"Options:\n"
		"  -p, --policy FILE      policy to enforce (required)\n"
		"  -a, --action ACTION    override every module's action: kill, log, deny or\n"
		"                         deny+kill (deny refuses with EPERM; needs BPF LSM)\n"
		"      --fallback kill    where deny cannot refuse (no BPF LSM), kill instead\n"
		"  -l, --log FILE         write violation records to FILE instead of stderr\n"
		"  -j, --json             violation records as JSON lines\n"
		"  -e, --engine ENGINE    attribution engine: auto (default), stackwalk or usdt\n"
		"      --python PATH      the interpreter PROGRAM runs, when it cannot be told\n"
		"  -u, --user USER        run PROGRAM as USER (default: the user who ran sudo)\n"
		"  -v, --verbose          say what is resolved, attached and why\n"
		"  -h, --help             this help\n");
}

struct run_opts {
	const char *policy, *action, *log, *engine, *python, *user, *fallback;
	bool json;
};

static int parse_run_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "action", required_argument, NULL, 'a' },
		{ "log", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "engine", required_argument, NULL, 'e' },
		{ "python", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "fallback", required_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->engine = "auto";
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:a:l:je:u:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case 'a':
			o->action = optarg;
			break;
		case 'l':
			o->log = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'e':
			o->engine = optarg;
			break;
		case 'P':
			o->python = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'F':
			o->fallback = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			run_usage(stdout);
			exit(EXIT_OK);
		default:
			run_usage(stderr);
			return -1;
		}
	}
	if (!o->policy) {
		p_err("run needs --policy FILE (see 'secimport-bpf run --help')");
		return -1;
	}
	if (optind >= argc) {
		p_err("run needs a program to run after '--' (see 'secimport-bpf run --help')");
		return -1;
	}
	if (o->action && !policy_action_parse(o->action)) {
		p_err("unknown action '%s': use kill, log, deny or deny+kill", o->action);
		return -1;
	}
	if (o->fallback && strcmp(o->fallback, "kill")) {
		p_err("unknown fallback '%s': the only fallback for deny is kill", o->fallback);
		return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct session_opts so = { .verb = "run", .log = stderr };
	struct policy policy = {};
	struct policy_diag diag;
	struct session s = {};
	struct run_opts o;
	int status;

	if (parse_run_args(argc, argv, &o))
		return EXIT_USAGE;
	if (policy_parse_file(&policy, o.policy, syscall_table_native(), &diag)) {
		fprintf(stderr, "%s\n", diag.msg);
		return EXIT_USAGE;
	}
	if (o.action)
		policy_override_action(&policy, policy_action_parse(o.action));
	if (o.log && !(so.log = fopen(o.log, "ae"))) {
		p_err("cannot open log file '%s': %s", o.log, strerror(errno));
		policy_free(&policy);
		return EXIT_USAGE;
	}
	so.engine = o.engine;
	so.python = o.python;
	so.user = o.user;
	so.fallback = o.fallback;
	so.json = o.json;
	so.prog = argv + optind;
	status = session_prepare(&s, &policy, &so);
	if (status == EXIT_OK)
		status = session_execute(&s);
	session_finish(&s);
	if (so.log != stderr)
		fclose(so.log);
	policy_free(&policy);
	return status;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * secimport-bpf load / unload / broker: a system-wide enforcer that lives in
 * pinned BPF objects, not in a process. `load` loads and attaches
 * everything, covers the interpreters already running, pins, starts the
 * registration broker and returns; only `unload` ends enforcement.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "commands.h"
#include "loader.h"
#include "pyruntime.h"
#include "system.h"
#include "system_cover.h"
#include "system_args.h"
#include "system_policy.h"
#include "util.h"

#define MAX_POLICY_FILES 16

static void load_usage(FILE *f)
{
	fprintf(f,
		"Usage: secimport-bpf load [--policy FILE]... [OPTIONS]\n"
		"\n"
		"Enforce system-wide: every process of the covered interpreters, including\n"
		"those running now, is confined by the policy, and processes may add\n"
		"confinement for themselves with secure_import(). Enforcement stays after\n"
		"this command returns (and if any process of ours is killed) until\n"
		"'secimport-bpf unload'.\n"
		"\n"
		"Options:\n"
		"  -p, --policy FILE      system-wide policy (repeatable; default: none, only\n"
		"                         what processes register)\n"
		"      --python PATH      an interpreter to cover (repeatable; default: every\n"
		"                         python3.N in /usr/bin and /usr/local/bin it can)\n"
		"  -e, --engine ENGINE    auto (default) or stackwalk\n"
		"      --fallback kill    where deny cannot refuse (no BPF LSM), kill instead\n"
		"      --no-adopt         do not cover interpreters already running\n"
		"      --no-broker        start no registration broker ('secimport-bpf broker'\n"
		"                         or 'agent' serves them)\n"
		"      --pin-dir DIR      bpffs directory (default %s, or $SECIMPORT_PIN_DIR)\n"
		"      --socket PATH      registration socket (default %s)\n"
		"  -v, --verbose          say what is resolved, attached and why\n"
		"  -h, --help             this help\n",
		SYSTEM_PIN_DIR, SYSTEM_SOCKET);
}

struct load_opts {
	char *policies[MAX_POLICY_FILES], *pythons[SECIMPORT_MAX_INTERPS];
	size_t nr_policies, nr_pythons;
	const char *engine, *fallback, *dir, *socket;
	bool no_adopt, no_broker;
};

static int parse_load_args(int argc, char **argv, struct load_opts *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "python", required_argument, NULL, 'P' },
		{ "engine", required_argument, NULL, 'e' },
		{ "fallback", required_argument, NULL, 'F' },
		{ "no-adopt", no_argument, NULL, 'A' },
		{ "no-broker", no_argument, NULL, 'B' },
		{ "pin-dir", required_argument, NULL, 'D' },
		{ "socket", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->engine = "auto";
	o->dir = system_default_dir();
	o->socket = SYSTEM_SOCKET;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:e:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (o->nr_policies == MAX_POLICY_FILES) {
				p_err("at most %d policy files", MAX_POLICY_FILES);
				return -1;
			}
			o->policies[o->nr_policies++] = optarg;
			break;
		case 'P':
			if (o->nr_pythons == SECIMPORT_MAX_INTERPS) {
				p_err("at most %d interpreters", SECIMPORT_MAX_INTERPS);
				return -1;
			}
			o->pythons[o->nr_pythons++] = optarg;
			break;
		case 'e':
			o->engine = optarg;
			break;
		case 'F':
			o->fallback = optarg;
			break;
		case 'A':
			o->no_adopt = true;
			break;
		case 'B':
			o->no_broker = true;
			break;
		case 'D':
			o->dir = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			load_usage(stdout);
			exit(EXIT_OK);
		default:
			load_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		p_err("load takes no arguments ('%s'); policies go with --policy", argv[optind]);
		return -1;
	}
	if (!strcmp(o->engine, "usdt")) {
		p_err("load covers every process of an interpreter, and the usdt engine would "
		      "slow each of them down ~90x per Python call; a loaded system uses the "
		      "stackwalk engine (use 'run --engine usdt' for one program)");
		return -1;
	}
	if (strcmp(o->engine, "auto") && strcmp(o->engine, "stackwalk")) {
		p_err("unknown engine '%s': load uses auto or stackwalk", o->engine);
		return -1;
	}
	if (o->fallback && strcmp(o->fallback, "kill")) {
		p_err("unknown fallback '%s': the only fallback for deny is kill", o->fallback);
		return -1;
	}
	if (o->dir[0] != '/' || o->socket[0] != '/') {
		p_err("--pin-dir and --socket take absolute paths");
		return -1;
	}
	return 0;
}

/* Cover the interpreters already running: their threads get verdict state. */
static int adopt_running(struct loader *l, const struct system_interp *ips, size_t nr)
{
	__u32 tgids[4096];
	struct secimport_adopt a[4096];
	struct stat exe_st[SECIMPORT_MAX_INTERPS], elf_st[SECIMPORT_MAX_INTERPS];
	size_t n = 0, missed = 0;
	char err[512];
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < nr; i++)
		if (stat(ips[i].launch.interpreter, &exe_st[i]) || stat(ips[i].elf, &elf_st[i]))
			return -1;
	if (!(d = opendir("/proc")))
		return -1;
	while ((de = readdir(d)) && n < sizeof(tgids) / sizeof(tgids[0])) {
		pid_t pid = atoi(de->d_name);
		char exe[64];
		struct stat st;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
		if (stat(exe, &st))
			continue;
		for (size_t i = 0; i < nr; i++) {
			if (st.st_dev != exe_st[i].st_dev || st.st_ino != exe_st[i].st_ino)
				continue;
			if (runtime_in_process(pid, ips[i].elf, &ips[i].walk, elf_st[i].st_ino,
					       &a[n].py_runtime)) {
				missed++;
				break;
			}
			a[n].py_interp = i;
			tgids[n++] = pid;
			break;
		}
	}
	closedir(d);
	if (missed)
		p_warn("%zu running interpreter process(es) could not be read and stay uncovered",
		       missed);
	if (!n)
		return 0;
	if (loader_adopt(l, tgids, a, n, err, sizeof(err))) {
		p_err("%s", err);
		return -1;
	}
	p_info("covering %zu interpreter process(es) already running", n);
	return 0;
}

static int start_broker(const char *dir, int lfd, pid_t *pid)
{
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		struct system s;
		char err[512];
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		setsid();
		for (int fd = 0; fd < 3; fd++)
			dup2(null, fd);
		/*
		 * Keep the socket, drop the rest: the loader's link and program
		 * fds would keep the hooks attached after 'unload' unpins them.
		 */
		if (dup2(lfd, 3) < 0 || close_range(4, ~0U, 0))
			_exit(EXIT_FAIL);
		lfd = 3;
		if (system_open(&s, dir, err, sizeof(err)))
			_exit(EXIT_FAIL);
		_exit(broker_serve(&s, lfd, false));
	}
	return 0;
}

static int load(const struct load_opts *o)
{
	struct loader_opts lopts = { .table = syscall_table_native(), .system = true };
	struct system_interp *ips = NULL;
	struct resolved_module *resolved[SECIMPORT_MAX_INTERPS];
	struct loader_status st;
	struct loader *l = NULL;
	struct policy policy = {};
	struct system sys = {};
	char err[PATH_MAX + 1024], tmp[PATH_MAX];
	struct stat elf_st;
	size_t nr = 0;
	int status = EXIT_USAGE, lfd = -1;
	bool pinned = false;
	pid_t broker;

	if (geteuid() != 0) {
		p_err("load needs root to load BPF programs (CAP_BPF, CAP_PERFMON and "
		      "CAP_SYS_ADMIN); try sudo");
		return EXIT_USAGE;
	}
	if (system_is_loaded(o->dir)) {
		if (system_open(&sys, o->dir, err, sizeof(err)) == 0) {
			p_err(
			    "a secimport-bpf system is already loaded at %s (version %s); change "
			    "its policy with 'secimport-bpf policy apply FILE', or 'secimport-bpf "
			    "unload' first",
			    o->dir, sys.sysinfo.version);
			system_close(&sys);
		} else {
			p_err("%s", err);
		}
		return EXIT_USAGE;
	}
	if (system_policy_parse(o->policies, o->nr_policies, &policy))
		return EXIT_USAGE;
	if (policy.cgroup) {
		p_err("%s is the policy of cgroup %s: load takes node-wide policies; apply it with "
		      "'secimport-bpf policy apply' once loaded",
		      policy.source, policy.cgroup);
		policy_free(&policy);
		return EXIT_USAGE;
	}
	if ((status = system_interps_find(o->pythons, o->nr_pythons, &ips, &nr)) ||
	    (status = system_interps_resolve(ips, nr, &policy)))
		goto out;
	status = EXIT_USAGE;
	lopts.deny = policy_uses_action(&policy, SECIMPORT_ACT_DENY);
	if (system_mount_bpffs(o->dir, err, sizeof(err)))
		goto fail_msg;
	if (loader_open(&l, &lopts, &st, err, sizeof(err)))
		goto fail_msg;
	if (lopts.deny && !st.lsm_live) {
		if (!o->fallback) {
			p_err("the policy asks for deny, which needs BPF LSM: %s; pass --fallback "
			      "kill to kill where a refusal is not possible",
			      st.lsm_why);
			goto out;
		}
		p_warn("BPF LSM is not usable (%s): deny kills instead%s", st.lsm_why,
		       st.cgroup_live ? ", except inet socket(), refused through cgroup hooks"
				      : "");
	}
	if (policy_uses_write_paths(&policy) && !st.lsm_live) {
		p_err("the policy limits file writes to write_paths, which needs BPF LSM: %s; "
		      "use allow_file_write: false instead",
		      st.lsm_why);
		goto out;
	}
	if (!st.lsm_live)
		p_warn("BPF LSM is not usable (%s): writing Python code files (.py, .pyc, .pth, "
		       ".so) by a module that may not run programs is not judged",
		       st.lsm_why);
	if (loader_attach_system(l, &st, err, sizeof(err)))
		goto fail_msg;
	if (!loader_guard_live(l))
		p_warn("this kernel has neither cgroup connect_unix (Linux 6.7+) nor usable BPF "
		       "LSM, so nothing can tell the broker whether confined code is asking: "
		       "secure_import() registrations will be refused; the system policy is "
		       "enforced");
	/* The system's description, where every later command finds it. */
	memset(&sys, 0, sizeof(sys));
	sys.info = loader_map_fd(l, "system_info");
	sys.names = loader_map_fd(l, "module_names");
	sys.policies = loader_map_fd(l, "policies");
	sys.locations = loader_map_fd(l, "locations");
	sys.sets = loader_map_fd(l, "sets");
	sys.write_dirs = loader_map_fd(l, "write_dirs");
	sys.config = loader_map_fd(l, "system_config");
	snprintf(sys.sysinfo.version, sizeof(sys.sysinfo.version), "%s", SECIMPORT_VERSION);
	sys.sysinfo.abi = SECIMPORT_ABI_VERSION;
	sys.sysinfo.flags = (st.lsm_live ? SECIMPORT_SYS_LSM : 0) |
			    (st.cgroup_live ? SECIMPORT_SYS_CGROUP : 0) |
			    (o->fallback ? SECIMPORT_SYS_FALLBACK_KILL : 0) |
			    (loader_guard_live(l) ? SECIMPORT_SYS_GUARD : 0);
	sys.sysinfo.loaded_at = time(NULL);
	snprintf(sys.sysinfo.socket, sizeof(sys.sysinfo.socket), "%s", o->socket);
	sys.sysinfo.nr_interps = nr;
	for (size_t i = 0; i < nr; i++) {
		__u32 id;

		if (snprintf(sys.sysinfo.interps[i], sizeof(sys.sysinfo.interps[i]), "%s",
			     ips[i].launch.interpreter) >= (int)sizeof(sys.sysinfo.interps[i])) {
			snprintf(err, sizeof(err), "interpreter path too long (at most %zu bytes)",
				 sizeof(sys.sysinfo.interps[i]) - 1);
			goto fail_msg;
		}
		resolved[i] = ips[i].resolved;
		if (stat(ips[i].elf, &elf_st) == 0) {
			sys.sysinfo.elf_ids[i].dev = elf_st.st_dev;
			sys.sysinfo.elf_ids[i].ino = elf_st.st_ino;
		}
		if (loader_add_stackwalk(l, ips[i].elf, &ips[i].walk, &id, err, sizeof(err)) ||
		    loader_add_interpreter(l, ips[i].launch.interpreter, err, sizeof(err)))
			goto fail_msg;
	}
	if (system_write_slot(&sys, SECIMPORT_SET_SYSTEM_A, 0, &policy, resolved, nr, err,
			      sizeof(err)) ||
	    system_config_set(&sys, SECIMPORT_CFG_SYSTEM_SET, SECIMPORT_SET_SYSTEM_A) ||
	    system_config_set(&sys, SECIMPORT_CFG_GEN, 1) || system_info_write(&sys)) {
		if (!err[0])
			snprintf(err, sizeof(err), "failed to write the system's maps");
		goto fail_msg;
	}
	if (!o->no_adopt && adopt_running(l, ips, nr)) {
		snprintf(err, sizeof(err), "failed to cover the interpreters already running");
		goto fail_msg;
	}
	/* Pinned aside, then moved in place: a system is there whole or not at all. */
	if (snprintf(tmp, sizeof(tmp), "%s-loading-%d", o->dir, getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, sizeof(err), "pin directory path too long");
		goto fail_msg;
	}
	if (mkdir(tmp, 0700)) {
		snprintf(err, sizeof(err), "cannot create %s: %s", tmp, strerror(errno));
		goto fail_msg;
	}
	pinned = true;
	if (loader_pin(l, tmp, err, sizeof(err)))
		goto fail_msg;
	if (!o->no_broker && (lfd = broker_listen(o->socket, err, sizeof(err))) < 0)
		goto fail_msg;
	if (rename(tmp, o->dir)) {
		snprintf(err, sizeof(err), "cannot move %s to %s: %s", tmp, o->dir,
			 strerror(errno));
		goto fail_msg;
	}
	pinned = false;
	if (o->no_broker) {
		/* whoever serves registrations says so in system_info */
	} else if (start_broker(o->dir, lfd, &broker)) {
		p_warn("could not start the registration broker (%s): secure_import() fails "
		       "until 'secimport-bpf broker --daemon' runs",
		       strerror(errno));
	} else {
		sys.sysinfo.broker_pid = broker;
		system_info_write(&sys);
	}
	printf("secimport-bpf: loaded at %s: %zu module(s)%s, %zu interpreter(s), hooks: "
	       "sys_enter, fork/exec/exit%s%s; registration socket %s\n",
	       o->dir, policy.nr_modules, policy.has_process_default ? " + process_default" : "",
	       nr, st.lsm_live ? ", BPF LSM" : "", st.cgroup_live ? ", cgroup sockets" : "",
	       o->socket);
	status = EXIT_OK;
	goto out;
fail_msg:
	p_err("%s", err);
out:
	if (pinned)
		system_unpin(tmp, err, sizeof(err));
	if (lfd >= 0)
		close(lfd);
	if (status != EXIT_OK && lfd >= 0)
		unlink(o->socket);
	loader_destroy(l); /* what is pinned stays */
	system_interps_free(ips, nr, &policy);
	policy_free(&policy);
	return status;
}

int cmd_load(int argc, char **argv)
{
	struct load_opts o;

	if (parse_load_args(argc, argv, &o))
		return EXIT_USAGE;
	return load(&o);
}

/*
 * SIGTERM the broker @pid and wait for it to go (then SIGKILL), so that when
 * unload returns no secure_import() is served from the old maps. Signalled
 * through a pidfd opened before the check that it is ours: a pid reused in
 * between is never signalled.
 */
static void stop_broker(pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (pidfd < 0 || !process_alive_as(pid, "secimport-bpf")) {
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
	if (poll(&pfd, 1, 5000) == 0) {
		p_warn("the broker (pid %d) did not stop in 5 s; killing it", (int)pid);
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		poll(&pfd, 1, 5000);
	}
	close(pidfd);
}

int cmd_unload(int argc, char **argv)
{
	static const char usage[] =
	    "Usage: secimport-bpf unload [--pin-dir DIR]\n\nEnd the enforcement 'load' started: "
	    "stop the broker and remove every pinned program, map and link.\n";
	struct system_args args;
	struct system s;
	const char *dir;
	char err[512];

	if (system_args_parse(argc, argv, usage, 0, &args))
		return EXIT_USAGE;
	dir = args.dir;
	if (geteuid() != 0) {
		p_err("unload needs root; try sudo");
		return EXIT_USAGE;
	}
	if (!system_is_loaded(dir) && access(dir, F_OK)) {
		p_err("nothing is loaded at %s", dir);
		return EXIT_OK;
	}
	/* Any version's pins can go; the broker is stopped if we can read its pid. */
	if (system_open(&s, dir, err, sizeof(err)) == 0) {
		pid_t pid = s.sysinfo.broker_pid;

		/* the agent serves registrations itself, and unloads on its way out */
		if (pid > 0 && pid != getpid())
			stop_broker(pid);
		s.sysinfo.socket[sizeof(s.sysinfo.socket) - 1] = 0;
		if (s.sysinfo.socket[0])
			unlink(s.sysinfo.socket);
		system_close(&s);
	} else {
		p_info("%s", err);
	}
	if (system_unpin(dir, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_FAIL;
	}
	printf("secimport-bpf: unloaded %s\n", dir);
	return EXIT_OK;
}

int cmd_broker(int argc, char **argv)
{
	static const char usage[] =
	    "Usage: secimport-bpf broker [--pin-dir DIR] [--daemon]\n\n"
	    "Serve secure_import() registrations for the loaded system ('load' starts one;\n"
	    "this restarts it). In the foreground, each registration is logged to stderr.\n";
	struct system_args args;
	struct system s;
	const char *dir;
	char err[512];
	pid_t pid;
	int lfd, status;

	if (system_args_parse(argc, argv, usage, SYSARG_DAEMON, &args))
		return EXIT_USAGE;
	dir = args.dir;
	if (geteuid() != 0) {
		p_err("broker needs root to write the system's maps; try sudo");
		return EXIT_USAGE;
	}
	if (system_open(&s, dir, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	s.sysinfo.socket[sizeof(s.sysinfo.socket) - 1] = 0;
	if (s.sysinfo.broker_pid > 0 && process_alive_as(s.sysinfo.broker_pid, "secimport-bpf") &&
	    (pid_t)s.sysinfo.broker_pid != getpid()) {
		p_err("the broker already runs (pid %u)", s.sysinfo.broker_pid);
		system_close(&s);
		return EXIT_USAGE;
	}
	lfd = broker_listen(s.sysinfo.socket, err, sizeof(err));
	if (lfd < 0) {
		p_err("%s", err);
		system_close(&s);
		return EXIT_FAIL;
	}
	if (args.daemon) {
		system_close(&s);
		if (start_broker(dir, lfd, &pid)) {
			p_err("fork: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if (system_open(&s, dir, err, sizeof(err)) == 0) {
			s.sysinfo.broker_pid = pid;
			system_info_write(&s);
			system_close(&s);
		}
		close(lfd);
		return EXIT_OK;
	}
	s.sysinfo.broker_pid = getpid();
	system_info_write(&s);
	status = broker_serve(&s, lfd, true);
	close(lfd);
	system_close(&s);
	return status;
}

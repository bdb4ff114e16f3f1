// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * secimport-bpf run: start a program confined from its first Python
 * instruction. The child waits until the hooks are in place and its verdict
 * state exists; the exec of the interpreter then stops it (in BPF) until
 * the attribution engine is attached to it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "engine.h"
#include "events.h"
#include "interp.h"
#include "loader.h"
#include "policy.h"
#include "privs.h"
#include "resolve.h"
#include "util.h"

#define RUN_SET 1

struct run_ctx {
	struct loader *loader;
	struct event_printer printer;
	const char *interpreter;
	bool line_probe;
	pid_t root;
};

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
		"  -v, --verbose          say what is resolved, attached and why\n"
		"  -h, --help             this help\n");
}

static int sys_pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_send_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static void engine_attach(struct run_ctx *ctx, pid_t pid)
{
	char err[512];
	int pidfd = sys_pidfd_open(pid);

	if (pidfd < 0)
		return; /* gone already */
	if (loader_attach_engine(ctx->loader, pid, pidfd, ctx->interpreter, ctx->line_probe, err,
				 sizeof(err))) {
		/* Unattributed Python must not run: fail closed. */
		p_err("%s; killing process %d", err, pid);
		sys_pidfd_send_signal(pidfd, SIGKILL);
	} else {
		p_info("engine attached to process %d", pid);
	}
	sys_pidfd_send_signal(pidfd, SIGCONT);
	close(pidfd);
}

static int on_event(void *data, void *raw, size_t len)
{
	struct run_ctx *ctx = data;
	const struct secimport_event *e = raw;

	if (len < sizeof(*e))
		return 0;
	switch (e->type) {
	case SECIMPORT_EV_VIOLATION:
		event_print(&ctx->printer, e);
		break;
	case SECIMPORT_EV_ATTACH:
		engine_attach(ctx, e->pid);
		break;
	case SECIMPORT_EV_EXIT:
		loader_detach_engine(ctx->loader, e->pid);
		break;
	}
	return 0;
}

/* Children of ours: the program's orphans come to us (we are a subreaper). */
static size_t kill_children(void)
{
	pid_t self = getpid();
	size_t killed = 0;

	for (int round = 0; round < 100; round++) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		size_t found = 0;

		if (!d)
			break;
		while ((de = readdir(d))) {
			char path[64], line[256];
			pid_t pid = atoi(de->d_name), ppid = 0;
			FILE *f;

			if (pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/status", pid);
			if (!(f = fopen(path, "re")))
				continue;
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "PPid: %d", &ppid) == 1)
					break;
			fclose(f);
			if (ppid != self)
				continue;
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			found++;
		}
		closedir(d);
		killed += found;
		if (!found)
			break;
	}
	return killed;
}

/*
 * Releasing the probes takes an RCU grace period each (~100 ms here). The
 * program is over and its processes are gone, so let a detached child do
 * it and return the status now. If fork fails, release here.
 */
static void release_in_background(struct loader *l)
{
	pid_t pid = fork();

	if (pid != 0) {
		if (pid < 0)
			loader_destroy(l);
		return; /* our copy of the fds closes at exit, the child's last */
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* Hold no one's pipes: callers wait for EOF on them. */
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	setsid();
	loader_destroy(l);
	_exit(0);
}

static int exit_status(const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED)
		return si->si_status;
	return 128 + si->si_status;
}

/* Forward signals, feed events, and wait for the program to end. */
static int supervise(struct run_ctx *ctx, int pidfd, int sigfd)
{
	struct ring_buffer *rb = loader_events(ctx->loader, on_event, ctx);
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), status = EXIT_FAIL;
	siginfo_t si = {};

	if (!rb || ep < 0) {
		p_err("failed to set up the event stream: %s", strerror(errno));
		kill(ctx->root, SIGKILL);
		goto out;
	}
	ev.data.fd = ring_buffer__epoll_fd(rb);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = pidfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev);
	ev.data.fd = sigfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sigfd, &ev);

	for (;;) {
		int n = epoll_wait(ep, evs, 4, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			p_err("epoll: %s", strerror(errno));
			kill(ctx->root, SIGKILL);
		}
		ring_buffer__consume(rb);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == sigfd) {
				struct signalfd_siginfo ssi;

				if (read(sigfd, &ssi, sizeof(ssi)) == sizeof(ssi))
					kill(ctx->root, ssi.ssi_signo);
			}
		}
		if (waitid(P_PID, ctx->root, &si, WEXITED | WNOHANG) == 0 && si.si_pid == ctx->root)
			break;
	}
	ring_buffer__consume(rb);
	status = exit_status(&si);
out:
	ring_buffer__free(rb);
	if (ep >= 0)
		close(ep);
	return status;
}

/* What to do about a missing BPF LSM, depending on why it is missing. */
static const char *lsm_advice(const struct loader_status *st)
{
	if (strstr(st->lsm_why, "not among"))
		return "Boot with bpf in the kernel's lsm= list (e.g. "
		       "lsm=lockdown,capability,landlock,yama,bpf)";
	return "This kernel lists BPF LSM but refuses its programs (some hardened or "
	       "virtualized kernels do); use a kernel that allows them";
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
	struct policy policy = {};
	struct policy_diag diag;
	struct launch launch = {};
	struct resolved_module *resolved = NULL;
	struct interp_info info;
	struct run_ctx ctx = {};
	struct run_opts o;
	struct run_as as;
	struct engine_choice engine;
	struct loader_opts lopts = {};
	struct loader_status lstatus;
	__u32 interp_id, track_flags = 0;
	char err[1024];
	int status = EXIT_USAGE, go[2] = { -1, -1 }, execerr[2] = { -1, -1 }, pidfd = -1,
	    sigfd = -1;
	FILE *log = stderr;
	sigset_t forward, old;
	pid_t child;

	if (parse_run_args(argc, argv, &o))
		return EXIT_USAGE;
	char **prog = argv + optind;

	if (policy_parse_file(&policy, o.policy, syscall_table_native(), &diag)) {
		fprintf(stderr, "%s\n", diag.msg);
		return EXIT_USAGE;
	}
	if (o.action)
		policy_override_action(&policy, policy_action_parse(o.action));
	if (run_as_resolve(&as, o.user, err, sizeof(err)) ||
	    launch_from_argv(&launch, prog, o.python, err, sizeof(err))) {
		p_err("%s", err);
		goto out;
	}
	resolved = calloc(policy.nr_modules + 1, sizeof(*resolved));
	if (!resolved || resolve_policy(&policy, &launch, &as, resolved, &info, &diag)) {
		fprintf(stderr, "%s\n", resolved ? diag.msg : "secimport-bpf: out of memory");
		goto out;
	}
	if (engine_choose(o.engine, &launch, &info, &engine))
		goto out;
	ctx.line_probe = engine.line_probe;
	for (size_t i = 0; i < policy.nr_modules; i++)
		for (size_t k = 0; k < resolved[i].nr_locs; k++)
			p_info("module %s (%s): %s%s", policy.modules[i].name, resolved[i].kind,
			       resolved[i].locs[k].path, resolved[i].locs[k].prefix ? "*" : "");
	if (geteuid() != 0) {
		p_err("run needs root to load BPF programs (CAP_BPF, CAP_PERFMON and "
		      "CAP_SYS_ADMIN); try sudo");
		goto out;
	}
	if (as.drop)
		p_info("running the program as uid %u gid %u, with no_new_privs", as.uid, as.gid);
	else
		p_warn("the program runs as root, and code running as root can remove any BPF "
		       "sandbox; use --user NAME (or start run with sudo) to run it unprivileged");
	if (o.log && !(log = fopen(o.log, "ae"))) {
		p_err("cannot open log file '%s': %s", o.log, strerror(errno));
		goto out;
	}
	lopts.table = policy.table;
	lopts.deny = policy_uses_action(&policy, SECIMPORT_ACT_DENY);
	if (loader_open(&ctx.loader, &lopts, &lstatus, err, sizeof(err))) {
		p_err("%s", err);
		goto out;
	}
	if (lopts.deny && !lstatus.lsm_live) {
		if (!o.fallback) {
			p_err("the policy asks for deny, which needs BPF LSM: %s. %s, or pass "
			      "--fallback kill to kill where a refusal is not possible",
			      lstatus.lsm_why, lsm_advice(&lstatus));
			goto out;
		}
		p_warn("BPF LSM is not usable (%s): deny kills instead%s", lstatus.lsm_why,
		       lstatus.cgroup_live ? ", except socket() of inet sockets, refused "
					     "through cgroup socket hooks"
					   : "");
	}
	p_info("hooks live: sys_enter, sched_process_fork/exec/exit%s%s",
	       lstatus.lsm_live ? ", BPF LSM (exec, task_alloc, file_open, ptrace, sockets)" : "",
	       lstatus.cgroup_live ? ", cgroup sock_create/connect/sendmsg/bind" : "");
	if (loader_set_policy(ctx.loader, RUN_SET, &policy, resolved, err, sizeof(err))) {
		p_err("%s", err);
		goto out;
	}
	if (engine.kind == ENGINE_STACKWALK) {
		track_flags = SECIMPORT_TS_STACKWALK;
		if (loader_add_stackwalk(ctx.loader, engine.elf, &engine.interp, &interp_id, err,
					 sizeof(err))) {
			p_err("%s", err);
			goto out;
		}
	} else if (loader_add_interpreter(ctx.loader, launch.interpreter, err, sizeof(err))) {
		p_err("%s", err);
		goto out;
	}
	ctx.interpreter = launch.interpreter;
	event_printer_init(&ctx.printer, log, o.json, &policy);

	/* Signals for the program go to it; we only pass them on. */
	sigemptyset(&forward);
	for (int s = 0, sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 }; s < 6; s++)
		sigaddset(&forward, sigs[s]);
	sigprocmask(SIG_BLOCK, &forward, &old);
	sigfd = signalfd(-1, &forward, SFD_CLOEXEC);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (sigfd < 0 || pipe2(go, O_CLOEXEC) || pipe2(execerr, O_CLOEXEC)) {
		p_err("failed to set up: %s", strerror(errno));
		status = EXIT_FAIL;
		goto out;
	}
	child = fork();
	if (child < 0) {
		p_err("fork: %s", strerror(errno));
		status = EXIT_FAIL;
		goto out;
	}
	if (child == 0) {
		char byte;
		int e;

		sigprocmask(SIG_SETMASK, &old, NULL);
		close(go[1]);
		close(execerr[0]);
		/* Nothing runs until the parent says the hooks are in place. */
		if (read(go[0], &byte, 1) != 1)
			_exit(127);
		if (run_as_apply(&as) == 0)
			execvp(prog[0], prog);
		e = errno;
		if (write(execerr[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(execerr[1]);
	ctx.root = child;
	pidfd = sys_pidfd_open(child);
	__u64 inherited = policy.has_process_default ? 1ULL << SECIMPORT_DEFAULT_MODULE : 0;

	if (pidfd < 0 ||
	    loader_track(ctx.loader, pidfd, RUN_SET, inherited, track_flags, err, sizeof(err))) {
		p_err("%s", pidfd < 0 ? strerror(errno) : err);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		status = EXIT_FAIL;
		goto out;
	}
	if (write(go[1], "g", 1) != 1) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		status = EXIT_FAIL;
		goto out;
	}
	close(go[1]);
	go[1] = -1;
	int exec_errno;

	if (read(execerr[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
		p_err("failed to run '%s': %s", prog[0], strerror(exec_errno));
		waitpid(child, NULL, 0);
		status = 127;
		goto out;
	}
	status = supervise(&ctx, pidfd, sigfd);
	size_t left = kill_children();

	if (left)
		p_warn("killed %zu process(es) the program left running: confinement ends with "
		       "'run'",
		       left);
	p_info("violations: %llu killed, %llu logged; events dropped: %llu; stack resyncs: %llu",
	       (unsigned long long)loader_counter(ctx.loader, SECIMPORT_CNT_KILLED),
	       (unsigned long long)loader_counter(ctx.loader, SECIMPORT_CNT_LOGGED),
	       (unsigned long long)loader_counter(ctx.loader, SECIMPORT_CNT_EVENTS_DROPPED),
	       (unsigned long long)loader_counter(ctx.loader, SECIMPORT_CNT_RESYNC));
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (execerr[i] >= 0)
			close(execerr[i]);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (sigfd >= 0)
		close(sigfd);
	if (log && log != stderr)
		fclose(log);
	if (ctx.loader && ctx.root > 0)
		release_in_background(ctx.loader);
	else
		loader_destroy(ctx.loader);
	if (resolved)
		resolved_free(resolved, policy.nr_modules);
	free(resolved);
	launch_free(&launch);
	policy_free(&policy);
	return status;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "session.h"
#include "util.h"

static int sys_pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_send_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static void engine_attach(struct session *ctx, pid_t pid)
{
	char err[512];
	int pidfd = sys_pidfd_open(pid);

	if (pidfd < 0)
		return; /* gone already */
	if (loader_attach_engine(ctx->loader, pid, pidfd, ctx->launch.interpreter,
				 ctx->engine.line_probe, err, sizeof(err))) {
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
	struct session *ctx = data;
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

static __u64 session_counter(void *loader, unsigned int which)
{
	return loader_counter(loader, which);
}

static int exit_status(const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED)
		return si->si_status;
	return 128 + si->si_status;
}

/* Forward signals, feed events, and wait for the program to end. */
static int supervise(struct session *ctx, int pidfd, int sigfd)
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

/*
 * Does a module (or the process-wide default) refuse opening files for
 * writing, anywhere or outside its write_paths?
 */
static bool policy_refuses_file_write(const struct policy *p)
{
	if (policy_uses_write_paths(p))
		return true;
	if (p->has_process_default &&
	    !policy_allows(p->process_default.allow, SECIMPORT_NR_FILE_WRITE))
		return true;
	for (size_t i = 0; i < p->nr_modules; i++)
		if (!policy_allows(p->modules[i].allow, SECIMPORT_NR_FILE_WRITE))
			return true;
	return false;
}

int session_prepare(struct session *s, struct policy *p, const struct session_opts *o)
{
	struct loader_opts lopts = { .table = p->table };
	struct policy_diag diag;
	__u32 interp_id, nr = p->nr_modules;
	char err[1024];

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->policy = p;
	if (run_as_resolve(&s->as, o->user, err, sizeof(err)) ||
	    launch_from_argv(&s->launch, o->prog, o->python, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	s->resolved = calloc(nr + 1, sizeof(*s->resolved));
	if (!s->resolved) {
		p_err("out of memory");
		return EXIT_FAIL;
	}
	if (resolve_policy(p, &s->launch, &s->as, s->resolved, &s->info, &diag)) {
		fprintf(stderr, "%s\n", diag.msg);
		return EXIT_USAGE;
	}
	if (engine_choose(o->engine, &s->launch, &s->info, &s->engine))
		return EXIT_USAGE;
	if (o->trace_files_max && s->engine.kind != ENGINE_STACKWALK) {
		p_err("recording every module needs the stackwalk engine, which cannot cover %s",
		      s->launch.interpreter);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < s->resolved[i].nr_locs; k++)
			p_info("module %s (%s): %s%s", p->modules[i].name, s->resolved[i].kind,
			       s->resolved[i].locs[k].path,
			       s->resolved[i].locs[k].prefix ? "*" : "");
	if (geteuid() != 0) {
		p_err("%s needs root to load BPF programs (CAP_BPF, CAP_PERFMON and "
		      "CAP_SYS_ADMIN); try sudo",
		      o->verb);
		return EXIT_USAGE;
	}
	if (s->as.drop)
		p_info("running the program as uid %u gid %u, with no_new_privs", s->as.uid,
		       s->as.gid);
	else
		p_warn("the program runs as root, and code running as root can remove any BPF "
		       "sandbox; use --user NAME (or start %s with sudo) to run it unprivileged",
		       o->verb);
	lopts.deny = policy_uses_action(p, SECIMPORT_ACT_DENY);
	lopts.trace = policy_uses_action(p, SECIMPORT_ACT_TRACE);
	lopts.code_write = policy_refuses_code_write(p);
	lopts.trace_files_max = o->trace_files_max;
	if (loader_open(&s->loader, &lopts, &s->lstatus, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	if (lopts.deny && !s->lstatus.lsm_live) {
		if (!o->fallback) {
			p_err("the policy asks for deny, which needs BPF LSM: %s. %s, or pass "
			      "--fallback kill to kill where a refusal is not possible",
			      s->lstatus.lsm_why, lsm_advice(&s->lstatus));
			return EXIT_USAGE;
		}
		p_warn("BPF LSM is not usable (%s): deny kills instead%s", s->lstatus.lsm_why,
		       s->lstatus.cgroup_live ? ", except socket() of inet sockets, refused "
						"through cgroup socket hooks"
					      : "");
	}
	if (policy_uses_write_paths(p) && !s->lstatus.lsm_live) {
		p_err("the policy limits file writes to write_paths, which needs BPF LSM (the "
		      "kernel's resolved names; a path seen at syscall entry can be changed "
		      "after the look): %s. %s, or use allow_file_write: false instead",
		      s->lstatus.lsm_why, lsm_advice(&s->lstatus));
		return EXIT_USAGE;
	}
	if (lopts.code_write && !s->lstatus.lsm_live)
		p_warn("BPF LSM is not usable (%s): writing Python code files (.py, .pyc, .pth, "
		       ".so; execution by proxy, part of allow_shell: false) is not judged; %s",
		       s->lstatus.lsm_why[0] ? s->lstatus.lsm_why : "not probed",
		       lsm_advice(&s->lstatus));
	/*
	 * The import system writes byte-code caches on behalf of whoever
	 * imports: for a module that may not write files, a first import of
	 * something uncached would be its write (killed). The program runs
	 * without writing caches instead, unless the user said otherwise. Not
	 * under trace, which refuses nothing: the traced run must do what the
	 * program does when it runs under the policy written.
	 */
	if (!lopts.trace && policy_refuses_file_write(p) && !getenv("PYTHONDONTWRITEBYTECODE")) {
		if (setenv("PYTHONDONTWRITEBYTECODE", "1", 1)) {
			p_err("setenv: %s", strerror(errno));
			return EXIT_USAGE;
		}
		p_info("a module may not write files: the program runs with "
		       "PYTHONDONTWRITEBYTECODE=1, so that the import system does not write "
		       "byte-code caches on its behalf (set PYTHONDONTWRITEBYTECODE yourself to "
		       "choose)");
	}
	p_info("hooks live: sys_enter, sched_process_fork/exec/exit%s%s",
	       s->lstatus.lsm_live
		   ? ", BPF LSM (exec, task_alloc, file_open, file changes, ptrace, sockets)"
		   : "",
	       s->lstatus.cgroup_live ? ", cgroup sock_create/connect/sendmsg/bind" : "");
	if (loader_set_policy(s->loader, SESSION_SET, p, s->resolved, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	/* The runtime probe serves the walker, and the usdt engine reading frames. */
	if ((s->engine.kind == ENGINE_STACKWALK || s->engine.pyframe) &&
	    loader_add_stackwalk(s->loader, s->engine.elf, &s->engine.interp, &interp_id, err,
				 sizeof(err))) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	if (s->engine.kind == ENGINE_USDT &&
	    loader_add_interpreter(s->loader, s->launch.interpreter, err, sizeof(err))) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	event_printer_init(&s->printer, o->log, o->json, p);
	return EXIT_OK;
}

int session_execute(struct session *s)
{
	char walks_failed[256];
	int status = EXIT_FAIL, go[2] = { -1, -1 }, execerr[2] = { -1, -1 }, pidfd = -1, sigfd = -1,
	    exec_errno;
	__u64 inherited = s->policy->has_process_default ? 1ULL << SECIMPORT_DEFAULT_MODULE : 0;
	__u32 flags = s->engine.kind == ENGINE_STACKWALK ? SECIMPORT_TS_STACKWALK : 0;
	char **prog = s->o->prog;
	sigset_t forward, old;
	char err[1024];
	pid_t child;

	if (s->engine.pyframe)
		flags |= SECIMPORT_TS_PYFRAME;
	/* Signals for the program go to it; we only pass them on. */
	sigemptyset(&forward);
	for (int i = 0, sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 }; i < 6; i++)
		sigaddset(&forward, sigs[i]);
	sigprocmask(SIG_BLOCK, &forward, &old);
	sigfd = signalfd(-1, &forward, SFD_CLOEXEC);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (sigfd < 0 || pipe2(go, O_CLOEXEC) || pipe2(execerr, O_CLOEXEC)) {
		p_err("failed to set up: %s", strerror(errno));
		goto out;
	}
	child = fork();
	if (child < 0) {
		p_err("fork: %s", strerror(errno));
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
		if (run_as_apply(&s->as) == 0)
			execvp(prog[0], prog);
		e = errno;
		if (write(execerr[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	go[0] = -1;
	close(execerr[1]);
	execerr[1] = -1;
	s->root = child;
	pidfd = sys_pidfd_open(child);
	if (pidfd < 0 ||
	    loader_track(s->loader, pidfd, SESSION_SET, inherited, flags, err, sizeof(err)) ||
	    write(go[1], "g", 1) != 1) {
		p_err("failed to start the program: %s", pidfd < 0 ? strerror(errno) : err);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		goto out;
	}
	close(go[1]);
	go[1] = -1;
	if (read(execerr[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
		p_err("failed to run '%s': %s", prog[0], strerror(exec_errno));
		waitpid(child, NULL, 0);
		status = 127;
		goto out;
	}
	status = supervise(s, pidfd, sigfd);
	size_t left = kill_children();

	if (left)
		p_warn("killed %zu process(es) the program left running: confinement ends with "
		       "'%s'",
		       left, s->o->verb);
	walk_failures_format(walks_failed, sizeof(walks_failed), session_counter, s->loader);
	p_info("violations: %llu killed, %llu denied, %llu logged; events dropped: %llu; stack "
	       "resyncs: %llu; returns kept: %llu; "
	       "walks: %llu (%s)",
	       (unsigned long long)loader_counter(s->loader, SECIMPORT_CNT_KILLED),
	       (unsigned long long)loader_counter(s->loader, SECIMPORT_CNT_DENIED),
	       (unsigned long long)loader_counter(s->loader, SECIMPORT_CNT_LOGGED),
	       (unsigned long long)loader_counter(s->loader, SECIMPORT_CNT_EVENTS_DROPPED),
	       (unsigned long long)loader_counter(s->loader, SECIMPORT_CNT_RESYNC),
	       (unsigned long long)loader_counter(s->loader, SECIMPORT_CNT_RETURN_MISMATCH),
	       (unsigned long long)loader_counter(s->loader, SECIMPORT_CNT_WALKS), walks_failed);
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
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

void session_finish(struct session *s)
{
	if (s->loader && s->root > 0 && !s->o->release_now)
		release_in_background(s->loader);
	else
		loader_destroy(s->loader);
	s->loader = NULL;
	if (s->resolved && s->policy)
		resolved_free(s->resolved, s->policy->nr_modules);
	free(s->resolved);
	s->resolved = NULL;
	interp_info_free(&s->info);
	launch_free(&s->launch);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * secimport-bpf agent: what a DaemonSet (or a service manager) runs on each
 * node. It loads the system, or takes over the one already loaded; applies
 * the policies of a directory (a ConfigMap volume) and applies them again,
 * atomically, whenever the directory changes; serves secure_import()
 * registrations; and streams violation records as JSON lines on stdout, for
 * any log collector. On SIGTERM it leaves enforcement in place (default) or
 * unloads it (--on-exit unload).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "broker.h"
#include "commands.h"
#include "events.h"
#include "system.h"
#include "system_cover.h"
#include "util.h"

#define MAX_FILES 64
#define MAX_SCOPES 32
/* A ConfigMap update swaps a symlink in several steps: act once it settles. */
#define SETTLE_MS 300
/* How often to look for interpreters nobody pointed the system at (containers'). */
#define SCAN_MS 2000

struct agent_opts {
	const char *policy_dir, *dir, *socket, *fallback;
	char *pythons[SECIMPORT_MAX_INTERPS];
	size_t nr_pythons;
	bool unload_on_exit;
};

/* The policy files of the directory, node-wide and per cgroup scope. */
struct policy_files {
	char *node[MAX_FILES];
	size_t nr_node;
	struct {
		char *cgroup;
		char *files[MAX_FILES];
		size_t nr;
	} scopes[MAX_SCOPES];
	size_t nr_scopes;
	unsigned long long fingerprint; /* of the names and contents */
};

static void agent_usage(FILE *f)
{
	fprintf(f,
		"Usage: secimport-bpf agent --policy-dir DIR [OPTIONS]\n"
		"\n"
		"Enforce on this node from the policies in DIR (*.yaml, *.yml; a policy with\n"
		"a `cgroup:` key applies to that cgroup only), applying them again whenever\n"
		"DIR changes; serve secure_import() registrations; print violation records\n"
		"as JSON lines on stdout. Messages go to stderr.\n"
		"\n"
		"Options:\n"
		"      --policy-dir DIR   the policies (e.g. a ConfigMap volume)\n"
		"      --python PATH      an interpreter to cover (repeatable; see 'load')\n"
		"      --fallback kill    where deny cannot refuse (no BPF LSM), kill instead\n"
		"      --on-exit WHAT     on SIGTERM: keep (default) enforcement, or unload it\n"
		"      --pin-dir DIR      bpffs directory (default %s, or $SECIMPORT_PIN_DIR)\n"
		"      --socket PATH      registration socket (default %s)\n"
		"  -v, --verbose          say more\n"
		"  -h, --help             this help\n",
		SYSTEM_PIN_DIR, SYSTEM_SOCKET);
}

static int parse_agent_args(int argc, char **argv, struct agent_opts *o)
{
	static const struct option longopts[] = {
		{ "policy-dir", required_argument, NULL, 'd' },
		{ "python", required_argument, NULL, 'P' },
		{ "fallback", required_argument, NULL, 'F' },
		{ "on-exit", required_argument, NULL, 'x' },
		{ "pin-dir", required_argument, NULL, 'D' },
		{ "socket", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->dir = system_default_dir();
	o->socket = SYSTEM_SOCKET;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->policy_dir = optarg;
			break;
		case 'P':
			if (o->nr_pythons == SECIMPORT_MAX_INTERPS) {
				p_err("at most %d interpreters", SECIMPORT_MAX_INTERPS);
				return -1;
			}
			o->pythons[o->nr_pythons++] = optarg;
			break;
		case 'F':
			o->fallback = optarg;
			break;
		case 'x':
			if (strcmp(optarg, "keep") && strcmp(optarg, "unload")) {
				p_err("--on-exit takes keep or unload, not '%s'", optarg);
				return -1;
			}
			o->unload_on_exit = !strcmp(optarg, "unload");
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
			agent_usage(stdout);
			exit(EXIT_OK);
		default:
			agent_usage(stderr);
			return -1;
		}
	}
	if (!o->policy_dir || optind != argc) {
		p_err("agent needs --policy-dir DIR and no other arguments");
		return -1;
	}
	return 0;
}

static void files_free(struct policy_files *pf)
{
	for (size_t i = 0; i < pf->nr_node; i++)
		free(pf->node[i]);
	for (size_t k = 0; k < pf->nr_scopes; k++) {
		free(pf->scopes[k].cgroup);
		for (size_t i = 0; i < pf->scopes[k].nr; i++)
			free(pf->scopes[k].files[i]);
	}
	memset(pf, 0, sizeof(*pf));
}

static bool policy_name(const char *name)
{
	size_t n = strlen(name);

	/* ConfigMap volumes keep their data in ..data and dated dirs: skip dot names. */
	return name[0] != '.' && ((n > 5 && !strcmp(name + n - 5, ".yaml")) ||
				  (n > 4 && !strcmp(name + n - 4, ".yml")));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fingerprint_add(unsigned long long *h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		*h = (*h ^ p[i]) * 1099511628211ULL; /* FNV-1a */
}

/* Read DIR: which files, of which scope, and a fingerprint of it all. */
static int files_scan(const char *dir, struct policy_files *pf)
{
	char *names[MAX_FILES * 2];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	memset(pf, 0, sizeof(*pf));
	pf->fingerprint = 14695981039346656037ULL;
	if (!d) {
		p_err("cannot read policy directory %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
		struct stat st;

		if (!policy_name(de->d_name) || asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			continue;
		/* A link to a key the update removed: not a policy any more. */
		if (stat(names[n], &st) || !S_ISREG(st.st_mode))
			free(names[n]);
		else
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct policy p;
		struct policy_diag diag;
		char buf[4096];
		size_t k, got;
		FILE *f = fopen(names[i], "re");

		fingerprint_add(&pf->fingerprint, names[i], strlen(names[i]) + 1);
		while (f && (got = fread(buf, 1, sizeof(buf), f)) > 0)
			fingerprint_add(&pf->fingerprint, buf, got);
		if (f)
			fclose(f);
		/* Its scope; a bad file is reported when it is applied. */
		if (policy_parse_file(&p, names[i], syscall_table_native(), &diag) || !p.cgroup) {
			if (pf->nr_node < MAX_FILES)
				pf->node[pf->nr_node++] = names[i];
			else
				free(names[i]);
			policy_free(&p); /* left empty when it did not parse */
			continue;
		}
		for (k = 0; k < pf->nr_scopes && strcmp(pf->scopes[k].cgroup, p.cgroup); k++)
			;
		if (k == pf->nr_scopes && k < MAX_SCOPES)
			pf->scopes[pf->nr_scopes++].cgroup = strdup(p.cgroup);
		if (k < MAX_SCOPES && pf->scopes[k].nr < MAX_FILES)
			pf->scopes[k].files[pf->scopes[k].nr++] = names[i];
		else
			free(names[i]);
		policy_free(&p);
	}
	return 0;
}

/* Run a subcommand of ours with its stdout on stderr: stdout is for records. */
static int run_quietly(int (*cmd)(int, char **), int argc, char **argv)
{
	int saved = dup(STDOUT_FILENO), status;

	fflush(stdout);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	status = cmd(argc, argv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	return status;
}

/* policy apply FILES (or --clear) [--cgroup CGROUP], for this system. */
static int apply(const struct agent_opts *o, char **files, size_t nr, const char *cgroup,
		 bool clear)
{
	char *argv[MAX_FILES + 8];
	int argc = 0;

	argv[argc++] = "apply";
	for (size_t i = 0; i < nr; i++)
		argv[argc++] = files[i];
	if (clear || !nr)
		argv[argc++] = "--clear";
	if (cgroup) {
		argv[argc++] = "--cgroup";
		argv[argc++] = (char *)cgroup;
	}
	argv[argc++] = "--pin-dir";
	argv[argc++] = (char *)o->dir;
	argv[argc] = NULL;
	return run_quietly(cmd_policy_apply, argc, argv);
}

/*
 * Make the system enforce what DIR says: the node-wide policy, each cgroup's,
 * and no policy for cgroups @before had and @now has not. A policy that does
 * not apply leaves the one in force as it was.
 */
static int converge(const struct agent_opts *o, const struct policy_files *before,
		    const struct policy_files *now)
{
	int failed = 0;

	if (apply(o, (char **)now->node, now->nr_node, NULL, false))
		failed++;
	for (size_t k = 0; k < now->nr_scopes; k++)
		if (apply(o, (char **)now->scopes[k].files, now->scopes[k].nr,
			  now->scopes[k].cgroup, false))
			failed++;
	for (size_t k = 0; before && k < before->nr_scopes; k++) {
		bool kept = false;

		for (size_t j = 0; j < now->nr_scopes && !kept; j++)
			kept = !strcmp(before->scopes[k].cgroup, now->scopes[j].cgroup);
		if (!kept && apply(o, NULL, 0, before->scopes[k].cgroup, true))
			failed++;
	}
	if (failed)
		p_err("agent: %d policy change(s) did not apply; what was in force stays", failed);
	else
		fprintf(stderr,
			"secimport-bpf agent: %s applied (%zu node-wide file(s), %zu "
			"cgroup scope(s))\n",
			o->policy_dir, now->nr_node, now->nr_scopes);
	return failed;
}

/* Load the system from DIR's node-wide policy, unless one is loaded already. */
static int load_system(const struct agent_opts *o, const struct policy_files *pf)
{
	char *argv[MAX_FILES * 2 + SECIMPORT_MAX_INTERPS * 2 + 12];
	int argc = 0;

	if (system_is_loaded(o->dir)) {
		fprintf(stderr, "secimport-bpf agent: taking over the system loaded at %s\n",
			o->dir);
		return converge(o, NULL, pf) ? EXIT_FAIL : EXIT_OK;
	}
	argv[argc++] = "load";
	for (size_t i = 0; i < pf->nr_node; i++) {
		argv[argc++] = "--policy";
		argv[argc++] = pf->node[i];
	}
	for (size_t i = 0; i < o->nr_pythons; i++) {
		argv[argc++] = "--python";
		argv[argc++] = o->pythons[i];
	}
	if (o->fallback) {
		argv[argc++] = "--fallback";
		argv[argc++] = (char *)o->fallback;
	}
	argv[argc++] = "--no-broker";
	argv[argc++] = "--pin-dir";
	argv[argc++] = (char *)o->dir;
	argv[argc++] = "--socket";
	argv[argc++] = (char *)o->socket;
	argv[argc] = NULL;
	if (run_quietly(cmd_load, argc, argv))
		return EXIT_USAGE;
	for (size_t k = 0; k < pf->nr_scopes; k++)
		if (apply(o, (char **)pf->scopes[k].files, pf->scopes[k].nr, pf->scopes[k].cgroup,
			  false))
			return EXIT_USAGE;
	return EXIT_OK;
}

struct broker_thread {
	struct system *s;
	int lfd;
};

static void *broker_main(void *arg)
{
	struct broker_thread *b = arg;

	broker_loop(b->s, b->lfd, verbose);
	return NULL;
}

static int on_record(void *ctx, void *data, size_t len)
{
	const struct secimport_event *e = data;

	if (len >= sizeof(*e) && e->type == SECIMPORT_EV_VIOLATION)
		event_print(ctx, e);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int cmd_agent(int argc, char **argv)
{
	struct policy_files current = {}, next;
	struct agent_opts o;
	struct system s = {};
	struct broker_thread bt;
	struct event_printer pr;
	struct ring_buffer *rb = NULL;
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	long long deadline = -1, next_scan = 0;
	bool retried = false;
	int status = EXIT_FAIL, ino = -1, sigfd = -1, ep = -1, lfd;
	char err[1024];
	pthread_t broker;
	sigset_t sigs;

	if (parse_agent_args(argc, argv, &o))
		return EXIT_USAGE;
	if (geteuid() != 0) {
		p_err("agent needs root to load BPF programs; try sudo");
		return EXIT_USAGE;
	}
	/* Signals are read from a signalfd, by the loop, not by handlers. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (files_scan(o.policy_dir, &current))
		return EXIT_USAGE;
	if ((status = load_system(&o, &current)) != EXIT_OK)
		goto out;
	status = EXIT_FAIL;
	if (system_open(&s, o.dir, err, sizeof(err))) {
		p_err("%s", err);
		goto out;
	}
	/* Registrations: this process serves them (the broker of the node). */
	s.sysinfo.socket[sizeof(s.sysinfo.socket) - 1] = 0;
	lfd = broker_listen(s.sysinfo.socket[0] ? s.sysinfo.socket : o.socket, err, sizeof(err));
	if (lfd < 0) {
		p_err("%s", err);
		goto out;
	}
	s.sysinfo.broker_pid = getpid();
	system_info_write(&s);
	bt = (struct broker_thread){ .s = &s, .lfd = lfd };
	if (pthread_create(&broker, NULL, broker_main, &bt)) {
		p_err("cannot start the broker thread");
		goto out;
	}
	event_printer_init_named(&pr, stdout, true, syscall_table_native(), system_module_name, &s);
	rb = ring_buffer__new(s.events, on_record, &pr, NULL);
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!rb || ino < 0 || sigfd < 0 || ep < 0 ||
	    inotify_add_watch(ino, o.policy_dir,
			      IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE |
				  IN_ATTRIB) < 0) {
		p_err("agent: cannot watch %s or read events: %s", o.policy_dir, strerror(errno));
		goto out;
	}
	ev.data.fd = ring_buffer__epoll_fd(rb);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = ino;
	epoll_ctl(ep, EPOLL_CTL_ADD, ino, &ev);
	ev.data.fd = sigfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sigfd, &ev);
	fprintf(stderr, "secimport-bpf agent: enforcing from %s; registrations on %s\n",
		o.policy_dir, s.sysinfo.socket);
	for (;;) {
		long long wake = deadline >= 0 && deadline < next_scan ? deadline : next_scan;
		long long timeout = wake - now_ms();
		int n = epoll_wait(ep, evs, 4, timeout < 0 ? 0 : (int)timeout);
		bool stop = false;

		if (n < 0 && errno != EINTR) {
			p_err("agent: epoll: %s", strerror(errno));
			break;
		}
		ring_buffer__consume(rb);
		for (int i = 0; i < n; i++) {
			char buf[4096];

			if (evs[i].data.fd == ino) {
				while (read(ino, buf, sizeof(buf)) > 0)
					;
				deadline = now_ms() + SETTLE_MS;
			} else if (evs[i].data.fd == sigfd) {
				stop = true;
			}
		}
		if (stop) {
			status = EXIT_OK;
			break;
		}
		if (now_ms() >= next_scan) {
			/* Interpreters in containers: their files are not the host's. */
			system_cover_scan(&s, true);
			next_scan = now_ms() + SCAN_MS;
		}
		if (deadline >= 0 && now_ms() >= deadline) {
			deadline = -1;
			if (files_scan(o.policy_dir, &next) == 0) {
				if (next.fingerprint != current.fingerprint &&
				    converge(&o, &current, &next) && !retried) {
					/* Caught mid-update (a file gone since the scan)? Once
					 * more. */
					files_free(&next);
					deadline = now_ms() + 1000;
					retried = true;
					continue;
				}
				retried = false;
				files_free(&current);
				current = next;
			}
		}
	}
	ring_buffer__consume(rb);
	if (o.unload_on_exit) {
		char *uargv[] = { "unload", "--pin-dir", (char *)o.dir, NULL };

		fprintf(stderr, "secimport-bpf agent: stopping; unloading (--on-exit unload)\n");
		system_close(&s);
		if (run_quietly(cmd_unload, 3, uargv))
			status = EXIT_FAIL;
	} else {
		fprintf(stderr,
			"secimport-bpf agent: stopping; enforcement stays loaded at %s "
			"(registrations wait for the next agent)\n",
			o.dir);
	}
out:
	ring_buffer__free(rb);
	if (ino >= 0)
		close(ino);
	if (sigfd >= 0)
		close(sigfd);
	if (ep >= 0)
		close(ep);
	files_free(&current);
	fflush(stdout);
	/* The broker thread blocks in accept: the process ends with it. */
	_exit(status);
}

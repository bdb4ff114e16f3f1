// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * secimport-bpf trace: run a program unconfined and write the policy it
 * needs. Every module of interest gets an empty allowlist with the learning
 * action, so each syscall made while it is on the stack is recorded (in
 * BPF, per module) instead of refused. With --all-modules the stack walker
 * records the file of every frame at every syscall, and the files are
 * mapped back to top-level modules through the program's sys.path.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "policy.h"
#include "policy_writer.h"
#include "session.h"
#include "util.h"

#define TRACE_MAX_NAMES (SECIMPORT_MAX_MODULES - 1)
#define TRACE_FILES_MAX (256 * 1024)
#define TRACE_MAX_RUNS 100

struct trace_opts {
	const char *out, *merge, *engine, *python, *user;
	const char *modules[TRACE_MAX_NAMES];
	size_t nr_modules;
	unsigned int runs;
	bool all_modules, stdlib, no_baseline;
};

static void trace_usage(FILE *f)
{
	fprintf(
	    f, "Usage: secimport-bpf trace [-o FILE] (--module NAME... | --all-modules) [OPTIONS]\n"
	       "                           -- PROGRAM [ARGS...]\n"
	       "\n"
	       "Run PROGRAM unconfined and write the policy it needs: for each module, the\n"
	       "syscalls made while it was on the stack (every module on the stack at a\n"
	       "syscall needs it), except the interpreter baseline, which every list\n"
	       "allows ('secimport-bpf policy check' lists it). Under the written policy\n"
	       "the traced run passes. Exits with PROGRAM's status (with --runs, that of\n"
	       "the first run that did not exit 0).\n"
	       "\n"
	       "Options:\n"
	       "  -o, --output FILE      write the policy to FILE (default: stdout)\n"
	       "  -m, --module NAME      a module to trace (import name or absolute path);\n"
	       "                         repeat for more\n"
	       "      --all-modules      every top-level module the program uses (needs the\n"
	       "                         stackwalk engine)\n"
	       "      --stdlib           with --all-modules: standard library modules too\n"
	       "      --merge FILE       add to the policy in FILE (coverage across runs)\n"
	       "      --runs N           run PROGRAM N times (1 to 100) and merge what they\n"
	       "                         did; says which syscalls only some runs made\n"
	       "      --no-interpreter-baseline\n"
	       "                         list every syscall, those in the interpreter baseline\n"
	       "                         (what CPython does by itself) too, and write\n"
	       "                         interpreter_baseline: false\n"
	       "  -e, --engine ENGINE    auto (default), stackwalk or usdt\n"
	       "      --python PATH      the interpreter PROGRAM runs, when it cannot be told\n"
	       "  -u, --user USER        run PROGRAM as USER (default: the user who ran sudo)\n"
	       "  -v, --verbose          say what is resolved, attached and why\n"
	       "  -h, --help             this help\n");
}

/* --runs N: a whole number of runs, 1 to TRACE_MAX_RUNS, nothing else. */
static int parse_runs(const char *arg, unsigned int *runs)
{
	unsigned long n = 0;
	const char *c = arg;

	for (; *c >= '0' && *c <= '9' && n <= TRACE_MAX_RUNS; c++)
		n = n * 10 + (unsigned long)(*c - '0');
	if (c == arg || *c || n < 1 || n > TRACE_MAX_RUNS) {
		p_err("--runs needs a whole number of runs from 1 to %d, not '%s'", TRACE_MAX_RUNS,
		      arg);
		return -1;
	}
	*runs = (unsigned int)n;
	return 0;
}

static int parse_trace_args(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "module", required_argument, NULL, 'm' },
		{ "all-modules", no_argument, NULL, 'A' },
		{ "stdlib", no_argument, NULL, 'S' },
		{ "merge", required_argument, NULL, 'M' },
		{ "runs", required_argument, NULL, 'R' },
		{ "no-interpreter-baseline", no_argument, NULL, 'B' },
		{ "engine", required_argument, NULL, 'e' },
		{ "python", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->engine = "auto";
	o->runs = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:m:e:u:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'm':
			if (o->nr_modules >= TRACE_MAX_NAMES) {
				p_err("at most %d modules can be traced at once", TRACE_MAX_NAMES);
				return -1;
			}
			o->modules[o->nr_modules++] = optarg;
			break;
		case 'A':
			o->all_modules = true;
			break;
		case 'S':
			o->stdlib = true;
			break;
		case 'M':
			o->merge = optarg;
			break;
		case 'R':
			if (parse_runs(optarg, &o->runs))
				return -1;
			break;
		case 'B':
			o->no_baseline = true;
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
		case 'v':
			verbose = true;
			break;
		case 'h':
			trace_usage(stdout);
			exit(EXIT_OK);
		default:
			trace_usage(stderr);
			return -1;
		}
	}
	if (!o->nr_modules == !o->all_modules) {
		p_err("trace needs either --module NAME (one or more) or --all-modules (see "
		      "'secimport-bpf trace --help')");
		return -1;
	}
	if (o->stdlib && !o->all_modules) {
		p_err("--stdlib goes with --all-modules");
		return -1;
	}
	if (optind >= argc) {
		p_err("trace needs a program to run after '--' (see 'secimport-bpf trace --help')");
		return -1;
	}
	return 0;
}

/*
 * What glibc does to start and end a thread, not always on every run (a
 * reused stack skips mmap, a freed one madvises), and what CPython's own
 * thread start does in threading.py before the target runs (3.14+ names
 * the thread: prctl PR_SET_NAME; 3.15 reads its CPU affinity): --all-modules
 * records that under threading.py, not under the creator. A module seen
 * creating threads gets all of it, so that a traced run replays under its
 * policy.
 */
static const char *const thread_lifecycle[] = {
	"mmap",		  "munmap",
	"mprotect",	  "madvise",
	"rseq",		  "set_robust_list",
	"futex",	  "gettid",
	"rt_sigprocmask", "sigaltstack",
	"sched_yield",	  "exit",
	"prctl",	  "sched_getaffinity",
};

static void add_thread_lifecycle(uint64_t *allow)
{
	if (!policy_allows(allow, SECIMPORT_NR_THREAD_CREATE))
		return;
	for (size_t i = 0; i < sizeof(thread_lifecycle) / sizeof(thread_lifecycle[0]); i++) {
		int nr = syscall_lookup(syscall_table_native(), thread_lifecycle[i]);

		if (nr >= 0 && nr < SECIMPORT_SYSCALL_BITS)
			allow[nr / 64] |= 1ULL << (nr % 64);
	}
}

/*
 * The import system lists a directory on sys.path again whenever it changed
 * since it last looked (FileFinder's cache), for whichever module imports
 * next: another process, or the program writing a byte-code cache, decides
 * whether a run does it. A module seen opening files (imports do) may list
 * directories, so that a traced run replays when a directory changed.
 */
static void add_import_listing(uint64_t *allow)
{
	const struct syscall_table *t = syscall_table_native();
	int nr = syscall_lookup(t, "getdents64");

	if (!policy_allows_name(t, allow, "openat") && !policy_allows_name(t, allow, "open"))
		return;
	if (nr >= 0 && nr < SECIMPORT_SYSCALL_BITS)
		allow[nr / 64] |= 1ULL << (nr % 64);
}

/*
 * A policy with these modules and empty allowlists (names checked by the
 * parser); without @baseline, interpreter_baseline: false at the top.
 */
static int names_policy(struct policy *p, char *const *names, size_t n, bool baseline)
{
	struct policy_diag diag;
	size_t len = 96;
	char *yaml, *w;
	int ret;

	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 32;
	yaml = w = malloc(len);
	if (!yaml)
		return -1;
	if (!baseline)
		w += sprintf(w, "interpreter_baseline: false\n");
	w += sprintf(w, n ? "modules:\n" : "process_default: {}\n");
	for (size_t i = 0; i < n; i++)
		w += sprintf(w, "  '%s': {syscalls: []}\n", names[i]);
	ret = policy_parse_buffer(p, "<trace>", yaml, w - yaml, syscall_table_native(), &diag);
	if (ret)
		p_err("%s", diag.msg);
	free(yaml);
	return ret;
}

/* --all-modules: the top-level modules, from the files seen on stacks. */
struct seen_module {
	char name[128];
	__u64 allow[SECIMPORT_SYSCALL_WORDS];
};

struct files_ctx {
	const struct session *s;
	bool stdlib;
	struct seen_module *mods;
	size_t nr, cap, dropped;
	__u64 threadless[SECIMPORT_SYSCALL_WORDS]; /* what threads did before running Python */
};

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n && !strncmp(path, dir, n) && (path[n] == '/' || dir[n - 1] == '/');
}

/* Top-level module of @path via sys.path; false for files of no module. */
static bool top_module(const struct files_ctx *c, const char *path, char *name, size_t len)
{
	const struct interp_info *info = &c->s->info;
	const char *best = NULL, *rel;
	bool stdlib = false;

	if (!strncmp(path, "<frozen ", 8)) {
		/* <frozen os>, <frozen importlib._bootstrap>: always the stdlib */
		snprintf(name, len, "%.*s", (int)strcspn(path + 8, ".>"), path + 8);
		return c->stdlib && policy_import_name_valid(name, strlen(name));
	}
	if (path[0] != '/' || (c->s->launch.script[0] && !strcmp(path, c->s->launch.script)))
		return false;
	for (size_t i = 0; i < info->nr_sys_path; i++)
		if (under(path, info->sys_path[i]) &&
		    (!best || strlen(info->sys_path[i]) > strlen(best)))
			best = info->sys_path[i];
	if (!best)
		return false;
	for (size_t i = 0; i < info->nr_stdlib; i++)
		if (under(path, info->stdlib[i]))
			stdlib = true;
	if (strstr(path, "/site-packages/") || strstr(path, "/dist-packages/"))
		stdlib = false;
	if (stdlib && !c->stdlib)
		return false;
	rel = path + strlen(best);
	rel += *rel == '/';
	/* pkg/mod.py -> pkg; mod.py / mod.cpython-311.so -> mod */
	snprintf(name, len, "%.*s", (int)strcspn(rel, "/."), rel);
	return policy_import_name_valid(name, strlen(name));
}

static void on_file(void *ctx, const char *path, unsigned int nr)
{
	struct files_ctx *c = ctx;
	char name[128];
	size_t i;

	if (nr >= SECIMPORT_SYSCALL_BITS)
		return;
	if (!strcmp(path, SECIMPORT_TRACE_THREADLESS)) {
		c->threadless[nr / 64] |= 1ULL << (nr % 64);
		return;
	}
	if (!top_module(c, path, name, sizeof(name)))
		return;
	for (i = 0; i < c->nr && strcmp(c->mods[i].name, name); i++)
		;
	if (i == c->nr) {
		if (c->nr == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 32;
			struct seen_module *m = realloc(c->mods, cap * sizeof(*m));

			if (!m)
				return;
			c->mods = m;
			c->cap = cap;
		}
		memset(&c->mods[i], 0, sizeof(c->mods[i]));
		snprintf(c->mods[i].name, sizeof(c->mods[i].name), "%s", name);
		c->nr++;
	}
	c->mods[i].allow[nr / 64] |= 1ULL << (nr % 64);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct seen_module *)a)->name, ((const struct seen_module *)b)->name);
}

/* ---- one run ---- */

/* What the header says about the runs (the last run's session). */
struct session_info {
	char interpreter[4096];
	char version[64];
	enum engine_kind engine;
};

/* What one run showed: a policy of the modules seen, raw bits normalized. */
static int trace_once(const struct trace_opts *o, struct policy *traced,
		      const struct session_opts *so, const struct policy *old,
		      struct policy *result, struct session_info *info, int *prog_status)
{
	__u64(*allow)[SECIMPORT_SYSCALL_WORDS] = NULL;
	struct files_ctx files = {};
	struct session s = {};
	char *names[TRACE_MAX_NAMES];
	size_t n = 0, dropped;
	int status;

	memset(result, 0, sizeof(*result));
	status = session_prepare(&s, traced, so);
	if (status != EXIT_OK)
		goto out;
	*prog_status = session_execute(&s);
	snprintf(info->interpreter, sizeof(info->interpreter), "%s", s.launch.interpreter);
	snprintf(info->version, sizeof(info->version), "%s", s.info.version);
	info->engine = s.engine.kind;

	if (o->all_modules) {
		files.s = &s;
		files.stdlib = o->stdlib;
		if (loader_trace_files(s.loader, on_file, &files))
			p_warn("could not read every recorded file: %s", strerror(errno));
		qsort(files.mods, files.nr, sizeof(*files.mods), by_name);
		/*
		 * A thread keeps its creators' confinement while it starts and
		 * ends outside Python: the modules that created threads need
		 * what such threads did (an over-approximation: review it).
		 */
		for (size_t i = 0; i < files.nr; i++)
			if (policy_allows((const uint64_t *)files.mods[i].allow,
					  SECIMPORT_NR_THREAD_CREATE))
				for (int w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
					files.mods[i].allow[w] |= files.threadless[w];
		if (files.nr > TRACE_MAX_NAMES) {
			p_warn("the program used %zu top-level modules; a policy holds %d: the "
			       "first %d by name are written, trace the rest with --module",
			       files.nr, TRACE_MAX_NAMES, TRACE_MAX_NAMES);
			files.nr = TRACE_MAX_NAMES;
		}
		for (n = 0; n < files.nr; n++)
			names[n] = files.mods[n].name;
	} else {
		allow = calloc(o->nr_modules + 1, sizeof(*allow));
		if (!allow ||
		    loader_trace_modules(s.loader, SESSION_SET, allow, o->nr_modules + 1)) {
			p_err("failed to read what was recorded: %s", strerror(errno));
			status = EXIT_FAIL;
			goto out;
		}
		for (n = 0; n < o->nr_modules; n++)
			names[n] = traced->modules[n].name;
	}
	if (names_policy(result, names, n, !o->no_baseline)) {
		status = EXIT_FAIL;
		goto out;
	}
	result->action = SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL;
	for (size_t i = 0; i < n; i++) {
		struct policy_module *m = &result->modules[i];
		const __u64 *seen = o->all_modules ? files.mods[i].allow : allow[i + 1];
		const struct policy_module *before = NULL;

		m->action = SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL;
		/* Where it was, so that policy check can tell if it moves. */
		if (!o->all_modules && s.resolved[i].nr_locs &&
		    s.resolved[i].locs[0].path[0] == '/')
			m->location = strdup(s.resolved[i].locs[0].path);
		for (int w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
			m->allow[w] = seen[w];
		add_thread_lifecycle(m->allow);
		add_import_listing(m->allow);
		/* The policy merged into can turn it off, for its modules and by default. */
		for (size_t k = 0; old && !o->no_baseline && k < old->nr_modules; k++)
			if (!strcmp(old->modules[k].name, m->name))
				before = &old->modules[k];
		if (before && before->has_syscalls)
			m->baseline = before->baseline;
		else if (old && !o->no_baseline && old->interpreter_baseline == POLICY_FALSE)
			m->baseline = false;
		/* Opening for writing was recorded as openat: allowed as a list allows it. */
		policy_file_write_derive_list(result->table, m->allow, m->baseline);
	}
	/* Numbers no name stands for (none on a sane kernel) cannot be written. */
	dropped = policy_normalize(result);
	if (dropped)
		p_warn("%zu recorded syscall number(s) have no name in the %s table and are left "
		       "out",
		       dropped, result->table->arch);
out:
	session_finish(&s);
	free(allow);
	free(files.mods);
	return status;
}

/* ---- several runs ---- */

/* Per module: in how many runs it was seen, and each syscall it would list. */
struct run_stats {
	char name[POLICY_MAX_PATH + 2];
	unsigned int runs;
	unsigned int seen[SECIMPORT_SYSCALL_BITS];
};

struct runs_ctx {
	struct run_stats *mods;
	size_t nr;
	unsigned int done;
};

static struct run_stats *stats_for(struct runs_ctx *c, const char *name)
{
	struct run_stats *m;

	for (size_t i = 0; i < c->nr; i++)
		if (!strcmp(c->mods[i].name, name))
			return &c->mods[i];
	m = realloc(c->mods, (c->nr + 1) * sizeof(*m));
	if (!m)
		return NULL;
	c->mods = m;
	m = &c->mods[c->nr++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	return m;
}

/* Count what run @r would list (the baseline is not listed, so not counted). */
static int stats_add(struct runs_ctx *c, const struct policy *r)
{
	uint64_t base[SECIMPORT_SYSCALL_WORDS] = {};

	policy_baseline_bits(r->table, base);
	for (size_t i = 0; i < r->nr_modules; i++) {
		const struct policy_module *m = &r->modules[i];
		struct run_stats *st = stats_for(c, m->name);

		if (!st)
			return -1;
		st->runs++;
		for (unsigned int nr = 0; nr < SECIMPORT_SYSCALL_BITS; nr++)
			if (policy_allows(m->allow, nr) &&
			    !(m->baseline && policy_allows(base, nr)))
				st->seen[nr]++;
	}
	c->done++;
	return 0;
}

static int by_stats_name(const void *a, const void *b)
{
	return strcmp(((const struct run_stats *)a)->name, ((const struct run_stats *)b)->name);
}

/*
 * Say what only some runs showed: "tmod: seen in 2/5 runs: openat write",
 * the rarest first, so that a list that one lucky run made is not a surprise.
 */
static void stats_report(struct runs_ctx *c)
{
	const struct syscall_table *t = syscall_table_native();
	size_t partial = 0;

	qsort(c->mods, c->nr, sizeof(*c->mods), by_stats_name);
	for (size_t i = 0; i < c->nr; i++) {
		const struct run_stats *st = &c->mods[i];

		if (st->runs < c->done) {
			fprintf(stderr,
				"secimport-bpf: %s: seen in %u/%u runs (the module itself)\n",
				st->name, st->runs, c->done);
			partial++;
		}
		for (unsigned int k = 1; k < c->done; k++) {
			bool any = false;

			for (unsigned int nr = 0; nr < SECIMPORT_SYSCALL_BITS; nr++) {
				const char *name = nr == SECIMPORT_NR_THREAD_CREATE
						       ? "<thread creation>"
						       : syscall_name(t, (int)nr);

				if (st->seen[nr] != k || !name)
					continue;
				if (!any)
					fprintf(stderr,
						"secimport-bpf: %s: seen in %u/%u runs:", st->name,
						k, c->done);
				fprintf(stderr, " %s", name);
				any = true;
			}
			if (any) {
				fputc('\n', stderr);
				partial++;
			}
		}
	}
	if (c->done > 1)
		fprintf(stderr, "secimport-bpf: %u runs merged: %s\n", c->done,
			partial ? "the lines above are what only some runs did; review them"
				: "every run made the same syscalls");
}

/* ---- writing ---- */

/* The policy the trace shows, with a header that says how it was made. */
static int write_result(const struct trace_opts *o, struct policy *result, struct policy *old,
			const struct session_info *si, char **prog)
{
	char when[64], cmd[512] = "", interp[4300], engine[64], runs[96];
	const char *header[8];
	struct policy_write_opts wo = { .header = header };
	char err[512];
	time_t now = time(NULL);
	FILE *out = stdout;
	bool baseline = false;
	size_t used = 0;
	int ret = -1;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	for (char **a = prog; *a && used < sizeof(cmd) - 1; a++)
		used += snprintf(cmd + used, sizeof(cmd) - used, "%s%s", a == prog ? "" : " ", *a);
	for (char *c = cmd; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	snprintf(interp, sizeof(interp), "interpreter: %s (CPython %s)", si->interpreter,
		 si->version);
	snprintf(engine, sizeof(engine), "engine: %s", engine_name(si->engine));
	snprintf(runs, sizeof(runs), "runs: %u, merged", o->runs);
	header[wo.nr_header++] = "Written by secimport-bpf trace";
	header[wo.nr_header++] = when;
	header[wo.nr_header++] = cmd;
	header[wo.nr_header++] = interp;
	header[wo.nr_header++] = engine;
	if (o->runs > 1)
		header[wo.nr_header++] = runs;
	header[wo.nr_header++] =
	    "Each module may make the syscalls it made while on the stack in the traced "
	    "run(s). Review before enforcing.";
	if (old) {
		if (policy_merge(old, result, err, sizeof(err))) {
			p_err("cannot merge into %s: %s", o->merge, err);
			return -1;
		}
		result = old;
	}
	for (size_t i = 0; i < result->nr_modules; i++)
		baseline |= result->modules[i].baseline;
	header[wo.nr_header++] =
	    baseline
		? "What CPython did by itself (locks, memory, signal returns, threads "
		  "starting and ending) is not listed: the interpreter baseline allows it."
		: "interpreter_baseline: false: the lists also name what CPython did by itself.";
	if (policy_write_check(result, err, sizeof(err))) {
		p_err("cannot write the traced policy: %s", err);
		return -1;
	}
	if (o->out && !(out = fopen(o->out, "we"))) {
		p_err("cannot write %s: %s", o->out, strerror(errno));
		return -1;
	}
	ret = policy_write(out, result, &wo);
	if (out != stdout && fclose(out))
		ret = -1;
	if (ret)
		p_err("failed to write the policy%s%s: %s", o->out ? " to " : "",
		      o->out ? o->out : "", strerror(errno));
	return ret;
}

int cmd_trace(int argc, char **argv)
{
	struct session_opts so = { .verb = "trace", .log = stderr };
	struct policy traced = {}, result = {}, run = {}, old = {};
	struct session_info si = {};
	struct runs_ctx stats = {};
	struct policy_diag diag;
	struct trace_opts o;
	int status = EXIT_OK;
	char err[512];

	if (parse_trace_args(argc, argv, &o))
		return EXIT_USAGE;
	/* A bad policy to merge into is known before anything runs. */
	if (o.merge && policy_parse_file(&old, o.merge, syscall_table_native(), &diag)) {
		fprintf(stderr, "%s\n", diag.msg);
		return EXIT_USAGE;
	}
	/* Every syscall is recorded, those of the baseline included. */
	if (names_policy(&traced, (char *const *)o.modules, o.nr_modules, false)) {
		status = EXIT_USAGE;
		goto out;
	}
	policy_override_action(&traced, SECIMPORT_ACT_TRACE);
	so.engine = o.engine;
	so.python = o.python;
	so.user = o.user;
	so.prog = argv + optind;
	so.trace_files_max = o.all_modules ? TRACE_FILES_MAX : 0;

	for (unsigned int i = 0; i < o.runs; i++) {
		int prog = EXIT_OK, ret;

		if (o.runs > 1)
			fprintf(stderr, "secimport-bpf: trace run %u/%u\n", i + 1, o.runs);
		so.release_now = i + 1 < o.runs;
		ret = trace_once(&o, &traced, &so, o.merge ? &old : NULL, &run, &si, &prog);
		if (ret != EXIT_OK) {
			/* Nothing ran, or what ran cannot be read: no use going on. */
			policy_free(&run);
			status = ret;
			goto out;
		}
		if (prog != EXIT_OK && o.runs > 1)
			p_warn("run %u/%u: the program exited with status %d", i + 1, o.runs, prog);
		if (prog != EXIT_OK && status == EXIT_OK)
			status = prog;
		if (!run.nr_modules) {
			p_warn("run %u/%u: no module was seen on the stack at a syscall", i + 1,
			       o.runs);
			policy_free(&run);
			continue;
		}
		if (stats_add(&stats, &run) ||
		    (result.nr_modules && policy_merge(&result, &run, err, sizeof(err)))) {
			p_err("cannot merge run %u: %s", i + 1,
			      result.nr_modules ? err : "out of memory");
			policy_free(&run);
			status = EXIT_FAIL;
			goto out;
		}
		if (!result.nr_modules) {
			result = run; /* the first run with modules: it is the merge's start */
			memset(&run, 0, sizeof(run));
		}
		policy_free(&run);
	}
	if (!result.nr_modules) {
		p_err("no module was seen on the stack at a syscall: nothing to write");
		status = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < stats.nr; i++) {
		bool any = false;

		for (unsigned int nr = 0; nr < SECIMPORT_SYSCALL_BITS; nr++)
			any |= stats.mods[i].seen[nr] != 0;
		if (!any)
			p_warn("module %s made no syscall %swhile on the stack: its list is empty, "
			       "so under this policy any%s syscall it makes is refused",
			       stats.mods[i].name,
			       o.no_baseline ? "" : "outside the interpreter baseline ",
			       o.no_baseline ? "" : " other");
	}
	if (o.runs > 1)
		stats_report(&stats);
	if (write_result(&o, &result, o.merge ? &old : NULL, &si, so.prog) && status == EXIT_OK)
		status = EXIT_FAIL;
out:
	free(stats.mods);
	policy_free(&result);
	policy_free(&old);
	policy_free(&traced);
	return status;
}

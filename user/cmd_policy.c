// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* secimport-bpf policy check: validate a policy and show what it compiles to. */
#include <getopt.h>
#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "interp.h"
#include "policy.h"
#include "policy_tools.h"
#include "resolve.h"
#include "util.h"

static void policy_usage(FILE *f)
{
	fprintf(f,
		"Usage: secimport-bpf policy check FILE [--json] [--python PATH]\n"
		"       secimport-bpf policy merge FILE... [-o OUT]\n"
		"       secimport-bpf policy import-secimport FILE [-o OUT]\n"
		"       secimport-bpf policy apply FILE...   (replace a loaded system's policy)\n"
		"\n"
		"Validate FILE and print what each module compiles to: its action and\n"
		"the syscalls it refuses (or, for an allowlist, the ones it allows).\n"
		"\n"
		"Options:\n"
		"  -j, --json          print the result as JSON\n"
		"      --python PATH   also resolve the modules as PATH would import them\n"
		"                      from the current directory\n"
		"  -h, --help          this help\n");
}

/*
 * The syscalls whose bit in @bits is @want, those in @skip left out: " a b"
 * or JSON strings. Returns how many were printed.
 */
static size_t print_names(const struct policy *p, const uint64_t *bits, bool want,
			  const uint64_t *skip, bool json)
{
	size_t n = 0;

	for (unsigned int nr = 0; nr < SECIMPORT_SYSCALL_BITS; nr++) {
		const char *name = nr == SECIMPORT_NR_THREAD_CREATE ? "<thread creation>"
								    : syscall_name(p->table, nr);

		if (!name || policy_allows(bits, nr) != want || (skip && policy_allows(skip, nr)))
			continue;
		if (json)
			printf("%s\"%s\"", n ? "," : "", name);
		else
			printf(" %s", name);
		n++;
	}
	return n;
}

/*
 * Allowlists print what they allow, without the interpreter baseline (it
 * is printed once, at the top); the rest what they refuse. In JSON,
 * allowed_syscalls is everything the list allows, listed_syscalls the part
 * that is not the baseline.
 */
static void print_syscalls(const struct policy *p, const struct policy_module *m, bool json)
{
	uint64_t base[SECIMPORT_SYSCALL_WORDS] = {};

	if (m->baseline)
		policy_baseline_bits(p->table, base);
	if (json && m->has_syscalls) {
		printf("\"allowed_syscalls\":[");
		print_names(p, m->allow, true, NULL, true);
		printf("],\"interpreter_baseline\":%s,\"listed_syscalls\":[",
		       m->baseline ? "true" : "false");
		print_names(p, m->allow, true, base, true);
		printf("]");
	} else if (json) {
		printf("\"refused_syscalls\":[");
		print_names(p, m->allow, false, NULL, true);
		printf("]");
	} else if (m->has_syscalls) {
		printf("    allowed syscalls:");
		if (!print_names(p, m->allow, true, base, false))
			printf(" none");
		printf("%s\n", m->baseline ? ", and the interpreter baseline"
					   : " (interpreter_baseline: false)");
	} else {
		printf("    refused syscalls:");
		if (!print_names(p, m->allow, false, NULL, false))
			printf(" none");
		printf("\n");
	}
}

/* The interpreter baseline in its table's order, once, when some list relies on it. */
static void print_baseline(const struct policy *p, bool json)
{
	const struct policy_baseline_entry *b;
	bool used = p->has_process_default && p->process_default.baseline;
	size_t n, shown = 0;

	for (size_t i = 0; i < p->nr_modules; i++)
		used |= p->modules[i].baseline;
	if (!json && !used)
		return;
	printf(json ? ",\"interpreter_baseline_syscalls\":["
		    : "  interpreter baseline (every syscalls list allows it unless it sets "
		      "interpreter_baseline: false):\n   ");
	b = policy_interpreter_baseline(&n);
	for (size_t i = 0; i < n; i++) {
		if (syscall_lookup(p->table, b[i].name) < 0)
			continue;
		printf(json ? "%s\"%s\"" : "%s %s", json && shown ? "," : "", b[i].name);
		shown++;
	}
	printf(json ? "]" : "\n");
}

static void print_module(const struct policy *p, const struct policy_module *m,
			 const struct resolved_module *r, bool json, bool first)
{
	bool shell = policy_allows(m->allow, syscall_lookup(p->table, "execve"));
	bool net = policy_allows(m->allow, syscall_lookup(p->table, "socket"));
	bool ctypes = policy_allows(m->allow, SECIMPORT_NR_CTYPES);
	bool fwrite = policy_allows(m->allow, SECIMPORT_NR_FILE_WRITE);

	if (json) {
		printf("%s{\"name\":", first ? "" : ",");
		json_write_string(stdout, m->name);
		printf(",\"line\":%u,\"action\":\"%s\",\"allow_shell\":%s,\"allow_networking\":%s,"
		       "\"allow_ctypes\":%s,\"allow_file_write\":%s,",
		       m->line, policy_action_name(m->action), shell ? "true" : "false",
		       net ? "true" : "false", ctypes ? "true" : "false",
		       fwrite ? "true" : "false");
		print_syscalls(p, m, true);
		if (m->nr_write_paths) {
			printf(",\"write_paths\":[");
			for (size_t k = 0; k < m->nr_write_paths; k++) {
				printf("%s", k ? "," : "");
				json_write_string(stdout, m->write_paths[k]);
			}
			printf("]");
		}
		if (r) {
			printf(",\"kind\":\"%s\",\"locations\":[", r->kind);
			for (size_t k = 0; k < r->nr_locs; k++) {
				printf("%s", k ? "," : "");
				json_write_string(stdout, r->locs[k].path);
			}
			printf("]");
		}
		printf("}");
		return;
	}
	printf("  %s (line %u): action %s, allow_shell %s, allow_networking %s, allow_ctypes %s, "
	       "allow_file_write %s\n",
	       m->name, m->line, policy_action_name(m->action), shell ? "true" : "false",
	       net ? "true" : "false", ctypes ? "true" : "false",
	       m->nr_write_paths ? "(under write_paths only)"
	       : fwrite		 ? "true"
				 : "false");
	print_syscalls(p, m, false);
	for (size_t k = 0; k < m->nr_write_paths; k++)
		printf("    write_paths: %s (files change only under these; BPF LSM)\n",
		       m->write_paths[k]);
	if (r)
		for (size_t k = 0; k < r->nr_locs; k++)
			printf("    %s: %s%s\n", r->kind, r->locs[k].path,
			       r->locs[k].prefix ? " (and everything under it)" : "");
}

/*
 * Syscalls CPython needs for ordinary work, which an allowlist may forget
 * (the ones in the interpreter baseline only matter to a list without it).
 */
static const struct {
	const char *const names[4];
	const char *why;
	const char *when; /* only if the list has this one ("" = always) */
} needs[] = {
	{ { "brk", "mmap", "munmap" },
	  "CPython's allocator needs when the module allocates memory",
	  "" },
	{ { "close", "newfstatat", "lseek" },
	  "opening a file from Python needs as well",
	  "openat" },
	{ { "close" }, "closing its sockets needs", "socket" },
	{ { "futex" }, "its threads need to wait on each other", "clone3" },
};

struct check_warnings {
	bool json;
	size_t count;
};

static void warn(struct check_warnings *w, const struct policy *p, const struct policy_module *m,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void warn(struct check_warnings *w, const struct policy *p, const struct policy_module *m,
		 const char *fmt, ...)
{
	va_list ap;

	/* Warnings go to stderr either way: stdout may be JSON. */
	fprintf(stderr, "%s:%u:%u: warning: ", p->source, m->line, m->column);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	w->count++;
}

static void check_module(struct check_warnings *w, const struct policy *p,
			 const struct policy_module *m, const struct resolved_module *r)
{
	if (m->has_syscalls) {
		for (size_t b = 0; b < sizeof(needs) / sizeof(needs[0]); b++) {
			char missing[128] = "";
			int when = needs[b].when[0] ? syscall_lookup(p->table, needs[b].when) : -1;

			if (needs[b].when[0] && (when < 0 || !policy_allows(m->allow, when)))
				continue;
			for (int i = 0; i < 4 && needs[b].names[i]; i++) {
				int nr = syscall_lookup(p->table, needs[b].names[i]);

				if (nr >= 0 && !policy_allows(m->allow, nr))
					snprintf(missing + strlen(missing),
						 sizeof(missing) - strlen(missing), "%s%s",
						 missing[0] ? ", " : "", needs[b].names[i]);
			}
			if (missing[0])
				warn(w, p, m, "the allowlist of %s lacks %s, which %s", m->name,
				     missing, needs[b].why);
		}
	}
	if (!m->location)
		return;
	if (r) {
		bool same = false;

		for (size_t k = 0; k < r->nr_locs; k++)
			if (!strcmp(r->locs[k].path, m->location) ||
			    (r->locs[k].prefix &&
			     !strncmp(m->location, r->locs[k].path, strlen(r->locs[k].path))))
				same = true;
		if (!same)
			warn(w, p, m,
			     "%s now resolves to %s, but the policy was written for %s: check that "
			     "it is the same module",
			     m->name, r->nr_locs ? r->locs[0].path : "?", m->location);
	} else if (access(m->location, F_OK)) {
		warn(w, p, m,
		     "%s was at %s when the policy was written, which no longer exists (check with "
		     "--python to resolve it as the program would)",
		     m->name, m->location);
	}
}

static int policy_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "python", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct resolved_module *resolved = NULL;
	struct policy p = {};
	struct policy_diag diag;
	struct launch launch = {};
	struct interp_info info;
	const char *python = NULL;
	bool json = false;
	int c, status = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'P':
			python = optarg;
			break;
		case 'h':
			policy_usage(stdout);
			return EXIT_OK;
		default:
			policy_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		p_err("policy check needs exactly one FILE (see 'secimport-bpf policy --help')");
		return EXIT_USAGE;
	}
	if (policy_parse_file(&p, argv[optind], syscall_table_native(), &diag)) {
		if (json) {
			printf("{\"valid\":false,\"error\":");
			json_write_string(stdout, diag.msg);
			printf("}\n");
		}
		fprintf(stderr, "%s\n", diag.msg);
		return EXIT_USAGE;
	}
	if (python) {
		char err[1024];
		char *const argv_py[] = { (char *)python, "-c", "", NULL };

		resolved = calloc(p.nr_modules + 1, sizeof(*resolved));
		if (launch_from_argv(&launch, argv_py, NULL, err, sizeof(err))) {
			p_err("%s", err);
			goto out;
		}
		if (!resolved || resolve_policy(&p, &launch, NULL, resolved, &info, &diag)) {
			fprintf(stderr, "%s\n", resolved ? diag.msg : "out of memory");
			free(resolved);
			resolved = NULL;
			goto out;
		}
	}
	if (json) {
		printf("{\"valid\":true,\"file\":");
		json_write_string(stdout, argv[optind]);
		printf(",\"arch\":\"%s\"", p.table->arch);
	} else {
		printf("%s: valid (%zu module%s, %s)\n", argv[optind], p.nr_modules,
		       p.nr_modules == 1 ? "" : "s", p.table->arch);
	}
	print_baseline(&p, json);
	if (json)
		printf(",\"modules\":[");
	if (p.has_process_default) {
		if (!json)
			printf("  process default:\n");
		print_module(&p, &p.process_default, NULL, json, true);
	}
	for (size_t i = 0; i < p.nr_modules; i++)
		print_module(&p, &p.modules[i], resolved ? &resolved[i] : NULL, json,
			     i == 0 && !p.has_process_default);
	struct check_warnings w = { .json = json };

	for (size_t i = 0; i < p.nr_modules; i++)
		check_module(&w, &p, &p.modules[i], resolved ? &resolved[i] : NULL);
	if (json)
		printf("],\"warnings\":%zu}\n", w.count);
	else if (w.count)
		printf("%zu warning%s (on stderr)\n", w.count, w.count == 1 ? "" : "s");
	status = EXIT_OK;
out:
	if (resolved) {
		resolved_free(resolved, p.nr_modules);
		free(resolved);
		interp_info_free(&info);
	}
	launch_free(&launch);
	policy_free(&p);
	return status;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		policy_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return policy_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "merge"))
		return policy_cmd_merge(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import-secimport"))
		return policy_cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "apply"))
		return cmd_policy_apply(argc - 1, argv + 1);
	p_err("unknown policy command '%s' (see 'secimport-bpf policy --help')", argv[1]);
	return EXIT_USAGE;
}

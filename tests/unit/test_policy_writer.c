// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The policy writer and merge: parse -> write -> parse gives the same policy. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "policy_writer.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SRC "test.yaml"
#define LOG SECIMPORT_ACT_LOG
#define KILL (SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL)
#define DENY (SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY)
#define DENY_KILL (SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL)
#define THREAD SECIMPORT_NR_THREAD_CREATE

static const struct syscall_table *arch(const char *name)
{
	const struct syscall_table *t = syscall_table_for_arch(name);

	assert_non_null(t);
	return t;
}

static void parse_arch(struct policy *p, const char *yaml, const char *archname)
{
	struct policy_diag d;
	int ret = policy_parse_buffer(p, SRC, yaml, strlen(yaml), arch(archname), &d);

	if (ret)
		print_error("unexpected: %s\nin:\n%s\n", d.msg, yaml);
	assert_int_equal(ret, 0);
}

static void parse(struct policy *p, const char *yaml)
{
	parse_arch(p, yaml, "x86_64");
}

/* policy_write() into a string (free it). */
static char *write_str(const struct policy *p, const struct policy_write_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	assert_non_null(f);
	ret = policy_write(f, p, o);
	assert_int_equal(fclose(f), 0);
	if (ret)
		free(buf);
	assert_int_equal(ret, 0);
	return buf;
}

static const struct policy_module *find(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nr_modules; i++)
		if (!strcmp(p->modules[i].name, name))
			return &p->modules[i];
	return NULL;
}

static void assert_same_module(const struct policy_module *a, const struct policy_module *b)
{
	for (unsigned int nr = 0; nr < SECIMPORT_SYSCALL_BITS; nr++)
		if (policy_allows(a->allow, nr) != policy_allows(b->allow, nr))
			print_error("%s: bit %u differs (%d before, %d after)\n", a->name, nr,
				    policy_allows(a->allow, nr), policy_allows(b->allow, nr));
	assert_memory_equal(a->allow, b->allow, sizeof(a->allow));
	assert_int_equal(a->action, b->action);
	assert_int_equal(a->has_syscalls, b->has_syscalls);
	if (a->baseline != b->baseline)
		print_error("%s: baseline %d before, %d after\n", a->name, a->baseline,
			    b->baseline);
	assert_int_equal(a->baseline, b->baseline);
	if (a->location || b->location) {
		assert_non_null(a->location);
		assert_non_null(b->location);
		assert_string_equal(a->location, b->location);
	}
}

/* @b compiles to what @a does (module order aside: the writer sorts). */
static void assert_same_policy(const struct policy *a, const struct policy *b)
{
	assert_string_equal(a->table->arch, b->table->arch);
	assert_int_equal(a->action, b->action);
	assert_int_equal(a->has_process_default, b->has_process_default);
	assert_same_module(&a->process_default, &b->process_default);
	assert_int_equal(a->nr_modules, b->nr_modules);
	for (size_t i = 0; i < a->nr_modules; i++) {
		const struct policy_module *m = find(b, a->modules[i].name);

		if (!m)
			print_error("module '%s' lost\n", a->modules[i].name);
		assert_non_null(m);
		assert_same_module(&a->modules[i], m);
	}
}

/* Write @p, parse it back, compare; returns the text (free it). */
static char *round_trip_policy(const struct policy *p)
{
	char *text = write_str(p, NULL);
	struct policy q;

	parse_arch(&q, text, p->table->arch);
	assert_same_policy(p, &q);
	policy_free(&q);
	return text;
}

static char *round_trip_arch(const char *yaml, const char *archname)
{
	struct policy p;
	char *text;

	parse_arch(&p, yaml, archname);
	text = round_trip_policy(&p);
	policy_free(&p);
	return text;
}

static void round_trip(const char *yaml)
{
	free(round_trip_arch(yaml, "x86_64"));
}

/* ---- round trips ---- */

static void test_round_trip_flags_only(void **state)
{
	(void)state;
	round_trip("modules:\n"
		   "  a:\n"
		   "  b: {allow_shell: true}\n"
		   "  c: {allow_networking: true}\n"
		   "  d: {allow_shell: true, allow_networking: true}\n"
		   "  e: {allow_shell: false, allow_networking: false}\n");
	round_trip("action: log\nmodules: {x.y: {allow_shell: true, action: kill}}\n");
}

static void test_round_trip_ctypes(void **state)
{
	char *text;

	(void)state;
	round_trip("modules:\n"
		   "  a: {allow_ctypes: true}\n"
		   "  b: {allow_ctypes: false}\n"
		   "  c: {syscalls: [read], allow_ctypes: true}\n"
		   "  d: {syscalls: [read]}\n");
	round_trip("process_default: {allow_ctypes: false}\nmodules: {a: {allow_ctypes: true}}\n");
	round_trip("process_default: {syscalls: [read]}\n");
	/* Written only where it differs from the default. */
	text = round_trip_arch("modules: {a: {allow_ctypes: true}, b: {}}\n", "x86_64");
	assert_non_null(strstr(text, "allow_ctypes: true"));
	assert_null(strstr(text, "allow_ctypes: false"));
	free(text);
}

/* allow_file_write: written where the key made the difference, and read back the same. */
static void test_round_trip_file_write(void **state)
{
	char *text;

	(void)state;
	round_trip("modules:\n"
		   "  a: {allow_file_write: false}\n"
		   "  b: {allow_file_write: true}\n"
		   "  c: {syscalls: [openat, rename], allow_file_write: false}\n"
		   "  d: {syscalls: [read], allow_file_write: true}\n"
		   "  e: {syscalls: [openat]}\n");
	round_trip("process_default: {allow_file_write: false}\n");
	text = round_trip_arch("modules: {a: {allow_file_write: false}, b: {syscalls: [openat]}}\n",
			       "x86_64");
	assert_non_null(strstr(text, "allow_file_write: false"));
	assert_null(strstr(text, "allow_file_write: true"));
	free(text);
}

static void test_round_trip_lists(void **state)
{
	(void)state;
	round_trip("modules:\n"
		   "  a: {syscalls: [read, write, close, openat, mmap, futex, clock_gettime]}\n"
		   "  b: {syscalls: []}\n"
		   "  c: {syscalls: [getrandom, uname, sysinfo]}\n");
	/* Groups partly listed: the flags must stay unset. */
	round_trip("modules:\n"
		   "  a: {syscalls: [read, execve]}\n"
		   "  b: {syscalls: [read, socket, connect]}\n"
		   "  c: {syscalls: [read, execve, socket], allow_shell: false}\n"
		   "  d: {syscalls: [read, execve, socket], allow_networking: false}\n"
		   "  e: {syscalls: [fork, vfork, execve, execveat, ptrace, process_vm_writev]}\n");
	/* Whole groups, listed or by flag. */
	round_trip("modules:\n"
		   "  a: {syscalls: ['@shell', read]}\n"
		   "  b: {syscalls: ['@network']}\n"
		   "  c: {syscalls: [read], allow_shell: true, allow_networking: true}\n"
		   "  d: {syscalls: ['@network', '@shell'], allow_networking: false}\n");
}

static void test_round_trip_baseline(void **state)
{
	(void)state;
	round_trip("modules:\n"
		   "  a: {syscalls: [read, futex, mmap]}\n"
		   "  b: {syscalls: [read, futex, mmap], interpreter_baseline: false}\n"
		   "  c: {syscalls: [], interpreter_baseline: false}\n"
		   "  d: {syscalls: []}\n"
		   "  e: {syscalls: [clone3, '@network'], interpreter_baseline: true}\n");
	round_trip(
	    "interpreter_baseline: false\n"
	    "process_default: {syscalls: [read, futex]}\n"
	    "modules: {a: {syscalls: [read]}, b: {syscalls: [], interpreter_baseline: true}}\n");
	round_trip("process_default: {syscalls: [read]}\n");
	free(round_trip_arch("modules: {a: {syscalls: [openat]}, b: {syscalls: [openat], "
			     "interpreter_baseline: false}}\n",
			     "aarch64"));
}

static void test_round_trip_thread_bit(void **state)
{
	(void)state;
	round_trip("modules:\n"
		   "  a: {syscalls: [clone]}\n"
		   "  b: {syscalls: [clone3, read]}\n"
		   "  c: {syscalls: [fork, vfork]}\n"
		   "  d: {syscalls: [clone, read], allow_shell: false}\n"
		   "  e: {syscalls: [clone3], allow_shell: false, allow_networking: true}\n"
		   "  f: {syscalls: [clone], allow_networking: false}\n");
}

static void test_round_trip_process_default(void **state)
{
	(void)state;
	round_trip("process_default:\n");
	round_trip("process_default: {allow_networking: false}\n");
	round_trip("process_default: {allow_shell: false, action: log}\n");
	round_trip("action: log\nprocess_default: {syscalls: [read, clone], action: kill}\n"
		   "modules: {a: }\n");
	round_trip("process_default: {syscalls: [read, clone], allow_shell: false}\n");
}

static void test_round_trip_actions(void **state)
{
	(void)state;
	round_trip("action: deny\n"
		   "modules:\n"
		   "  a:\n"
		   "  b: {action: kill}\n"
		   "  c: {action: log}\n"
		   "  d: {action: deny+kill, syscalls: [read]}\n");
	round_trip("action: deny+kill\nmodules: {a: {action: deny}}\n");
}

static void test_round_trip_names(void **state)
{
	char *text;

	(void)state;
	text = round_trip_arch("modules:\n"
			       "  \"/opt/my app/x.py\": {syscalls: [read]}\n"
			       "  \"/srv/a: b #c/\":\n"
			       "  \"/srv/\\\"q\\\"\\\\/\":\n"
			       "  \"/srv/t\\tab\\x01/\":\n"
			       "  \"/srv/caf\xc3\xa9/\\u2028/\":\n"
			       "  \"true\":\n"
			       "  null_:\n"
			       "  _a.b9.c:\n"
			       "  /usr/lib/python3/dist-packages/yaml/:\n",
			       "x86_64");
	/* Quoted only when needed. */
	assert_non_null(strstr(text, "\n  /usr/lib/python3/dist-packages/yaml/:\n"));
	assert_non_null(strstr(text, "\n  _a.b9.c:\n"));
	assert_non_null(strstr(text, "\n  \"true\":\n"));
	assert_non_null(strstr(text, "\n  \"/srv/t\\u0009ab\\u0001/\":\n"));
	assert_non_null(strstr(text, "\\u2028"));
	free(text);
}

static void test_round_trip_location(void **state)
{
	(void)state;
	round_trip("modules:\n"
		   "  json: {location: /usr/lib/python3.11/json/, syscalls: [read]}\n"
		   "  yaml: {location: \"/opt/a b/yaml/\"}\n");
}

static void test_round_trip_aarch64(void **state)
{
	(void)state;
	free(round_trip_arch("modules:\n"
			     "  a: {syscalls: [openat, read, clone, socket]}\n"
			     "  b: {syscalls: [read, clone], allow_shell: false}\n"
			     "  c: {allow_networking: true}\n",
			     "aarch64"));
}

/* Every syscall of the table, with and without the groups. */
static void test_round_trip_everything(void **state)
{
	const struct syscall_table *t = arch("x86_64");
	size_t size = 16384, o = 0;
	char *yaml = malloc(size);

	(void)state;
	assert_non_null(yaml);
	o += (size_t)snprintf(yaml + o, size - o, "modules:\n  all:\n    syscalls: [");
	for (unsigned int nr = 0; nr < t->nr_count; nr++)
		if (t->names[nr])
			o += (size_t)snprintf(yaml + o, size - o, "%s, ", t->names[nr]);
	o += (size_t)snprintf(yaml + o, size - o, "read]\n");
	assert_true(o < size);
	round_trip(yaml);
	snprintf(yaml + o, size - o, "  none:\n    syscalls: []\n    allow_networking: true\n");
	round_trip(yaml);
	free(yaml);
}

/* xorshift: reproducible shapes. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(unsigned int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned int)(rnd_state % n);
}

/* Appends ", " before all but the first item of a flow mapping. */
static size_t item(char *buf, size_t size, size_t o, bool *first, const char *text)
{
	if (!*text)
		return o;
	o += (size_t)snprintf(buf + o, size - o, "%s%s", *first ? "" : ", ", text);
	*first = false;
	return o;
}

static void test_round_trip_random(void **state)
{
	static const char *const flags[] = { "", "allow_shell: true", "allow_shell: false" };
	static const char *const nflags[] = { "", "allow_networking: true",
					      "allow_networking: false" };
	static const char *const actions[] = { "", "action: log", "action: kill", "action: deny",
					       "action: deny+kill" };
	static const char *const hot[] = { "clone",   "clone3", "execve",	  "socket",
					   "connect", "fork",	"io_uring_setup", "read" };
	const struct syscall_table *t = arch("x86_64");
	size_t size = 65536;
	char *yaml = malloc(size);

	(void)state;
	assert_non_null(yaml);
	for (int round = 0; round < 300; round++) {
		unsigned int nmod = 1 + rnd(6);
		bool first = true;
		size_t o = 0;

		o += (size_t)snprintf(yaml + o, size - o, "action: %s\n", rnd(2) ? "kill" : "log");
		if (rnd(3) == 0) {
			o += (size_t)snprintf(yaml + o, size - o, "process_default: {");
			o = item(yaml, size, o, &first, flags[rnd(3)]);
			o = item(yaml, size, o, &first, nflags[rnd(3)]);
			o += (size_t)snprintf(yaml + o, size - o, "}\n");
		}
		o += (size_t)snprintf(yaml + o, size - o, "modules:\n");
		for (unsigned int m = 0; m < nmod; m++) {
			first = true;
			o += (size_t)snprintf(yaml + o, size - o, "  m%u: {", m);
			o = item(yaml, size, o, &first, flags[rnd(3)]);
			o = item(yaml, size, o, &first, nflags[rnd(3)]);
			o = item(yaml, size, o, &first, actions[rnd(5)]);
			if (rnd(4)) {
				unsigned int n = rnd(40);

				o = item(yaml, size, o, &first, "syscalls: [");
				for (unsigned int k = 0; k < n; k++) {
					const char *name = rnd(3) ? t->names[rnd(t->nr_count)]
								  : hot[rnd(ARRAY_SIZE(hot))];

					if (name)
						o += (size_t)snprintf(yaml + o, size - o, "%s, ",
								      name);
				}
				o += (size_t)snprintf(yaml + o, size - o, "%s]",
						      rnd(5) ? "brk" : "'@network'");
			}
			o += (size_t)snprintf(yaml + o, size - o, "}\n");
		}
		assert_true(o < size);
		round_trip(yaml);
	}
	free(yaml);
}

/* ---- what the text looks like ---- */

static void test_output_form(void **state)
{
	static const char *const header[] = { "secimport-bpf trace -- python3 app.py", "two\nlines",
					      "", "ctl\x01 bad\xff utf8 \xc3\xa9" };
	struct policy_write_opts o = { header, ARRAY_SIZE(header) };
	struct policy p, q;
	char *text;

	(void)state;
	parse(&p, "action: log\n"
		  "modules:\n"
		  "  zz: {allow_networking: true}\n"
		  "  aa:\n"
		  "    action: kill\n"
		  "    syscalls: [socket, read, mmap, futex, clock_gettime, getrandom, execve,\n"
		  "               write, clone3]\n"
		  "  mm: {syscalls: [read, clone], allow_shell: false}\n");
	text = write_str(&p, &o);
	assert_string_equal(text,
			    "# secimport-bpf trace -- python3 app.py\n"
			    "# two\n"
			    "# lines\n"
			    "#\n"
			    "# ctl\\x01 bad\\xff utf8 \xc3\xa9\n"
			    "\n"
			    "# A syscalls list is a strict allowlist: every other syscall is "
			    "refused.\n"
			    "# Each list also allows the interpreter baseline, what CPython does "
			    "by itself\n"
			    "# (futex, mmap, rt_sigreturn...; `secimport-bpf policy check` lists "
			    "it), unless it\n"
			    "# says interpreter_baseline: false.\n"
			    "version: 1\n"
			    "action: log\n"
			    "modules:\n"
			    "  aa:\n"
			    "    action: kill\n"
			    "    # allow_shell unset: the list has only part of the shell group "
			    "(execve, clone3)\n"
			    "    # allow_networking unset: the list has only part of the network "
			    "group (socket)\n"
			    "    syscalls:\n"
			    "      # files\n"
			    "      - read\n"
			    "      - write\n"
			    "      # network\n"
			    "      - socket\n"
			    "      # processes\n"
			    "      - clone3\n"
			    "      - execve\n"
			    "      # threads and signals\n"
			    "      - rt_sigaction\n"
			    "      # other\n"
			    "      - getrandom\n"
			    "  mm:\n"
			    "    allow_shell: false\n"
			    "    allow_networking: false\n"
			    "    syscalls:\n"
			    "      # files\n"
			    "      - read\n"
			    "      # processes\n"
			    "      - clone # for threads: allow_shell: false refuses processes\n"
			    "      # threads and signals\n"
			    "      - rt_sigaction\n"
			    "  zz:\n"
			    "    allow_shell: false\n"
			    "    allow_networking: true\n");
	parse(&q, text);
	assert_same_policy(&p, &q);
	policy_free(&q);
	free(text);
	policy_free(&p);

	/* Whole groups are said by their flag, not listed. */
	parse(&p, "modules: {a: {syscalls: ['@network', read]}}\n");
	text = write_str(&p, NULL);
	assert_non_null(strstr(text, "    allow_shell: false\n"
				     "    allow_networking: true # adds the whole network group to "
				     "the list\n"
				     "    syscalls:\n"
				     "      # files\n"
				     "      - read\n"));
	assert_null(strstr(text, "socket"));
	free(text);
	policy_free(&p);

	/* Without the baseline, every syscall is listed and the key says why. */
	parse(&p, "modules:\n"
		  "  a: {syscalls: [read, futex, mmap], interpreter_baseline: false}\n"
		  "  b: {syscalls: []}\n");
	text = write_str(&p, NULL);
	assert_string_equal(text, "# A syscalls list is a strict allowlist: every other syscall is "
				  "refused.\n"
				  "# Each list also allows the interpreter baseline, what CPython "
				  "does by itself\n"
				  "# (futex, mmap, rt_sigreturn...; `secimport-bpf policy check` "
				  "lists it), unless it\n"
				  "# says interpreter_baseline: false.\n"
				  "version: 1\n"
				  "action: kill\n"
				  "modules:\n"
				  "  a:\n"
				  "    allow_shell: false\n"
				  "    allow_networking: false\n"
				  "    interpreter_baseline: false # every syscall is in the list\n"
				  "    syscalls:\n"
				  "      # files\n"
				  "      - read\n"
				  "      # memory\n"
				  "      - mmap\n"
				  "      # threads and signals\n"
				  "      - futex\n"
				  "  b:\n"
				  "    allow_shell: false\n"
				  "    allow_networking: false\n"
				  "    syscalls: []\n");
	parse(&q, text);
	assert_same_policy(&p, &q);
	assert_false(q.modules[0].baseline);
	assert_true(q.modules[1].baseline);
	policy_free(&q);
	free(text);
	policy_free(&p);

	/* The top level's default is kept; modules that differ say so. */
	parse(&p, "interpreter_baseline: false\n"
		  "modules: {a: {syscalls: [read, futex]}, b: {syscalls: [], "
		  "interpreter_baseline: true}}\n");
	text = write_str(&p, NULL);
	assert_non_null(strstr(text, "action: kill\n"
				     "interpreter_baseline: false # lists name every syscall\n"
				     "modules:\n"
				     "  a:\n"
				     "    allow_shell: false\n"
				     "    allow_networking: false\n"
				     "    syscalls:\n"));
	assert_non_null(strstr(text, "  b:\n"
				     "    allow_shell: false\n"
				     "    allow_networking: false\n"
				     "    interpreter_baseline: true\n"
				     "    syscalls: []\n"));
	parse(&q, text);
	assert_same_policy(&p, &q);
	assert_int_equal(q.interpreter_baseline, POLICY_FALSE);
	policy_free(&q);
	free(text);
	policy_free(&p);

	/* No list relies on it: no word about it. */
	parse(&p, "modules: {a: {syscalls: [read], interpreter_baseline: false}, b: }\n");
	text = write_str(&p, NULL);
	assert_null(strstr(text, "# Each list also allows"));
	free(text);
	policy_free(&p);
}

/* ---- what cannot be written ---- */

static void assert_unwritable(const struct policy *p, const char *msg)
{
	char err[512] = "", *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(policy_write_check(p, err, sizeof(err)), -1);
	if (strcmp(err, msg))
		print_error("got: %s\n", err);
	assert_string_equal(err, msg);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	errno = 0;
	assert_int_equal(policy_write(f, p, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, 0); /* nothing half-written */
	free(buf);
}

static void set(uint64_t *allow, unsigned int nr, bool on)
{
	if (on)
		allow[nr / 64] |= (uint64_t)1 << (nr % 64);
	else
		allow[nr / 64] &= ~((uint64_t)1 << (nr % 64));
}

static unsigned int nr(const char *name)
{
	int n = syscall_lookup(arch("x86_64"), name);

	assert_true(n >= 0);
	return (unsigned int)n;
}

static void test_unwritable(void **state)
{
	struct policy p;
	char *saved;

	(void)state;
	parse(&p, "modules: {m: {syscalls: [read]}, n: {allow_networking: true}}\n");
	assert_int_equal(policy_write_check(&p, NULL, 0), 0);

	set(p.modules[0].allow, 600, true);
	assert_unwritable(&p, "module 'm' allows syscall number 600, which has no name on x86_64: "
			      "a list cannot name it (policy_normalize() drops it)");
	set(p.modules[0].allow, 600, false);

	set(p.modules[0].allow, nr("clone"), true);
	assert_unwritable(&p, "module 'm' allows clone or clone3 but not thread creation: a list "
			      "that names clone or clone3 allows threads (policy_normalize() adds "
			      "them)");
	set(p.modules[0].allow, nr("clone"), false);

	set(p.modules[0].allow, THREAD, true);
	set(p.modules[0].allow, nr("execve"), true);
	assert_unwritable(&p, "module 'm' allows thread creation and execve but neither clone nor "
			      "clone3: threads without clone are written as clone with "
			      "allow_shell: false, which refuses the whole shell group");
	set(p.modules[0].allow, nr("execve"), false);
	assert_int_equal(policy_write_check(&p, NULL, 0), 0);
	set(p.modules[0].allow, THREAD, false);

	set(p.modules[1].allow, nr("read"), false);
	assert_unwritable(&p, "module 'n' has no syscalls list but refuses read, which only a "
			      "list can express");
	set(p.modules[1].allow, nr("read"), true);
	set(p.modules[1].allow, THREAD, false);
	assert_unwritable(&p, "module 'n' has no syscalls list but refuses thread creation, which "
			      "only a list can express");
	set(p.modules[1].allow, THREAD, true);
	set(p.modules[1].allow, nr("execve"), true);
	assert_unwritable(&p, "module 'n' has no syscalls list but refuses only part of the shell "
			      "group (clone, fork, vfork, ptrace, ...): without a list, groups "
			      "are allowed or refused whole");
	set(p.modules[1].allow, nr("execve"), false);

	set(p.modules[0].allow, nr("futex"), false);
	set(p.modules[0].allow, nr("exit"), false);
	assert_unwritable(&p, "module 'm' relies on the interpreter baseline but does not allow "
			      "all of it (exit, futex): a list either has the whole baseline or "
			      "says interpreter_baseline: false (policy_normalize() adds it)");
	p.modules[0].baseline = false;
	assert_int_equal(policy_write_check(&p, NULL, 0), 0);
	p.modules[0].baseline = true;
	set(p.modules[0].allow, nr("futex"), true);
	set(p.modules[0].allow, nr("exit"), true);

	p.modules[1].action = 0;
	assert_unwritable(&p, "module 'n' has no valid action (0)");
	p.modules[1].action = KILL;
	p.action = 8;
	assert_unwritable(&p, "the policy has no valid top-level action (8)");
	p.action = KILL;

	saved = p.modules[1].name;
	p.modules[1].name = "m";
	assert_unwritable(&p, "module 'm' is there twice");
	p.modules[1].name = "<frozen os>";
	assert_unwritable(&p, "module '<frozen os>' is not an import name or a clean absolute "
			      "path (UTF-8, at most 250 bytes)");
	p.modules[1].name = "/a/../b";
	assert_unwritable(&p, "module '/a/../b' is not an import name or a clean absolute path "
			      "(UTF-8, at most 250 bytes)");
	p.modules[1].name = "/bad\xff";
	assert_unwritable(&p, "module '/bad\xff' is not an import name or a clean absolute path "
			      "(UTF-8, at most 250 bytes)");
	p.modules[1].name = saved;
	assert_int_equal(policy_write_check(&p, NULL, 0), 0);

	/* process_default follows the same rules. */
	p.has_process_default = true;
	set(p.process_default.allow, nr("socket"), false);
	assert_unwritable(&p, "process_default has no syscalls list but refuses only part of the "
			      "network group (socket): without a list, groups are allowed or "
			      "refused whole");
	policy_free(&p);

	memset(&p, 0, sizeof(p));
	p.table = arch("x86_64");
	p.action = KILL;
	assert_unwritable(&p, "the policy has no modules and no process_default");
}

/* A trace's raw bitmaps: process creation seen, threads not; an unnamed number. */
static void test_normalize(void **state)
{
	struct policy p, e;

	(void)state;
	parse(&p, "process_default: {syscalls: [read]}\n"
		  "modules: {a: {syscalls: [read]}, b: {syscalls: [read]}, c: {}}\n");
	set(p.modules[0].allow, nr("clone3"), true);
	set(p.modules[0].allow, 600, true);
	set(p.modules[0].allow, 1000, true);
	set(p.process_default.allow, 500, true);
	assert_int_equal(policy_write_check(&p, NULL, 0), -1);
	assert_int_equal(policy_normalize(&p), 3);
	assert_int_equal(policy_normalize(&p), 0);
	parse(&e, "process_default: {syscalls: [read]}\n"
		  "modules: {a: {syscalls: [read, clone3]}, b: {syscalls: [read]}, c: {}}\n");
	assert_same_policy(&e, &p);
	free(round_trip_policy(&p));
	policy_free(&e);
	policy_free(&p);

	/*
	 * A trace's raw bits: what was seen, with the baseline flag set. The
	 * baseline joins them; a module without it keeps exactly what was seen.
	 */
	parse(&p, "modules:\n"
		  "  a: {syscalls: []}\n"
		  "  b: {syscalls: [], interpreter_baseline: false}\n"
		  "  c: {}\n");
	memset(p.modules[0].allow, 0, sizeof(p.modules[0].allow));
	set(p.modules[0].allow, nr("read"), true);
	set(p.modules[0].allow, nr("futex"), true);
	set(p.modules[1].allow, nr("read"), true);
	set(p.modules[1].allow, nr("futex"), true);
	p.modules[2].baseline = true; /* no list: nothing to rely on */
	assert_int_equal(policy_write_check(&p, NULL, 0), -1);
	assert_int_equal(policy_normalize(&p), 0);
	assert_false(p.modules[2].baseline);
	parse(&e, "modules:\n"
		  "  a: {syscalls: [read]}\n"
		  "  b: {syscalls: [read, futex], interpreter_baseline: false}\n"
		  "  c: {}\n");
	assert_same_policy(&e, &p);
	free(round_trip_policy(&p));
	policy_free(&e);
	policy_free(&p);
}

/* ---- merge ---- */

static void merged(struct policy *dst, const char *a, const char *b)
{
	struct policy src;
	char err[256];

	parse(dst, a);
	parse(&src, b);
	if (policy_merge(dst, &src, err, sizeof(err)))
		print_error("merge: %s\n", err);
	policy_free(&src); /* dst must own what it took */
}

static void assert_merge(const char *a, const char *b, const char *expect)
{
	struct policy m, e;
	char *text;

	merged(&m, a, b);
	parse(&e, expect);
	assert_same_policy(&e, &m);
	/* The result writes and reads back too. */
	text = round_trip_policy(&m);
	free(text);
	policy_free(&e);
	policy_free(&m);
}

static void test_merge_lists(void **state)
{
	(void)state;
	assert_merge("modules: {a: {syscalls: [read, write]}, b: {syscalls: [read]}}\n",
		     "modules: {a: {syscalls: [close, read], action: log}, c: {syscalls: []}}\n",
		     "modules:\n"
		     "  a: {syscalls: [read, write, close]}\n"
		     "  b: {syscalls: [read]}\n"
		     "  c: {syscalls: []}\n");
	/* The stricter action; kill and deny combine. */
	assert_merge("action: log\nmodules: {a: {syscalls: [read]}, b: {action: deny}}\n",
		     "modules: {a: {syscalls: [read]}, b: {action: kill}}\n",
		     "action: kill\nmodules: {a: {syscalls: [read]}, b: {action: deny+kill}}\n");
	assert_merge("action: log\nmodules: {a: }\n", "action: log\nmodules: {a: }\n",
		     "action: log\nmodules: {a: }\n");
	/* Threads: a list with clone3 and one with threads only. */
	assert_merge("modules: {a: {syscalls: [clone3]}}\n",
		     "modules: {a: {syscalls: [read, clone], allow_shell: false}}\n",
		     "modules: {a: {syscalls: [clone3, read]}}\n");
	assert_merge("modules: {a: {syscalls: [read, clone], allow_shell: false}}\n",
		     "modules: {a: {syscalls: [write]}}\n",
		     "modules: {a: {syscalls: [read, write, clone], allow_shell: false}}\n");
}

static void test_merge_baseline(void **state)
{
	(void)state;
	/* Both rely on it: so does the result. */
	assert_merge("modules: {a: {syscalls: [read]}}\n", "modules: {a: {syscalls: [write]}}\n",
		     "modules: {a: {syscalls: [read, write]}}\n");
	/* Neither does: the union of the lists, still without it. */
	assert_merge("modules: {a: {syscalls: [read], interpreter_baseline: false}}\n",
		     "modules: {a: {syscalls: [futex], interpreter_baseline: false}}\n",
		     "modules: {a: {syscalls: [read, futex], interpreter_baseline: false}}\n");
	/* One does: the union holds the whole baseline, and says so. */
	assert_merge("modules: {a: {syscalls: [read], interpreter_baseline: false}}\n",
		     "modules: {a: {syscalls: [write]}}\n",
		     "modules: {a: {syscalls: [read, write]}}\n");
	assert_merge("modules: {a: {syscalls: [read]}}\n",
		     "modules: {a: {syscalls: [write], interpreter_baseline: false}}\n",
		     "modules: {a: {syscalls: [read, write]}}\n");
	/* A list without it whose union with nothing else covers it: equal bits either way. */
	assert_merge("interpreter_baseline: false\nmodules: {a: {syscalls: [read]}}\n",
		     "interpreter_baseline: false\nmodules: {b: {syscalls: [read]}}\n",
		     "interpreter_baseline: false\n"
		     "modules: {a: {syscalls: [read]}, b: {syscalls: [read]}}\n");
	/* No list on one side: no list, no baseline. */
	assert_merge("modules: {a: {syscalls: [read]}}\n", "modules: {a: {allow_shell: true}}\n",
		     "modules: {a: {allow_shell: true}}\n");
	/* process_default alike. */
	assert_merge("process_default: {syscalls: [read], interpreter_baseline: false}\n",
		     "process_default: {syscalls: [read]}\n",
		     "process_default: {syscalls: [read]}\n");
}

static void test_merge_without_list(void **state)
{
	(void)state;
	/* No list on one side: no list in the result; a group member allows the group. */
	assert_merge("modules: {a: {allow_shell: false, allow_networking: false}}\n",
		     "modules: {a: {syscalls: [read, connect]}}\n",
		     "modules: {a: {allow_shell: false, allow_networking: true}}\n");
	assert_merge("modules: {a: {syscalls: [execve]}}\n", "modules: {a: }\n",
		     "modules: {a: {allow_shell: true, allow_networking: false}}\n");
	assert_merge("modules: {a: {syscalls: [read]}}\n", "modules: {a: }\n", "modules: {a: }\n");
	assert_merge("modules: {a: {allow_shell: true}}\n",
		     "modules: {a: {allow_networking: true}}\n",
		     "modules: {a: {allow_shell: true, allow_networking: true}}\n");
}

static void test_merge_process_default(void **state)
{
	(void)state;
	assert_merge("process_default: {allow_networking: false}\n",
		     "process_default: {syscalls: [socket]}\nmodules: {a: }\n",
		     "process_default: {}\nmodules: {a: }\n");
	assert_merge("process_default: {allow_networking: false}\n",
		     "process_default: {allow_shell: false}\n", "process_default: {}\n");
	assert_merge("process_default: {allow_networking: false, allow_shell: false}\n",
		     "process_default: {allow_shell: false, action: log}\n",
		     "process_default: {allow_shell: false}\n");
	/* Absent in one: that one allowed everything. */
	assert_merge("process_default: {allow_networking: false}\nmodules: {a: }\n",
		     "modules: {a: }\n", "modules: {a: }\n");
	assert_merge("modules: {a: }\n", "process_default: {syscalls: [read]}\n",
		     "modules: {a: }\n");
}

static void test_merge_location(void **state)
{
	struct policy m;

	(void)state;
	merged(&m, "modules: {a: {location: /x/a.py}, b: , c: {location: /x/c/}}\n",
	       "modules: {a: {location: /y/a.py}, b: {location: /y/b.py}, d: {location: /y/d/}}\n");
	assert_string_equal(find(&m, "a")->location, "/x/a.py");
	assert_string_equal(find(&m, "b")->location, "/y/b.py");
	assert_string_equal(find(&m, "c")->location, "/x/c/");
	assert_string_equal(find(&m, "d")->location, "/y/d/");
	free(round_trip_policy(&m));
	policy_free(&m);
}

static void test_merge_errors(void **state)
{
	struct policy a, b, before;
	char err[256], *yaml = malloc(4096);
	size_t o = 0;

	(void)state;
	assert_non_null(yaml);
	parse(&a, "modules: {a: {syscalls: [read]}}\n");
	parse_arch(&b, "modules: {a: {syscalls: [openat]}}\n", "aarch64");
	before = a;
	assert_int_equal(policy_merge(&a, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot merge a policy for aarch64 into one for x86_64");
	assert_memory_equal(&a, &before, sizeof(a));
	policy_free(&b);

	/* 62 + 2 new modules: one too many. */
	o += (size_t)snprintf(yaml + o, 4096 - o, "modules:\n");
	for (int i = 0; i < 62; i++)
		o += (size_t)snprintf(yaml + o, 4096 - o, "  m%d:\n", i);
	parse(&b, yaml);
	policy_free(&a);
	parse(&a, "modules: {a: {syscalls: [read]}, m0: , z: }\n");
	before = a;
	assert_int_equal(policy_merge(&a, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "the merged policy would have 64 modules; a policy holds at most "
				 "63");
	assert_memory_equal(&a, &before, sizeof(a));
	policy_free(&a);

	/* Exactly 63 is fine. */
	parse(&a, "modules: {a: {syscalls: [read]}, m0: }\n");
	assert_int_equal(policy_merge(&a, &b, err, sizeof(err)), 0);
	assert_int_equal(a.nr_modules, 63);
	policy_free(&b);
	free(round_trip_policy(&a));
	policy_free(&a);
	free(yaml);

	/* Threads and execve but no clone: a union the format cannot spell. */
	merged(&a, "modules: {a: {syscalls: [read, clone], allow_shell: false}}\n",
	       "modules: {a: {syscalls: [execve]}}\n");
	assert_int_equal(policy_write_check(&a, err, sizeof(err)), -1);
	assert_string_equal(err, "module 'a' allows thread creation and execve but neither clone "
				 "nor clone3: threads without clone are written as clone with "
				 "allow_shell: false, which refuses the whole shell group");
	policy_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_flags_only),
		cmocka_unit_test(test_round_trip_ctypes),
		cmocka_unit_test(test_round_trip_file_write),
		cmocka_unit_test(test_round_trip_lists),
		cmocka_unit_test(test_round_trip_baseline),
		cmocka_unit_test(test_round_trip_thread_bit),
		cmocka_unit_test(test_round_trip_process_default),
		cmocka_unit_test(test_round_trip_actions),
		cmocka_unit_test(test_round_trip_names),
		cmocka_unit_test(test_round_trip_location),
		cmocka_unit_test(test_round_trip_aarch64),
		cmocka_unit_test(test_round_trip_everything),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_output_form),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_merge_lists),
		cmocka_unit_test(test_merge_baseline),
		cmocka_unit_test(test_merge_without_list),
		cmocka_unit_test(test_merge_process_default),
		cmocka_unit_test(test_merge_location),
		cmocka_unit_test(test_merge_errors),
	};

	return cmocka_run_group_tests_name("policy writer", tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Policy parsing and compilation: bitmaps, positions and diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SRC "test.yaml"
#define KILL (SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL)
#define THREAD SECIMPORT_NR_THREAD_CREATE
/* The shell group's size on x86_64, and on aarch64 (no fork, no vfork). */
#define NSHELL 19
#define NSHELL_A64 (NSHELL - 2)

static const char *const shell[] = { "fork",
				     "vfork",
				     "clone",
				     "clone3",
				     "execve",
				     "execveat",
				     "ptrace",
				     "process_vm_writev",
				     "process_vm_readv",
				     "pidfd_getfd",
				     "mount",
				     "umount2",
				     "pivot_root",
				     "move_mount",
				     "open_tree",
				     "fsopen",
				     "fsmount",
				     "fsconfig",
				     "mount_setattr" };
_Static_assert(ARRAY_SIZE(shell) == NSHELL, "NSHELL is the shell group's size");
static const char *const network[] = {
	"socket",	  "socketpair",	    "connect",
	"bind",		  "listen",	    "accept",
	"accept4",	  "sendto",	    "recvfrom",
	"sendmsg",	  "recvmsg",	    "sendmmsg",
	"recvmmsg",	  "shutdown",	    "getsockname",
	"getpeername",	  "setsockopt",	    "getsockopt",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
};

static const struct syscall_table *arch(const char *name)
{
	const struct syscall_table *t = syscall_table_for_arch(name);

	assert_non_null(t);
	return t;
}

static struct policy *parse_ok_arch(const char *yaml, const char *archname)
{
	struct policy *p = calloc(1, sizeof(*p));
	struct policy_diag d;
	int ret;

	assert_non_null(p);
	ret = policy_parse_buffer(p, SRC, yaml, strlen(yaml), arch(archname), &d);
	if (ret)
		print_error("unexpected: %s\n", d.msg);
	assert_int_equal(ret, 0);
	assert_string_equal(p->source, SRC);
	assert_string_equal(p->table->arch, archname);
	return p;
}

static struct policy *parse_ok(const char *yaml)
{
	return parse_ok_arch(yaml, "x86_64");
}

static void release(struct policy *p)
{
	policy_free(p);
	free(p);
}

static int nr(const struct policy *p, const char *name)
{
	int n = syscall_lookup(p->table, name);

	assert_true(n >= 0);
	return n;
}

static bool has(const struct policy *p, const struct policy_module *m, const char *name)
{
	return policy_allows(m->allow, (unsigned int)nr(p, name));
}

static unsigned int count_bits(const uint64_t *allow)
{
	unsigned int i, n = 0;

	for (i = 0; i < SECIMPORT_SYSCALL_WORDS; i++)
		n += (unsigned int)__builtin_popcountll(allow[i]);
	return n;
}

/* The interpreter baseline's bitmap for @p's table. */
static void baseline_of(const struct policy *p, uint64_t *out)
{
	memset(out, 0, SECIMPORT_SYSCALL_WORDS * sizeof(*out));
	policy_baseline_bits(p->table, out);
}

/*
 * Bits of a list that compiled with the interpreter baseline, the baseline
 * left out: what the list itself (and its flags) allowed, unless it named a
 * baseline syscall.
 */
static unsigned int own_bits(const struct policy *p, const struct policy_module *m)
{
	uint64_t base[SECIMPORT_SYSCALL_WORDS], own[SECIMPORT_SYSCALL_WORDS];

	assert_true(m->has_syscalls);
	assert_true(m->baseline);
	baseline_of(p, base);
	for (int w = 0; w < SECIMPORT_SYSCALL_WORDS; w++) {
		/* The whole baseline is there. */
		assert_true((m->allow[w] & base[w]) == base[w]);
		own[w] = m->allow[w] & ~base[w];
	}
	/* allow_ctypes is a key, not a list entry; <file write> comes with open */
	own[SECIMPORT_NR_CTYPES / 64] &= ~(1ULL << (SECIMPORT_NR_CTYPES % 64));
	own[SECIMPORT_NR_FILE_WRITE / 64] &= ~(1ULL << (SECIMPORT_NR_FILE_WRITE % 64));
	/* and writing outside write_paths is allowed wherever there are none */
	own[SECIMPORT_NR_WRITE_OUTSIDE / 64] &= ~(1ULL << (SECIMPORT_NR_WRITE_OUTSIDE % 64));
	return count_bits(own);
}

static void assert_group(const struct policy *p, const struct policy_module *m,
			 const char *const *group, size_t n, bool on)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int s = syscall_lookup(p->table, group[i]);

		if (s < 0)
			continue;
		if (policy_allows(m->allow, (unsigned int)s) != on)
			print_error("%s: expected %s\n", group[i], on ? "allowed" : "refused");
		assert_int_equal(policy_allows(m->allow, (unsigned int)s), on);
	}
}

#define assert_shell(p, m, on) assert_group(p, m, shell, ARRAY_SIZE(shell), on)
#define assert_network(p, m, on) assert_group(p, m, network, ARRAY_SIZE(network), on)

/* ---- valid policies ---- */

static void test_module_defaults(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  json:\n"
				    "  yaml: {}\n");
	const struct policy_module *m;
	int i;

	(void)state;
	assert_int_equal(p->action, KILL);
	assert_int_equal(p->nr_modules, 2);
	assert_false(p->has_process_default);
	for (i = 0; i < 2; i++) {
		m = &p->modules[i];
		assert_string_equal(m->name, i ? "yaml" : "json");
		assert_int_equal(m->line, 2 + i);
		assert_int_equal(m->column, 3);
		assert_int_equal(m->allow_shell, POLICY_UNSET);
		assert_int_equal(m->allow_networking, POLICY_UNSET);
		assert_false(m->has_syscalls);
		assert_int_equal(m->action, KILL);
		/* Everything but shell and network; threads stay allowed. */
		assert_shell(p, m, false);
		assert_network(p, m, false);
		assert_true(has(p, m, "read"));
		assert_true(has(p, m, "openat"));
		assert_true(policy_allows(m->allow, THREAD));
		assert_true(policy_allows(m->allow, 1000)); /* unknown numbers too */
		assert_int_equal(count_bits(m->allow), 1024 - NSHELL - 21 - 1); /* and ctypes */
		;
	}
	/* Without process_default, slot 0 allows everything. */
	m = &p->process_default;
	assert_string_equal(m->name, "process_default");
	assert_int_equal(count_bits(m->allow), 1024);
	assert_int_equal(m->action, KILL);
	release(p);
}

static void test_allowlist_exact(void **state)
{
	struct policy *p = parse_ok("version: 1\n"
				    "modules:\n"
				    "  a.b_c.d9:\n"
				    "    syscalls: [read, write, read, \"close\"]\n");
	const struct policy_module *m = &p->modules[0];

	(void)state;
	assert_string_equal(m->name, "a.b_c.d9");
	assert_true(m->has_syscalls);
	assert_int_equal(own_bits(p, m), 3);
	assert_true(has(p, m, "read"));
	assert_true(has(p, m, "write"));
	assert_true(has(p, m, "close"));
	/* No clone listed: no threads either. */
	assert_false(policy_allows(m->allow, THREAD));
	release(p);
}

static void test_allowlist_empty(void **state)
{
	struct policy *p = parse_ok("modules: {m: {syscalls: []}}\n");

	(void)state;
	assert_true(p->modules[0].has_syscalls);
	assert_int_equal(own_bits(p, &p->modules[0]), 0);
	release(p);
}

static void test_thread_bit_from_clone(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  a: {syscalls: [clone]}\n"
				    "  b: {syscalls: [clone3]}\n"
				    "  c: {syscalls: [fork, vfork]}\n"
				    "  d: {syscalls: [clone], allow_shell: false}\n");

	(void)state;
	/* clone or clone3, threads, and rt_sigaction (glibc's first thread) */
	assert_int_equal(own_bits(p, &p->modules[0]), 3);
	assert_true(policy_allows(p->modules[0].allow, THREAD));
	assert_true(has(p, &p->modules[0], "rt_sigaction"));
	assert_int_equal(own_bits(p, &p->modules[1]), 3);
	assert_true(policy_allows(p->modules[1].allow, THREAD));
	assert_int_equal(own_bits(p, &p->modules[2]), 2);
	assert_false(policy_allows(p->modules[2].allow, THREAD));
	assert_false(has(p, &p->modules[2], "rt_sigaction"));
	/* allow_shell: false removes clone itself but threads are not shell. */
	assert_int_equal(own_bits(p, &p->modules[3]), 2);
	assert_false(has(p, &p->modules[3], "clone"));
	assert_true(policy_allows(p->modules[3].allow, THREAD));
	release(p);
}

/* I/O judged by its descriptor: derived from the real syscalls, never process memory. */
static void test_pseudo_derive(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  none: {allow_networking: false}\n"
				    "  net: {allow_networking: true}\n"
				    "  send: {syscalls: [write, sendto]}\n"
				    "  recv: {syscalls: [read, recvmsg]}\n"
				    "  io: {syscalls: [read, write]}\n");
	uint64_t bits[SECIMPORT_SYSCALL_WORDS];

	(void)state;
	for (size_t i = 0; i < p->nr_modules; i++) {
		const struct policy_module *m = &p->modules[i];
		bool send = !strcmp(m->name, "net") || !strcmp(m->name, "send");
		bool recv = !strcmp(m->name, "net") || !strcmp(m->name, "recv");

		memcpy(bits, m->allow, sizeof(bits));
		memset(bits + SECIMPORT_SYSCALL_WORDS - 1, 0xff, sizeof(bits[0]));
		policy_pseudo_derive(p->table, bits);
		assert_int_equal(policy_allows(bits, SECIMPORT_NR_SOCKET_SEND), send);
		assert_int_equal(policy_allows(bits, SECIMPORT_NR_SOCKET_RECV), recv);
		assert_false(policy_allows(bits, SECIMPORT_NR_PROC_MEM));
		/* every module here refuses the shell: no typing into terminals */
		assert_false(policy_allows(bits, SECIMPORT_NR_TERMINAL_INPUT));
	}
	/* A trace that saw socket I/O writes what allows it; process memory nothing. */
	assert_int_equal(policy_pseudo_stand_in(p->table, SECIMPORT_NR_SOCKET_SEND),
			 nr(p, "sendmsg"));
	assert_int_equal(policy_pseudo_stand_in(p->table, SECIMPORT_NR_SOCKET_RECV),
			 nr(p, "recvmsg"));
	assert_int_equal(policy_pseudo_stand_in(p->table, SECIMPORT_NR_PROC_MEM), -1);
	assert_int_equal(policy_pseudo_stand_in(p->table, (unsigned int)nr(p, "write")),
			 nr(p, "write"));
	release(p);
}

/* allow_ctypes: refused unless allowed, with or without a list; process-wide allowed. */
static void test_allow_ctypes(void **state)
{
	struct policy *p = parse_ok("process_default: {allow_shell: false}\n"
				    "modules:\n"
				    "  none:\n"
				    "  yes: {allow_ctypes: true}\n"
				    "  no: {allow_ctypes: false, allow_shell: true}\n"
				    "  list: {syscalls: [read]}\n"
				    "  listyes: {syscalls: [read], allow_ctypes: true}\n");

	(void)state;
	assert_true(policy_allows(p->process_default.allow, SECIMPORT_NR_CTYPES));
	assert_false(policy_allows(p->modules[0].allow, SECIMPORT_NR_CTYPES));
	assert_true(policy_allows(p->modules[1].allow, SECIMPORT_NR_CTYPES));
	assert_false(policy_allows(p->modules[2].allow, SECIMPORT_NR_CTYPES));
	assert_false(policy_allows(p->modules[3].allow, SECIMPORT_NR_CTYPES));
	assert_true(policy_allows(p->modules[4].allow, SECIMPORT_NR_CTYPES));
	assert_int_equal(p->modules[1].allow_ctypes, POLICY_TRUE);
	assert_int_equal(p->modules[0].allow_ctypes, POLICY_UNSET);
	release(p);
	p = parse_ok("process_default: {allow_ctypes: false}\n");
	assert_false(policy_allows(p->process_default.allow, SECIMPORT_NR_CTYPES));
	release(p);
}

/*
 * allow_file_write: opening for writing (<file write>) comes with a way to
 * open; false refuses it and the group (rename, unlink...), with or without
 * a list; true adds both.
 */
static void test_allow_file_write(void **state)
{
	struct policy *p =
	    parse_ok("interpreter_baseline: false\n"
		     "modules:\n"
		     "  free: {}\n"
		     "  no: {allow_file_write: false, allow_shell: true}\n"
		     "  listopen: {syscalls: [openat, rename]}\n"
		     "  listread: {syscalls: [read]}\n"
		     "  listno: {syscalls: [openat, rename, unlink], allow_file_write: false}\n"
		     "  listyes: {syscalls: [read], allow_file_write: true}\n");
	const struct syscall_table *t = p->table;

	(void)state;
	/* process-wide: allowed */
	assert_true(policy_allows(p->process_default.allow, SECIMPORT_NR_FILE_WRITE));
	assert_true(policy_allows(p->modules[0].allow, SECIMPORT_NR_FILE_WRITE));
	assert_true(policy_allows_name(t, p->modules[0].allow, "rename"));
	assert_false(policy_allows(p->modules[1].allow, SECIMPORT_NR_FILE_WRITE));
	assert_true(policy_allows_name(t, p->modules[1].allow, "openat")); /* reading stays */
	assert_true(policy_allows_name(t, p->modules[1].allow, "execve"));
	for (const char *const *n =
		 (const char *const[]){ "rename", "renameat2", "unlink", "unlinkat", "truncate",
					"ftruncate", "mkdir", "linkat", "symlink", "creat",
					"openat2", NULL };
	     *n; n++)
		assert_false(policy_allows_name(t, p->modules[1].allow, *n));
	assert_true(policy_allows(p->modules[2].allow, SECIMPORT_NR_FILE_WRITE));
	assert_true(policy_allows_name(t, p->modules[2].allow, "rename"));
	assert_false(policy_allows(p->modules[3].allow, SECIMPORT_NR_FILE_WRITE));
	assert_false(policy_allows(p->modules[4].allow, SECIMPORT_NR_FILE_WRITE));
	assert_true(policy_allows_name(t, p->modules[4].allow, "openat"));
	assert_false(policy_allows_name(t, p->modules[4].allow, "rename"));
	assert_false(policy_allows_name(t, p->modules[4].allow, "unlink"));
	assert_true(policy_allows(p->modules[5].allow, SECIMPORT_NR_FILE_WRITE));
	assert_true(policy_allows_name(t, p->modules[5].allow, "unlinkat"));
	assert_false(policy_allows_name(t, p->modules[5].allow, "openat"));
	assert_int_equal(p->modules[1].allow_file_write, POLICY_FALSE);
	assert_int_equal(p->modules[0].allow_file_write, POLICY_UNSET);
	release(p);

	p = parse_ok("process_default: {allow_file_write: false}\n");
	assert_false(policy_allows(p->process_default.allow, SECIMPORT_NR_FILE_WRITE));
	assert_false(policy_allows_name(p->table, p->process_default.allow, "unlink"));
	release(p);
}

/*
 * write_paths: file changes pass syscall entry (the group and <file write>
 * allowed) and only <write outside write_paths> is refused; every other
 * module allows that.
 */
static void test_write_paths(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  cache: {write_paths: [/var/cache/app, /tmp/x/]}\n"
				    "  strict: {allow_file_write: false, write_paths: [/srv]}\n"
				    "  free: {}\n"
				    "  list: {syscalls: [openat], write_paths: [/srv]}\n");
	const struct syscall_table *t = p->table;

	(void)state;
	assert_int_equal(p->modules[0].nr_write_paths, 2);
	assert_string_equal(p->modules[0].write_paths[0], "/var/cache/app");
	assert_string_equal(p->modules[0].write_paths[1], "/tmp/x/");
	for (int i = 0; i < 4; i++) {
		bool limited = i != 2;

		assert_true(policy_allows(p->modules[i].allow, SECIMPORT_NR_FILE_WRITE));
		assert_int_equal(policy_allows(p->modules[i].allow, SECIMPORT_NR_WRITE_OUTSIDE),
				 !limited);
		assert_true(policy_allows_name(t, p->modules[i].allow, "rename"));
		assert_true(policy_allows_name(t, p->modules[i].allow, "unlinkat"));
	}
	/* The other groups keep their defaults. */
	assert_false(policy_allows_name(t, p->modules[0].allow, "execve"));
	assert_false(policy_allows_name(t, p->modules[0].allow, "connect"));
	assert_true(policy_allows(p->process_default.allow, SECIMPORT_NR_WRITE_OUTSIDE));
	assert_true(policy_uses_write_paths(p));
	assert_string_equal(syscall_pseudo_name(SECIMPORT_NR_WRITE_OUTSIDE),
			    "<write outside write_paths>");
	assert_true(policy_nr_is_pseudo(SECIMPORT_NR_WRITE_OUTSIDE));
	release(p);

	p = parse_ok("modules: {a: {allow_file_write: false}}\n");
	assert_false(policy_uses_write_paths(p));
	release(p);
}

static void test_groups_in_list(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  s: {syscalls: [read, '@shell']}\n"
				    "  n: {syscalls: ['@network', read]}\n");
	const struct policy_module *s = &p->modules[0], *n = &p->modules[1];

	(void)state;
	assert_shell(p, s, true);
	assert_network(p, s, false);
	assert_true(policy_allows(s->allow, THREAD)); /* via clone */
	assert_int_equal(own_bits(p, s), 1 + NSHELL + 1 + 1); /* and rt_sigaction */
	assert_network(p, n, true);
	assert_shell(p, n, false);
	assert_false(policy_allows(n->allow, THREAD));
	assert_int_equal(own_bits(p, n), 1 + 21);
	release(p);
}

static void test_allow_flags_with_list(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  a:\n"
				    "    syscalls: [read]\n"
				    "    allow_shell: true\n"
				    "    allow_networking: True\n"
				    "  b:\n"
				    "    syscalls: [read, execve, socket]\n"
				    "  c:\n"
				    "    syscalls: [read, execve, socket]\n"
				    "    allow_shell: False\n"
				    "    allow_networking: false\n");
	const struct policy_module *a = &p->modules[0], *b = &p->modules[1], *c = &p->modules[2];

	(void)state;
	assert_int_equal(a->allow_shell, POLICY_TRUE);
	assert_int_equal(a->allow_networking, POLICY_TRUE);
	assert_shell(p, a, true);
	assert_network(p, a, true);
	assert_true(policy_allows(a->allow, THREAD));
	assert_int_equal(own_bits(p, a), 1 + NSHELL + 21 + 1);
	/* Unset flags with a list: exactly the list. */
	assert_int_equal(own_bits(p, b), 3);
	assert_true(has(p, b, "execve"));
	assert_true(has(p, b, "socket"));
	/* Explicit false wins over the list. */
	assert_int_equal(own_bits(p, c), 1);
	assert_true(has(p, c, "read"));
	release(p);
}

static void test_allow_flags_without_list(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  sh: {allow_shell: true}\n"
				    "  net: {allow_networking: true}\n"
				    "  both: {allow_shell: true, allow_networking: true}\n"
				    "  none: {allow_shell: false, allow_networking: false}\n");

	(void)state;
	assert_shell(p, &p->modules[0], true);
	assert_network(p, &p->modules[0], false);
	assert_int_equal(count_bits(p->modules[0].allow), 1024 - 21 - 1);
	assert_shell(p, &p->modules[1], false);
	assert_network(p, &p->modules[1], true);
	assert_true(policy_allows(p->modules[1].allow, THREAD));
	assert_int_equal(count_bits(p->modules[1].allow), 1024 - NSHELL - 1);
	assert_int_equal(count_bits(p->modules[2].allow), 1024 - 1);
	assert_int_equal(count_bits(p->modules[3].allow), 1024 - NSHELL - 21 - 1);
	assert_true(policy_allows(p->modules[3].allow, THREAD));
	release(p);
}

/* Every list gets the interpreter baseline unless it says otherwise. */
static void test_interpreter_baseline(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  on: {syscalls: [read]}\n"
				    "  yes: {syscalls: [read], interpreter_baseline: true}\n"
				    "  off: {syscalls: [read], interpreter_baseline: false}\n"
				    "  listed: {syscalls: [read, futex, mmap]}\n"
				    "  listed_off:\n"
				    "    interpreter_baseline: false\n"
				    "    syscalls: [read, futex, mmap]\n"
				    "  nolist: {allow_shell: false}\n");
	uint64_t base[SECIMPORT_SYSCALL_WORDS];
	const struct policy_module *m = p->modules;
	const char *const names[] = { "futex",		"mmap",
				      "munmap",		"mremap",
				      "madvise",	"brk",
				      "mprotect",	"rt_sigreturn",
				      "rt_sigprocmask", "gettid",
				      "rseq",		"set_robust_list",
				      "exit",		"restart_syscall",
				      "uretprobe" };
	size_t n;

	(void)state;
	baseline_of(p, base);
	/* What measurement showed on every version is there. */
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_true(policy_allows(base, (unsigned int)nr(p, names[i])));
	policy_interpreter_baseline(&n);
	n++; /* the entries, and <thread name> (prctl PR_SET_NAME), not prctl itself */
	assert_int_equal(count_bits(base), n);
	assert_true(policy_allows(base, SECIMPORT_NR_THREAD_NAME));
	assert_true(policy_allows(base, (unsigned int)nr(p, "sched_getaffinity")));
	assert_false(policy_allows(base, (unsigned int)nr(p, "prctl")));
	/* Never anything a group refuses, no file opening or writing, no bpf, no threads. */
	for (size_t i = 0; i < ARRAY_SIZE(network); i++)
		assert_false(policy_allows(base, (unsigned int)nr(p, network[i])));
	for (size_t i = 0; i < ARRAY_SIZE(shell); i++)
		assert_false(policy_allows(base, (unsigned int)nr(p, shell[i])));
	assert_false(policy_allows(base, THREAD));
	assert_false(policy_allows(base, (unsigned int)nr(p, "open")));
	assert_false(policy_allows(base, (unsigned int)nr(p, "openat")));
	assert_false(policy_allows(base, (unsigned int)nr(p, "openat2")));
	assert_false(policy_allows(base, (unsigned int)nr(p, "creat")));
	assert_false(policy_allows(base, (unsigned int)nr(p, "write")));
	assert_false(policy_allows(base, (unsigned int)nr(p, "pwrite64")));
	assert_false(policy_allows(base, (unsigned int)nr(p, "bpf")));

	/* on, yes: the list and the baseline. */
	for (int i = 0; i < 2; i++) {
		assert_true(m[i].baseline);
		assert_int_equal(m[i].interpreter_baseline, i ? POLICY_TRUE : POLICY_UNSET);
		assert_int_equal(own_bits(p, &m[i]), 1);
		/* no open: no <file write>, nor <write outside write_paths> */
		assert_int_equal(count_bits(m[i].allow), 1 + n);
		assert_true(has(p, &m[i], "futex"));
	}
	/* off: the list alone. */
	assert_false(m[2].baseline);
	assert_int_equal(m[2].interpreter_baseline, POLICY_FALSE);
	assert_int_equal(count_bits(m[2].allow), 1);
	assert_false(has(p, &m[2], "futex"));
	/* Lists written before the baseline existed (futex, mmap listed) load alike. */
	assert_true(m[3].baseline);
	assert_int_equal(count_bits(m[3].allow), 1 + n);
	assert_false(m[4].baseline);
	assert_int_equal(count_bits(m[4].allow), 3);
	assert_true(has(p, &m[4], "futex"));
	assert_false(has(p, &m[4], "munmap"));
	/* No list: no baseline to speak of, everything but the groups. */
	assert_false(m[5].baseline);
	assert_int_equal(count_bits(m[5].allow), 1024 - NSHELL - 21 - 1);
	/* Absent process_default: no list, allows everything. */
	assert_false(p->process_default.baseline);
	release(p);

	/* process_default lists get it too. */
	p = parse_ok("process_default: {syscalls: [read]}\n");
	assert_int_equal(own_bits(p, &p->process_default), 1);
	release(p);
	p = parse_ok("process_default: {syscalls: [read], interpreter_baseline: false}\n");
	assert_false(p->process_default.baseline);
	assert_int_equal(count_bits(p->process_default.allow), 1 + 1); /* and ctypes */
	release(p);

	/* aarch64 has every entry but the x86_64 probe trampolines'. */
	p = parse_ok_arch("modules: {a: {syscalls: []}}\n", "aarch64");
	assert_int_equal(count_bits(p->modules[0].allow), n - 2);
	release(p);
}

/* The top-level key is the default of every list; a module's own key wins. */
static void test_interpreter_baseline_top(void **state)
{
	struct policy *p = parse_ok("interpreter_baseline: false\n"
				    "process_default: {syscalls: [read, futex]}\n"
				    "modules:\n"
				    "  a: {syscalls: [read]}\n"
				    "  b: {syscalls: [read], interpreter_baseline: true}\n"
				    "  c: {allow_networking: true}\n");
	size_t n;

	(void)state;
	policy_interpreter_baseline(&n);
	n++; /* and <thread name> */
	assert_int_equal(p->interpreter_baseline, POLICY_FALSE);
	assert_false(p->process_default.baseline);
	/* and ctypes (process-wide, unset allows it); no open: no file writes anywhere */
	assert_int_equal(count_bits(p->process_default.allow), 2 + 1);
	assert_false(p->modules[0].baseline);
	assert_int_equal(count_bits(p->modules[0].allow), 1);
	assert_true(p->modules[1].baseline);
	assert_int_equal(count_bits(p->modules[1].allow), 1 + n);
	assert_false(p->modules[2].baseline);
	assert_int_equal(count_bits(p->modules[2].allow), 1024 - NSHELL - 1);
	release(p);

	p = parse_ok("interpreter_baseline: true\nmodules: {a: {syscalls: [read]}}\n");
	assert_int_equal(p->interpreter_baseline, POLICY_TRUE);
	assert_int_equal(own_bits(p, &p->modules[0]), 1);
	release(p);
	p = parse_ok("modules: {a: {syscalls: [read]}}\n");
	assert_int_equal(p->interpreter_baseline, POLICY_UNSET);
	release(p);
}

static void test_process_default(void **state)
{
	struct policy *p;

	(void)state;
	/* Unset means allowed in the baseline. */
	p = parse_ok("\n"
		     "process_default:\n"
		     "  action: log\n");
	assert_true(p->has_process_default);
	assert_int_equal(p->nr_modules, 0);
	assert_null(p->modules);
	assert_int_equal(p->process_default.line, 2);
	assert_int_equal(p->process_default.column, 1);
	assert_int_equal(p->process_default.allow_shell, POLICY_UNSET);
	assert_int_equal(p->process_default.action, SECIMPORT_ACT_LOG);
	assert_int_equal(p->action, KILL);
	assert_int_equal(count_bits(p->process_default.allow), 1024);
	release(p);

	p = parse_ok("process_default: {allow_shell: false}\n");
	assert_shell(p, &p->process_default, false);
	assert_network(p, &p->process_default, true);
	assert_true(policy_allows(p->process_default.allow, THREAD));
	assert_int_equal(count_bits(p->process_default.allow), 1024 - NSHELL);
	release(p);

	p = parse_ok("process_default: {syscalls: [read, socket]}\n");
	assert_int_equal(own_bits(p, &p->process_default), 2);
	release(p);

	/* An empty value is the defaults, like for modules. */
	p = parse_ok("process_default:\n");
	assert_true(p->has_process_default);
	assert_int_equal(count_bits(p->process_default.allow), 1024);
	release(p);
}

static void test_actions(void **state)
{
	struct policy *p = parse_ok("action: log\n"
				    "process_default: {}\n"
				    "modules:\n"
				    "  a:\n"
				    "  b: {action: kill}\n"
				    "  c: {action: log}\n");

	(void)state;
	assert_int_equal(p->action, SECIMPORT_ACT_LOG);
	assert_int_equal(p->process_default.action, SECIMPORT_ACT_LOG);
	assert_int_equal(p->modules[0].action, SECIMPORT_ACT_LOG);
	assert_int_equal(p->modules[1].action, KILL);
	assert_int_equal(p->modules[2].action, SECIMPORT_ACT_LOG);

	policy_override_action(p, KILL);
	assert_int_equal(p->process_default.action, KILL);
	assert_int_equal(p->modules[0].action, KILL);
	assert_int_equal(p->modules[2].action, KILL);
	release(p);

	/* The top-level action may come after the modules. */
	p = parse_ok("modules: {a: }\naction: log\n");
	assert_int_equal(p->modules[0].action, SECIMPORT_ACT_LOG);
	release(p);

	/* location: where the module was when the policy was written */
	p = parse_ok("modules:\n  a: {location: /opt/a.py}\n  b:\n");
	assert_string_equal(p->modules[0].location, "/opt/a.py");
	assert_null(p->modules[1].location);
	release(p);

	/* deny and deny+kill (whether the kernel can refuse is checked at load). */
	p = parse_ok("action: deny\nprocess_default: {action: deny+kill}\n"
		     "modules:\n  a:\n  b: {action: deny+kill}\n");
	assert_int_equal(p->action, SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY);
	assert_int_equal(p->modules[0].action, SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY);
	assert_int_equal(p->modules[1].action,
			 SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL);
	assert_int_equal(p->process_default.action,
			 SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL);
	release(p);
}

static void test_action_names(void **state)
{
	(void)state;
	assert_string_equal(policy_action_name(SECIMPORT_ACT_LOG), "log");
	assert_string_equal(policy_action_name(KILL), "kill");
	assert_string_equal(policy_action_name(SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY), "deny");
	assert_string_equal(
	    policy_action_name(SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL),
	    "deny+kill");
	assert_string_equal(policy_action_name(0), "unknown");
	assert_int_equal(policy_action_parse("log"), SECIMPORT_ACT_LOG);
	assert_int_equal(policy_action_parse("kill"), KILL);
	assert_int_equal(policy_action_parse("deny"), SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY);
	assert_int_equal(policy_action_parse("deny+kill"),
			 SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL);
	assert_int_equal(policy_action_parse("Kill"), 0);
	assert_int_equal(policy_action_parse(""), 0);
	assert_int_equal(policy_action_parse(NULL), 0);
}

static void test_names_and_order(void **state)
{
	struct policy *p = parse_ok("modules:\n"
				    "  zeta:\n"
				    "  /opt/app/lib/:\n"
				    "  _private._x1:\n"
				    "  \"/usr/lib/python3/dist-packages/requests\":\n"
				    "  /:\n"
				    "  alpha: {}\n");
	static const char *const names[] = {
		"zeta", "/opt/app/lib/", "_private._x1", "/usr/lib/python3/dist-packages/requests",
		"/",	"alpha",
	};
	size_t i;

	(void)state;
	assert_int_equal(p->nr_modules, ARRAY_SIZE(names));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		assert_string_equal(p->modules[i].name, names[i]);
		assert_int_equal(p->modules[i].line, i + 2);
		assert_int_equal(p->modules[i].column, 3);
	}
	release(p);
}

static void test_flow_positions(void **state)
{
	struct policy *p = parse_ok("{modules: {a: {}, b.c: null}}");

	(void)state;
	assert_int_equal(p->nr_modules, 2);
	assert_int_equal(p->modules[0].line, 1);
	assert_int_equal(p->modules[0].column, 12);
	assert_int_equal(p->modules[1].column, 19);
	release(p);
}

static char *many_modules(unsigned int n)
{
	size_t size = 16 + (size_t)n * 16, o;
	char *s = malloc(size);
	unsigned int i;

	assert_non_null(s);
	o = (size_t)snprintf(s, size, "modules:\n");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, size - o, "  m%u:\n", i);
	return s;
}

static void test_max_modules(void **state)
{
	char *yaml = many_modules(SECIMPORT_MAX_MODULES - 1);
	struct policy *p = parse_ok(yaml);

	(void)state;
	assert_int_equal(p->nr_modules, 63);
	assert_string_equal(p->modules[62].name, "m62");
	release(p);
	free(yaml);
}

static void test_max_path(void **state)
{
	char yaml[512], path[SECIMPORT_PATH_MAX];
	struct policy *p;

	(void)state;
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[SECIMPORT_PATH_MAX - 2] = '\0'; /* 250 bytes: the longest accepted */
	snprintf(yaml, sizeof(yaml), "modules:\n  %s:\n", path);
	p = parse_ok(yaml);
	assert_int_equal(strlen(p->modules[0].name), SECIMPORT_PATH_MAX - 2);
	release(p);
}

static void test_aarch64(void **state)
{
	struct policy *p = parse_ok_arch("modules:\n"
					 "  s: {syscalls: ['@shell', openat]}\n"
					 "  d: {}\n"
					 "  t: {syscalls: [read], allow_shell: true}\n",
					 "aarch64");
	const struct policy_module *s = &p->modules[0], *d = &p->modules[1], *t = &p->modules[2];

	(void)state;
	assert_int_equal(syscall_lookup(p->table, "fork"), -1);
	/* fork and vfork do not exist there: skipped, not an error. */
	assert_true(policy_allows(s->allow, 220)); /* clone */
	assert_true(policy_allows(s->allow, 221)); /* execve */
	assert_true(policy_allows(s->allow, 56)); /* openat */
	assert_true(policy_allows(s->allow, THREAD));
	assert_shell(p, s, true);
	assert_int_equal(own_bits(p, s), NSHELL_A64 + 1 + 1 + 1); /* and rt_sigaction */
	assert_false(policy_allows(d->allow, 220));
	assert_false(policy_allows(d->allow, 221));
	assert_false(policy_allows(d->allow, 198)); /* socket */
	assert_true(policy_allows(d->allow, 63)); /* read */
	assert_true(policy_allows(d->allow, THREAD));
	assert_int_equal(count_bits(d->allow), 1024 - NSHELL_A64 - 21 - 1);
	assert_int_equal(own_bits(p, t), 1 + NSHELL_A64 + 1);
	release(p);
}

static void test_comments_and_document_markers(void **state)
{
	struct policy *p = parse_ok("# leading comment\n"
				    "%YAML 1.1\n"
				    "---\n"
				    "modules:   # trailing\n"
				    "  json:\n"
				    "...\n");

	(void)state;
	assert_int_equal(p->nr_modules, 1);
	assert_int_equal(p->modules[0].line, 5);
	release(p);
}

static void test_free_twice(void **state)
{
	struct policy *p = parse_ok("modules: {a: }\n");

	(void)state;
	policy_free(p);
	policy_free(p); /* freeing an empty policy is a no-op */
	policy_free(NULL);
	free(p);
}

/* ---- files ---- */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_parse_file(void **state)
{
	char path[] = "/tmp/secimport-policy-XXXXXX";
	static const char yaml[] = "modules:\n  json: {allow_networking: true}\n";
	struct policy_diag d;
	struct policy p;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, yaml, strlen(yaml));
	assert_int_equal(policy_parse_file(&p, path, arch("x86_64"), &d), 0);
	assert_string_equal(p.source, path);
	assert_string_equal(p.modules[0].name, "json");
	assert_network(&p, &p.modules[0], true);
	policy_free(&p);

	/* Errors name the file. */
	write_file(path, "modules:\n  json: {allow_shell: 1}\n", 34);
	assert_int_equal(policy_parse_file(&p, path, arch("x86_64"), &d), -1);
	assert_true(strncmp(d.msg, path, strlen(path)) == 0);
	assert_string_equal(d.msg + strlen(path),
			    ":2:23: error: allow_shell must be true or false, not '1': write true "
			    "or false");
	unlink(path);
}

static void test_parse_file_errors(void **state)
{
	struct policy_diag d;
	struct policy p;
	char path[] = "/tmp/secimport-policy-XXXXXX";
	size_t big = 1024 * 1024;
	char *buf;
	int fd;

	(void)state;
	memset(&p, 0xaa, sizeof(p));
	assert_int_equal(policy_parse_file(&p, "/nonexistent/p.yaml", NULL, &d), -1);
	assert_string_equal(
	    d.msg, "/nonexistent/p.yaml: error: cannot read policy: No such file or directory");
	assert_null(p.source);
	assert_null(p.modules);

	assert_int_equal(policy_parse_file(&p, "/tmp", NULL, &d), -1);
	assert_string_equal(d.msg, "/tmp: error: cannot read policy: Is a directory");

	/* Exactly 1 MiB is read (and parsed); one byte more is refused. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	buf = malloc(big + 1);
	assert_non_null(buf);
	memset(buf, '#', big + 1);
	buf[0] = 'm';
	memcpy(buf, "modules: {a: }\n", 15);
	write_file(path, buf, big);
	assert_int_equal(policy_parse_file(&p, path, NULL, &d), 0);
	policy_free(&p);
	write_file(path, buf, big + 1);
	assert_int_equal(policy_parse_file(&p, path, NULL, &d), -1);
	assert_non_null(strstr(d.msg, ": error: policy is larger than 1 MiB"));
	assert_int_equal(policy_parse_buffer(&p, "big", buf, big + 1, NULL, &d), -1);
	assert_string_equal(d.msg, "big: error: policy is 1048577 bytes; the limit is 1 MiB");
	free(buf);
	unlink(path);
}

/* ---- errors: each one with its position and message ---- */

struct error_case {
	const char *name;
	const char *yaml;
	size_t len; /* 0: strlen(yaml) */
	const char *arch; /* NULL: x86_64 */
	const char *where; /* "LINE:COL" */
	const char *msg; /* the whole message, or a prefix when partial */
	bool partial;
};

#define E(n, y, w, m)                                      \
	{                                                  \
		.name = n, .yaml = y, .where = w, .msg = m \
	}
#define EP(n, y, w, m)                                                      \
	{                                                                   \
		.name = n, .yaml = y, .where = w, .msg = m, .partial = true \
	}
#define EA(n, a, y, w, m)                                             \
	{                                                             \
		.name = n, .yaml = y, .arch = a, .where = w, .msg = m \
	}

static const char empty_msg[] =
    "policy is empty: it must have a `modules:` mapping or a `process_default:`";
static const char name_msg[] = "write an importable name such as 'pkg.mod', or an absolute "
			       "path such as '/opt/app/lib' without '.', '..' or empty components";

static char too_many[16 + 64 * 16];
static char long_path[SECIMPORT_PATH_MAX + 32];

static struct error_case error_cases[] = {
	/* empty policies */
	E("empty file", "", "1:1", empty_msg),
	E("only comments", "# nothing\n\n# here\n", "1:1", empty_msg),
	E("null document", "---\n", "1:1", empty_msg),
	E("tilde document", "~\n", "1:1", empty_msg),
	E("empty mapping", "{}\n", "1:1", empty_msg),
	E("version only", "\nversion: 1\n", "2:1", empty_msg),
	E("modules empty", "action: log\nmodules: {}\n", "2:1", empty_msg),
	E("modules null", "action: log\nmodules:\n", "2:1", empty_msg),
	/* top level */
	E("top level list", "- a\n- b\n", "1:1",
	  "the top level of a policy must be a mapping with the keys version, action, "
	  "process_default, modules"),
	E("top level scalar", "modules\n", "1:1",
	  "the top level of a policy must be a mapping with the keys version, action, "
	  "process_default, modules"),
	E("unknown top key", "modules: {a: }\nmodlues: {}\n", "2:1",
	  "unknown key 'modlues' at the top level (did you mean 'modules'?); valid keys are: "
	  "version, action, process_default, modules, cgroup, interpreter_baseline"),
	E("unknown top key no hint", "modules: {a: }\nfoo: 1\n", "2:1",
	  "unknown key 'foo' at the top level; valid keys are: version, action, "
	  "process_default, modules, cgroup, interpreter_baseline"),
	E("bad cgroup", "modules: {a: }\ncgroup: ../x\n", "2:9",
	  "cgroup must be a cgroup v2 directory: absolute, or relative to the cgroup v2 root, "
	  "without '..'"),
	E("empty cgroup", "modules: {a: }\ncgroup:\n", "2:1",
	  "cgroup must be a cgroup v2 directory: absolute, or relative to the cgroup v2 root, "
	  "without '..'"),
	E("non-string top key", "[a]: 1\n", "1:1", "keys must be strings, not a list"),
	E("duplicate top key", "modules: {a: }\naction: log\nmodules: {b: }\n", "3:1",
	  "duplicate key 'modules' (first at line 1): keep one"),
	E("version 2", "version: 2\nmodules: {a: }\n", "1:10",
	  "unsupported policy version '2': this secimport reads version 1"),
	E("version quoted", "version: \"1\"\nmodules: {a: }\n", "1:10",
	  "version must be the number 1, without quotes"),
	E("version list", "version: [1]\nmodules: {a: }\n", "1:10", "version must be 1"),
	E("version null", "version:\nmodules: {a: }\n", "1:1", "version must be 1"),
	E("modules list", "modules:\n  - json\n", "2:3",
	  "modules must be a mapping from module name to its settings, e.g. `modules: {json: "
	  "{allow_shell: false}}`"),
	/* actions */
	E("unknown action", "action: block\nmodules: {a: }\n", "1:9",
	  "unknown action 'block': use kill, log, deny or deny+kill"),
	E("action case", "modules: {a: {action: KILL}}\n", "1:23",
	  "unknown action 'KILL': use kill, log, deny or deny+kill"),
	E("action null", "modules:\n  a:\n    action:\n", "3:5",
	  "action must be kill, log, deny or deny+kill"),
	E("write_paths empty", "modules: {a: {write_paths: []}}\n", "1:28",
	  "write_paths must be a non-empty list of directories such as [/var/cache/app]; to "
	  "refuse every write, say allow_file_write: false"),
	E("write_paths scalar", "modules: {a: {write_paths: /tmp}}\n", "1:28",
	  "write_paths must be a non-empty list of directories such as [/var/cache/app]; to "
	  "refuse every write, say allow_file_write: false"),
	E("write_paths relative", "modules: {a: {write_paths: [/tmp, cache]}}\n", "1:35",
	  "write_paths entries must be absolute directory paths without '.', '..' or empty "
	  "components, not 'cache'"),
	E("write_paths dotdot", "modules: {a: {write_paths: [/tmp/../etc]}}\n", "1:29",
	  "write_paths entries must be absolute directory paths without '.', '..' or empty "
	  "components, not '/tmp/../etc'"),
	E("write_paths with allow_file_write true",
	  "modules:\n  a:\n    allow_file_write: true\n    write_paths: [/tmp]\n", "4:5",
	  "module 'a' says allow_file_write: true and write_paths: writes anywhere, or only under "
	  "write_paths? Keep one"),
	E("write_paths in process_default", "process_default: {write_paths: [/tmp]}\n", "1:19",
	  "write_paths belongs to a module's settings, not process_default's"),
	E("location relative", "modules: {a: {location: a.py}}\n", "1:25",
	  "location must be the absolute path the module was found at"),
	/* module settings */
	E("unknown setting", "modules:\n  json:\n    allow_shel: true\n", "3:5",
	  "unknown key 'allow_shel' in the settings of module 'json' (did you mean "
	  "'allow_shell'?); valid keys are: allow_shell, allow_networking, allow_ctypes, "
	  "allow_file_write, syscalls, action, location, interpreter_baseline, write_paths"),
	E("baseline misspelt", "modules:\n  json:\n    interpreter_basline: false\n", "3:5",
	  "unknown key 'interpreter_basline' in the settings of module 'json' (did you mean "
	  "'interpreter_baseline'?); valid keys are: allow_shell, allow_networking, "
	  "allow_ctypes, allow_file_write, syscalls, action, location, interpreter_baseline, "
	  "write_paths"),
	E("baseline not a bool",
	  "modules:\n  a:\n    syscalls: [read]\n    interpreter_baseline: no\n", "4:27",
	  "interpreter_baseline must be true or false, not 'no': write true or false"),
	E("baseline quoted", "modules: {a: {syscalls: [], interpreter_baseline: \"false\"}}\n",
	  "1:51", "interpreter_baseline must be true or false, without quotes"),
	E("baseline empty", "modules:\n  a:\n    syscalls: []\n    interpreter_baseline:\n", "4:5",
	  "interpreter_baseline needs a value: write true or false"),
	E("baseline list", "modules: {a: {syscalls: [], interpreter_baseline: [futex]}}\n", "1:51",
	  "interpreter_baseline must be true or false"),
	E("baseline without list", "modules:\n  a:\n    interpreter_baseline: false\n", "3:5",
	  "interpreter_baseline goes with a syscalls list, and module 'a' has none: without a "
	  "list every syscall but the refused groups is allowed"),
	E("baseline without list in process_default",
	  "process_default:\n  allow_shell: false\n  interpreter_baseline: true\n", "3:3",
	  "interpreter_baseline goes with a syscalls list, and process_default has none: without "
	  "a list every syscall but the refused groups is allowed"),
	E("top baseline not a bool", "interpreter_baseline: 0\nmodules: {a: }\n", "1:23",
	  "interpreter_baseline must be true or false, not '0': write true or false"),
	E("top baseline twice",
	  "interpreter_baseline: false\nmodules: {a: }\ninterpreter_baseline: true\n", "3:1",
	  "duplicate key 'interpreter_baseline' (first at line 1): keep one"),
	EP("unknown setting no hint", "modules:\n  json:\n    paths: [/tmp]\n", "3:5",
	   "unknown key 'paths' in the settings of module 'json'; "),
	EP("unknown process_default key", "process_default:\n  allow_netwrking: true\n", "2:3",
	   "unknown key 'allow_netwrking' in the settings of process_default (did you mean "
	   "'allow_networking'?)"),
	E("duplicate setting",
	  "modules:\n  json:\n    allow_shell: true\n\n    allow_shell: true\n", "5:5",
	  "duplicate key 'allow_shell' (first at line 3): keep one"),
	E("settings scalar", "modules:\n  json: true\n", "2:9",
	  "the settings of module 'json' must be a mapping with the keys allow_shell, "
	  "allow_networking, syscalls, action (or empty for the defaults)"),
	E("settings list", "modules:\n  json: [read]\n", "2:9",
	  "the settings of module 'json' must be a mapping with the keys allow_shell, "
	  "allow_networking, syscalls, action (or empty for the defaults)"),
	E("process_default scalar", "process_default: all\n", "1:18",
	  "the settings of process_default must be a mapping with the keys allow_shell, "
	  "allow_networking, syscalls, action (or empty for the defaults)"),
	/* booleans */
	E("bool yes", "modules:\n  json:\n    allow_shell: yes\n", "3:18",
	  "allow_shell must be true or false, not 'yes': write true or false"),
	E("bool no", "modules:\n  json:\n    allow_networking: no\n", "3:23",
	  "allow_networking must be true or false, not 'no': write true or false"),
	E("bool on", "modules: {json: {allow_shell: on}}\n", "1:31",
	  "allow_shell must be true or false, not 'on': write true or false"),
	E("bool off", "modules: {json: {allow_shell: off}}\n", "1:31",
	  "allow_shell must be true or false, not 'off': write true or false"),
	E("bool 1", "modules: {json: {allow_shell: 1}}\n", "1:31",
	  "allow_shell must be true or false, not '1': write true or false"),
	E("bool TRUE", "modules: {json: {allow_shell: TRUE}}\n", "1:31",
	  "allow_shell must be true or false, not 'TRUE': write true or false"),
	E("bool quoted", "modules: {json: {allow_shell: 'true'}}\n", "1:31",
	  "allow_shell must be true or false, without quotes"),
	E("bool list", "modules: {json: {allow_shell: [true]}}\n", "1:31",
	  "allow_shell must be true or false"),
	E("bool null", "modules:\n  json:\n    allow_shell:\n", "3:5",
	  "allow_shell needs a value: write true or false"),
	/* syscalls */
	E("unknown syscall", "modules:\n  json:\n    syscalls: [read, opne]\n", "3:22",
	  "unknown syscall 'opne' for x86_64 (did you mean 'open'?)"),
	E("unknown syscall block list",
	  "modules:\n  json:\n    syscalls:\n      - read\n      - wirte\n", "5:9",
	  "unknown syscall 'wirte' for x86_64 (did you mean 'write'?)"),
	E("unknown syscall no hint", "modules: {json: {syscalls: [xyzzyq]}}\n", "1:29",
	  "unknown syscall 'xyzzyq' for x86_64"),
	EA("open on aarch64", "aarch64", "modules:\n  json:\n    syscalls: [read, open]\n", "3:22",
	   "unknown syscall 'open' for aarch64 (x86_64 has it but aarch64 does not; use "
	   "'openat')"),
	EA("fork on aarch64", "aarch64", "modules: {json: {syscalls: [fork]}}\n", "1:29",
	   "unknown syscall 'fork' for aarch64 (x86_64 has it but aarch64 does not; use 'clone')"),
	E("unknown group", "modules: {json: {syscalls: ['@files']}}\n", "1:29",
	  "unknown syscall group '@files': the groups are @shell and @network"),
	E("syscalls null", "modules:\n  json:\n    syscalls:\n", "3:5",
	  "syscalls must be a list of syscall names such as [read, write], or [] to allow none"),
	E("syscalls scalar", "modules:\n  json:\n    syscalls: read\n", "3:15",
	  "syscalls must be a list of syscall names such as [read, write], or [] to allow none"),
	E("syscall entry null", "modules: {json: {syscalls: [read, ~]}}\n", "1:35",
	  "syscall list entries must be syscall names or @shell / @network"),
	E("syscall entry mapping", "modules: {json: {syscalls: [read, {a: b}]}}\n", "1:35",
	  "syscall list entries must be syscall names or @shell / @network"),
	{ .name = "syscall with NUL",
	  .yaml = "modules: {json: {syscalls: [\"read\\0x\"]}}\n",
	  .where = "1:29",
	  .msg = "unknown syscall 'read\\x00x' for x86_64" },
	/* module names */
	E("name digit", "modules:\n  1json:\n", "2:3", NULL),
	E("name dash", "modules:\n  my-mod:\n", "2:3", NULL),
	E("name double dot", "modules:\n  a..b:\n", "2:3", NULL),
	E("name trailing dot", "modules:\n  a.b.:\n", "2:3", NULL),
	E("name leading dot", "modules:\n  .a:\n", "2:3", NULL),
	E("name relative path", "modules:\n  lib/json:\n", "2:3", NULL),
	E("name dotdot", "modules:\n  /usr/../etc:\n", "2:3", NULL),
	E("name dot", "modules:\n  /usr/./lib:\n", "2:3", NULL),
	E("name trailing dotdot", "modules:\n  /usr/lib/..:\n", "2:3", NULL),
	E("name double slash", "modules:\n  /usr//lib:\n", "2:3", NULL),
	E("name empty", "modules:\n  '': {}\n", "2:3", NULL),
	E("name space", "modules:\n  'json ': {}\n", "2:3", NULL),
	E("name unicode", "modules:\n  caf\xc3\xa9:\n", "2:3", NULL),
	{ .name = "name NUL",
	  .yaml = "modules:\n  \"/a\\0b\":\n",
	  .where = "2:3",
	  .msg = "invalid module name '/a\\x00b': ",
	  .partial = true },
	E("name list", "modules:\n  [a]: {}\n", "2:3", "module names must be strings, not a list"),
	{ .name = "path too long",
	  .yaml = long_path,
	  .where = "2:3",
	  .msg = "module path is 251 bytes long; at most 250 are supported" },
	E("duplicate module", "modules:\n  json:\n  yaml:\n  json: {allow_shell: true}\n", "4:3",
	  "module 'json' is listed twice (first at line 2): merge the two entries"),
	E("duplicate module quoted", "modules:\n  json:\n  \"json\":\n", "3:3",
	  "module 'json' is listed twice (first at line 2): merge the two entries"),
	{ .name = "too many modules",
	  .yaml = too_many,
	  .where = "65:3",
	  .msg = "too many modules: a policy holds at most 63 (slot 0 is process_default)" },
	/* YAML features policies refuse */
	E("anchor", "modules:\n  json: &s {allow_shell: true}\n  yaml: *s\n", "2:9",
	  "aliases are not supported in policies: remove the anchor '&s'"),
	E("alias key", "process_default: {}\nmodules:\n  *x : {}\n", "3:3",
	  "aliases are not supported in policies: write the value out instead of '*x'"),
	E("tag", "modules:\n  json: {allow_shell: !!bool true}\n", "2:23",
	  "YAML tags are not supported in policies: remove the tag '!!bool'"),
	E("two documents", "modules: {a: }\n---\nmodules: {b: }\n", "2:1",
	  "a policy is a single YAML document: remove this '---' and merge what follows into "
	  "the first document"),
	E("two empty documents", "---\n---\n", "2:1",
	  "a policy is a single YAML document: remove this '---' and merge what follows into "
	  "the first document"),
	/* syntax and encoding: libyaml's own text */
	E("syntax missing colon", "modules:\n  json:\n   x: 1\n  y\n", "5:1",
	  "could not find expected ':' (while scanning a simple key that starts at line 4, "
	  "column 3)"),
	E("syntax unclosed flow", "modules: {a: [read\n", "2:1",
	  "did not find expected ',' or ']' (while parsing a flow sequence that starts at line "
	  "1, column 14)"),
	E("syntax tab", "modules:\n\tjson:\n", "2:1",
	  "found character that cannot start any token (while scanning for the next token "
	  "that starts at line 2, column 1)"),
	E("invalid utf-8", "modules:\n  j\xffson:\n", "2:4",
	  "invalid leading UTF-8 octet (byte 0xff): a policy must be UTF-8 text"),
	E("truncated utf-8", "modules:\n  caf\xc3", "2:6",
	  "incomplete UTF-8 octet sequence: a policy must be UTF-8 text"),
	{ .name = "NUL byte",
	  .yaml = "modules:\n  a\0b:\n",
	  .len = 16,
	  .where = "2:4",
	  .msg = "control characters are not allowed (byte 0x00)" },
	E("utf-16 bom", "\xff\xfem\0o\0", "1:1",
	  "invalid leading UTF-8 octet (byte 0xff): a policy must be UTF-8 text"),
};

static void run_error_case(void **state)
{
	const struct error_case *ec = *state;
	const char *archname = ec->arch ? ec->arch : "x86_64";
	size_t len = ec->len ? ec->len : strlen(ec->yaml);
	struct policy p, zero;
	struct policy_diag d;
	char prefix[64];

	memset(&p, 0x5a, sizeof(p));
	memset(&zero, 0, sizeof(zero));
	memset(d.msg, 'x', sizeof(d.msg));
	assert_int_equal(policy_parse_buffer(&p, SRC, ec->yaml, len, arch(archname), &d), -1);
	/* Nothing to free after an error. */
	assert_memory_equal(&p, &zero, sizeof(p));
	assert_non_null(memchr(d.msg, '\0', sizeof(d.msg)));

	snprintf(prefix, sizeof(prefix), SRC ":%s: error: ", ec->where);
	if (strncmp(d.msg, prefix, strlen(prefix)))
		print_error("got: %s\n", d.msg);
	assert_true(strncmp(d.msg, prefix, strlen(prefix)) == 0);
	if (!ec->msg) {
		/* Module-name cases: the message explains the accepted forms. */
		if (strncmp(ec->name, "name ", 5) == 0) {
			assert_non_null(strstr(d.msg, "invalid module name '"));
			assert_non_null(strstr(d.msg, name_msg));
		}
		return;
	}
	if (ec->partial) {
		if (strncmp(d.msg + strlen(prefix), ec->msg, strlen(ec->msg)))
			print_error("got: %s\n", d.msg);
		assert_true(strncmp(d.msg + strlen(prefix), ec->msg, strlen(ec->msg)) == 0);
		return;
	}
	assert_string_equal(d.msg + strlen(prefix), ec->msg);
}

static void test_error_null_diag(void **state)
{
	struct policy p;

	(void)state;
	/* A NULL diag and NULL table (native) are tolerated. */
	assert_int_equal(policy_parse_buffer(&p, NULL, "modules: 1\n", 11, NULL, NULL), -1);
	assert_int_equal(policy_parse_buffer(&p, NULL, NULL, 0, NULL, NULL), -1);
	assert_int_equal(policy_parse_buffer(&p, NULL, "modules: {a: }", 14, NULL, NULL), 0);
	assert_string_equal(p.source, "<policy>");
	assert_ptr_equal(p.table, syscall_table_native());
	policy_free(&p);
}

/* Several policy files loaded as one (load --policy A --policy B). */
static void test_append(void **state)
{
	struct policy *a = parse_ok("modules:\n  a:\n    allow_shell: false\n");
	struct policy *b = parse_ok("process_default:\n  allow_networking: false\n"
				    "modules:\n  b:\n    action: log\n  c: {}\n");
	struct policy *dup = parse_ok("modules:\n  x: {}\n  a: {}\n");
	struct policy *pd = parse_ok("process_default: {allow_shell: true}\n");
	struct policy_diag d;

	(void)state;
	assert_int_equal(policy_append(a, b, &d), 0);
	assert_int_equal(a->nr_modules, 3);
	assert_string_equal(a->modules[1].name, "b");
	assert_int_equal(a->modules[1].action, SECIMPORT_ACT_LOG);
	assert_true(a->has_process_default);
	assert_false(policy_allows_name(a->table, a->process_default.allow, "socket"));
	assert_int_equal(b->nr_modules, 0); /* moved, and b freed */

	/* A module in both: refused, naming where; both left intact. */
	assert_int_equal(policy_append(a, dup, &d), -1);
	assert_non_null(strstr(d.msg, "test.yaml:3:3: error: module 'a' is also in"));
	assert_int_equal(a->nr_modules, 3);
	assert_int_equal(dup->nr_modules, 2);
	/* process_default in both: refused. */
	assert_int_equal(policy_append(a, pd, &d), -1);
	assert_non_null(strstr(d.msg, "process_default is also in"));
	/* Policies of different cgroup scopes do not combine. */
	struct policy *scoped = parse_ok("cgroup: pods/a\nmodules:\n  y: {}\n");

	assert_string_equal(scoped->cgroup, "pods/a");
	assert_int_equal(policy_append(a, scoped, &d), -1);
	assert_non_null(strstr(d.msg, "cgroup scope differs"));
	policy_free(scoped);
	free(scoped);

	policy_free(a);
	policy_free(dup);
	policy_free(pd);
	free(a);
	free(b);
	free(dup);
	free(pd);
}

/* Where a registered module may live: a valid path or a frozen module. */
static void test_location_valid(void **state)
{
	static const char *const good[] = { "/usr/lib/python3.11/json/", "/a/b.py", "<frozen os>",
					    "<frozen importlib._bootstrap>" };
	static const char *const bad[] = {
		"relative.py",	"/a/../b.py",	 "<frozen >", "<frozen os",
		"<frozen a b>", "<frozen ../x>", "",	      "/a//b.py"
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_true(policy_location_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(policy_location_valid(bad[i], strlen(bad[i])));
}

static void setup_generated_cases(void)
{
	size_t o, i;

	o = (size_t)snprintf(too_many, sizeof(too_many), "modules:\n");
	for (i = 0; i < SECIMPORT_MAX_MODULES; i++)
		o += (size_t)snprintf(too_many + o, sizeof(too_many) - o, "  m%zu:\n", i);

	o = (size_t)snprintf(long_path, sizeof(long_path), "modules:\n  /");
	for (i = 1; i < SECIMPORT_PATH_MAX - 1; i++)
		long_path[o++] = 'a';
	snprintf(long_path + o, sizeof(long_path) - o, ":\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_defaults),
		cmocka_unit_test(test_allowlist_exact),
		cmocka_unit_test(test_allowlist_empty),
		cmocka_unit_test(test_pseudo_derive),
		cmocka_unit_test(test_allow_ctypes),
		cmocka_unit_test(test_allow_file_write),
		cmocka_unit_test(test_write_paths),
		cmocka_unit_test(test_thread_bit_from_clone),
		cmocka_unit_test(test_groups_in_list),
		cmocka_unit_test(test_allow_flags_with_list),
		cmocka_unit_test(test_allow_flags_without_list),
		cmocka_unit_test(test_interpreter_baseline),
		cmocka_unit_test(test_interpreter_baseline_top),
		cmocka_unit_test(test_process_default),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_names_and_order),
		cmocka_unit_test(test_flow_positions),
		cmocka_unit_test(test_max_modules),
		cmocka_unit_test(test_max_path),
		cmocka_unit_test(test_aarch64),
		cmocka_unit_test(test_comments_and_document_markers),
		cmocka_unit_test(test_free_twice),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_parse_file_errors),
		cmocka_unit_test(test_error_null_diag),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_location_valid),
	};
	struct CMUnitTest error_tests[ARRAY_SIZE(error_cases)];
	size_t i;
	int failed;

	setup_generated_cases();
	for (i = 0; i < ARRAY_SIZE(error_cases); i++) {
		error_tests[i] = (struct CMUnitTest){
			.name = error_cases[i].name,
			.test_func = run_error_case,
			.initial_state = &error_cases[i],
		};
	}
	failed = cmocka_run_group_tests_name("policy", tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("policy errors", error_tests, NULL, NULL);
	return failed;
}

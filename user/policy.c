// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Policy files. yaml_tree.c turns the YAML into a small node tree first (it
 * keeps every node's position and refuses anchors, aliases, tags and extra
 * documents, which libyaml's document API would silently resolve), then the
 * tree is checked here and compiled into syscall bitmaps.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "yaml_tree.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define POLICY_MAX_USER_MODULES (SECIMPORT_MAX_MODULES - 1)
/* The path plus its NUL must fit SECIMPORT_PATH_MAX with a byte to spare. */
/* Longest word for which a "did you mean" is computed. */
#define SUGGEST_MAX 64

#define ACT_KILL (SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL)

struct ctx {
	struct yaml_tree_diag err;
	const struct syscall_table *table;
	struct policy *p; /* the result */
};

static const char *const top_keys[] = { "version", "action", "process_default",
					"modules", "cgroup", "interpreter_baseline" };
static const char *const settings_keys[] = {
	"allow_shell", "allow_networking", "allow_ctypes",	   "allow_file_write", "syscalls",
	"action",      "location",	   "interpreter_baseline", "write_paths"
};

static const char *const shell_group[] = {
	"fork",
	"vfork",
	"clone",
	"clone3",
	"execve",
	"execveat",
	/*
	 * Writing into another process is execution by proxy; so is reading
	 * its memory or taking its file descriptors (its secrets, its sockets).
	 */
	"ptrace",
	"process_vm_writev",
	"process_vm_readv",
	"pidfd_getfd",
	/*
	 * Mounting puts other content over the application's code (a bind
	 * mount over json.py): execution by proxy too.
	 */
	"mount",
	"umount2",
	"pivot_root",
	"move_mount",
	"open_tree",
	"fsopen",
	"fsmount",
	"fsconfig",
	"mount_setattr",
};

/*
 * Changing the file system besides opening for writing (which is
 * SECIMPORT_NR_FILE_WRITE): creating, renaming, linking, unlinking,
 * truncating, growing; modes, owners, times and extended attributes (as
 * root, security.capability grants file capabilities). openat2's flags are
 * in user memory, where they can change after a look: it counts as
 * writing. io_uring, which opens, renames and unlinks by itself, is in the
 * network group (a group of its own each, for the writer's round trip).
 */
static const char *const file_write_group[] = {
	"creat",       "truncate",     "ftruncate",    "fallocate",  "rename",
	"renameat",    "renameat2",    "unlink",       "unlinkat",   "rmdir",
	"mkdir",       "mkdirat",      "link",	       "linkat",     "symlink",
	"symlinkat",   "mknod",	       "mknodat",      "openat2",    "open_by_handle_at",
	"chmod",       "fchmod",       "fchmodat",     "fchmodat2",  "chown",
	"fchown",      "lchown",       "fchownat",     "utime",	     "utimes",
	"utimensat",   "futimesat",    "setxattr",     "lsetxattr",  "fsetxattr",
	"removexattr", "lremovexattr", "fremovexattr", "setxattrat", "removexattrat",
};

/*
 * Changes of the file-write group that BPF LSM's file hooks do not see land
 * (extended attributes, POSIX ACLs through them, times): a module with
 * write_paths may not make them anywhere.
 */
static const char *const unplaced_writes[] = {
	"setxattr",   "lsetxattr",     "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
	"setxattrat", "removexattrat", "utime",	    "utimes",	   "utimensat",	   "futimesat",
};

static const char *const network_group[] = {
	"socket",
	"socketpair",
	"connect",
	"bind",
	"listen",
	"accept",
	"accept4",
	"sendto",
	"recvfrom",
	"sendmsg",
	"recvmsg",
	"sendmmsg",
	"recvmmsg",
	"shutdown",
	"getsockname",
	"getpeername",
	"setsockopt",
	"getsockopt",
	/* io_uring can open sockets and connect without the socket syscalls. */
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
};

/*
 * The interpreter baseline: what CPython and the C library do by themselves
 * on a thread that runs Python, whatever the Python code asked for. Every
 * `syscalls` list allows it unless it says interpreter_baseline: false.
 *
 * Measured by scripts/measure-baseline.sh: strace -f counts the syscalls of
 * the window in which scripts/baseline/bl_workload.py runs (threads started
 * and joined under lock contention, queues, barriers, timed waits; small and
 * big allocations from many threads at once, containers grown past glibc's
 * largest mmap threshold; garbage cycles and gc.collect(); an interval timer,
 * a signal-sending thread and another process stopping and continuing the
 * program; a return probe on pthread_create, as a profiler would put), and `secimport-bpf trace
 * --no-interpreter-baseline --module bl_workload` confirms that the kernel side attributes them to
 * the module. On CPython 3.8.18, 3.9.18, 3.10.13, 3.11.7, 3.12.1, 3.13.0 (pyenv) and
 * Debian's 3.11.2, glibc 2.36, Linux 6.18, every version made every entry
 * below except clock_gettime and uprobe (see their notes), and nothing else
 * but:
 *   - clone3: creating a thread stays the list's decision (clone or clone3);
 *   - openat, read, close: glibc reads /proc/sys/vm/overcommit_memory once
 *     per process, the first time it trims a thread's heap; 3.8's
 *     pthread_exit loads libgcc_s.so.1 (openat, newfstatat, read, mmap,
 *     close) at the first thread exit. Opening files is never baseline: a
 *     trace records these when they happen under the module.
 * Never here: the shell and network groups, opening or writing files, bpf
 * (test_policy.c checks the first two).
 */
static const struct policy_baseline_entry interpreter_baseline[] = {
	{ "futex", "locks, the GIL, condition variables, joining threads" },
	{ "brk", "the C library's main heap grows and shrinks" },
	{ "mmap", "CPython's arenas, big objects, thread stacks, per-thread C heaps" },
	{ "munmap", "freeing them" },
	{ "mremap", "a big object grown in place (realloc)" },
	{ "madvise", "the C library gives freed memory and thread stacks back" },
	{ "mprotect", "the C library grows a thread's heap; thread stack guards" },
	{ "rt_sigreturn", "the return from every signal handler (CPython installs SIGINT's)" },
	{ "rt_sigprocmask", "the C library masks signals while a thread starts and ends" },
	{ "restart_syscall", "a wait resumes after the process was stopped and continued" },
	{ "gettid", "CPython records each thread's native id" },
	{ "set_robust_list", "the C library sets up each new thread" },
	{ "rseq", "the C library sets up each new thread" },
	{ "exit", "a thread ends" },
	/*
	 * Made by the kernel's trampoline, not by the program: a return probe
	 * that a tracer or profiler put in the process (Linux 6.11+, x86_64).
	 * Measured with the workload's probe on pthread_create; calling it from
	 * anywhere else gets SIGILL.
	 */
	{ "uretprobe", "the return of a function a tracer probes (the kernel's trampoline)" },
	/*
	 * The same for optimized probes on 5-byte nops (Linux 6.16+, x86_64).
	 * Not measured: CPython's own probes are 1-byte nops.
	 */
	{ "uprobe", "a probed 5-byte nop (the kernel's trampoline)" },
	/*
	 * CPython reads the monotonic clock for every timed wait (the GIL's
	 * switch interval, lock and condition timeouts). The vDSO answers it
	 * without a syscall where the clock source allows (tsc, kvm-clock: not
	 * seen on the host); with one it cannot read (hpet, acpi_pm) it is a
	 * syscall. Measured in the VM suite's Debian 6.1 kernel booted with
	 * clocksource=acpi_pm (tests/vm/run.sh, SECIMPORT_VM_APPEND), where
	 * trace --no-interpreter-baseline listed it for bl_workload on Debian's
	 * 3.11.2.
	 */
	{ "clock_gettime", "CPython reads the clock for timed waits, where the vDSO cannot" },
	/*
	 * CPython 3.14 and 3.15 (Debian sid's 3.14.10, 3.15.2; strace of a
	 * thread's start): each new thread reads its CPU affinity, then names
	 * itself (prctl PR_SET_NAME: the pseudo syscall <thread name>, which
	 * policy_baseline_bits adds; other prctl options are not baseline).
	 */
	{ "sched_getaffinity", "a new thread reads its CPU affinity (3.14+)" },
};

const struct policy_baseline_entry *policy_interpreter_baseline(size_t *n)
{
	*n = ARRAY_SIZE(interpreter_baseline);
	return interpreter_baseline;
}

static const char *const known_arches[] = { "x86_64", "aarch64" };

/* ---- diagnostics ---- */

/* Diagnostics are "SOURCE:LINE:COL: error: ...", see yaml_tree_error(). */
#define error_at(c, ...) yaml_tree_error(&(c)->err, __VA_ARGS__)
#define error_node(c, n, ...) error_at((c), (n)->line, (n)->column, __VA_ARGS__)

/* Optimal string alignment distance, case-insensitive. */
static unsigned int edit_distance(const char *a, size_t la, const char *b)
{
	unsigned int d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	size_t lb = strlen(b), i, j;

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return UINT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned int cost =
			    tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			unsigned int v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The closest candidate within a small distance, or NULL. */
static const char *suggest(const char *word, size_t len, const char *const *cands, size_t n)
{
	unsigned int best_d = len <= 3 ? 2 : 3; /* i.e. accept 1, resp. 2 edits */
	const char *best = NULL;
	size_t i;

	if (!len || memchr(word, '\0', len))
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned int d;

		if (!cands[i])
			continue;
		d = edit_distance(word, len, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best;
}

static void join_keys(char *buf, size_t size, const char *const *keys, size_t n)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", keys[i]);
}

/* ---- checking ---- */

/* Key @i of mapping @map must be a string that did not appear before it. */
static int check_key(struct ctx *c, const struct node *map, size_t i, bool module)
{
	const struct node *key = map->items[i], *first;
	char buf[SHOW_BUF];

	if (key->kind != NODE_SCALAR)
		return error_node(c, key, "%s must be strings, not a %s",
				  module ? "module names" : "keys",
				  key->kind == NODE_MAPPING ? "mapping" : "list");
	first = node_earlier_key(map, i);
	if (!first)
		return 0;
	if (module)
		return error_node(c, key,
				  "module '%s' is listed twice (first at line %u): merge the two "
				  "entries",
				  node_show(key, buf), first->line);
	return error_node(c, key, "duplicate key '%s' (first at line %u): keep one",
			  node_show(key, buf), first->line);
}

static int unknown_key(struct ctx *c, const struct node *key, const char *where,
		       const char *const *valid, size_t n)
{
	const char *hint = suggest(key->value, key->len, valid, n);
	char buf[SHOW_BUF], list[256], mean[96] = "";

	join_keys(list, sizeof(list), valid, n);
	if (hint)
		snprintf(mean, sizeof(mean), " (did you mean '%s'?)", hint);
	return error_node(c, key, "unknown key '%s' %s%s; valid keys are: %s", node_show(key, buf),
			  where, mean, list);
}

static int parse_action(struct ctx *c, const struct node *key, const struct node *val,
			unsigned int *action)
{
	char buf[SHOW_BUF];

	if (val->kind != NODE_SCALAR || node_is_null(val))
		return error_node(c, node_is_null(val) ? key : val,
				  "action must be kill, log, deny or deny+kill");
	if (node_is_str(val, "kill")) {
		*action = ACT_KILL;
		return 0;
	}
	if (node_is_str(val, "log")) {
		*action = SECIMPORT_ACT_LOG;
		return 0;
	}
	/* Whether the kernel can refuse is the loader's question, not the policy's. */
	if (node_is_str(val, "deny")) {
		*action = SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY;
		return 0;
	}
	if (node_is_str(val, "deny+kill")) {
		*action = SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL;
		return 0;
	}
	return error_node(c, val, "unknown action '%s': use kill, log, deny or deny+kill",
			  node_show(val, buf));
}

static int parse_bool(struct ctx *c, const struct node *key, const struct node *val, int *out)
{
	char buf[SHOW_BUF];

	if (val->kind == NODE_SCALAR && val->plain) {
		if (node_is_str(val, "true") || node_is_str(val, "True")) {
			*out = POLICY_TRUE;
			return 0;
		}
		if (node_is_str(val, "false") || node_is_str(val, "False")) {
			*out = POLICY_FALSE;
			return 0;
		}
	}
	if (node_is_null(val))
		return error_node(c, key, "%s needs a value: write true or false", key->value);
	if (val->kind != NODE_SCALAR)
		return error_node(c, val, "%s must be true or false", key->value);
	if (!val->plain)
		return error_node(c, val, "%s must be true or false, without quotes", key->value);
	return error_node(c, val, "%s must be true or false, not '%s': write true or false",
			  key->value, node_show(val, buf));
}

static void set_bit(uint64_t *allow, unsigned int nr)
{
	allow[nr / 64] |= (uint64_t)1 << (nr % 64);
}

static void clear_bit(uint64_t *allow, unsigned int nr)
{
	allow[nr / 64] &= ~((uint64_t)1 << (nr % 64));
}

/* Set or clear the group's syscalls; names the arch lacks are skipped. */
static void apply_group(const struct syscall_table *t, uint64_t *allow, const char *const *group,
			size_t n, bool on)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int nr = syscall_lookup(t, group[i]);

		if (nr < 0)
			continue;
		if (on)
			set_bit(allow, (unsigned int)nr);
		else
			clear_bit(allow, (unsigned int)nr);
	}
}

void policy_thread_start_bits(const struct syscall_table *t, uint64_t *allow)
{
	int nr = syscall_lookup(t, "rt_sigaction");

	set_bit(allow, SECIMPORT_NR_THREAD_CREATE);
	/*
	 * glibc's first pthread_create in a process installs its SIGSETXID
	 * handler (rt_sigaction of SIGRT_1, glibc 2.36): a list that may start
	 * threads may start the first one.
	 */
	if (nr >= 0)
		set_bit(allow, (unsigned int)nr);
}

void policy_baseline_bits(const struct syscall_table *t, uint64_t *allow)
{
	for (size_t i = 0; i < ARRAY_SIZE(interpreter_baseline); i++) {
		int nr = syscall_lookup(t, interpreter_baseline[i].name);

		if (nr >= 0)
			set_bit(allow, (unsigned int)nr);
	}
	/* 3.14+ names every thread it starts (prctl PR_SET_NAME). */
	set_bit(allow, SECIMPORT_NR_THREAD_NAME);
}

/*
 * Legacy syscalls that newer ABIs (aarch64) only have in their *at / 2 / p
 * form. Only a hint: the suggestion is used when the table has it.
 */
static const char *const replacements[][2] = {
	{ "open", "openat" },
	{ "creat", "openat" },
	{ "fork", "clone" },
	{ "vfork", "clone" },
	{ "stat", "newfstatat" },
	{ "lstat", "newfstatat" },
	{ "access", "faccessat" },
	{ "mkdir", "mkdirat" },
	{ "rmdir", "unlinkat" },
	{ "unlink", "unlinkat" },
	{ "rename", "renameat2" },
	{ "link", "linkat" },
	{ "symlink", "symlinkat" },
	{ "readlink", "readlinkat" },
	{ "chmod", "fchmodat" },
	{ "chown", "fchownat" },
	{ "lchown", "fchownat" },
	{ "mknod", "mknodat" },
	{ "dup2", "dup3" },
	{ "pipe", "pipe2" },
	{ "poll", "ppoll" },
	{ "select", "pselect6" },
	{ "epoll_wait", "epoll_pwait" },
	{ "epoll_create", "epoll_create1" },
	{ "getdents", "getdents64" },
	{ "utimes", "utimensat" },
	{ "alarm", "setitimer" },
};

static const char *replacement(const struct syscall_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(replacements); i++) {
		if (!strcmp(name, replacements[i][0]) && syscall_lookup(t, replacements[i][1]) >= 0)
			return replacements[i][1];
	}
	return NULL;
}

static int unknown_syscall(struct ctx *c, const struct node *item)
{
	const struct syscall_table *t = c->table;
	char buf[SHOW_BUF], others[128] = "", extra[256] = "";
	const char *hint;
	size_t i, o = 0;

	if (!memchr(item->value, '\0', item->len)) {
		/* Say so when the name is right but the architecture is not. */
		for (i = 0; i < ARRAY_SIZE(known_arches); i++) {
			const struct syscall_table *other = syscall_table_for_arch(known_arches[i]);

			if (!other || other == t || !strcmp(other->arch, t->arch) ||
			    syscall_lookup(other, item->value) < 0)
				continue;
			o += (size_t)snprintf(others + o, sizeof(others) - o, "%s%s", o ? ", " : "",
					      other->arch);
		}
	}
	/* A typo-sized edit of a name another ABI has is rarely the intent. */
	hint = others[0] ? replacement(t, item->value)
			 : suggest(item->value, item->len, t->names, t->nr_count);
	if (others[0] && hint)
		snprintf(extra, sizeof(extra), " (%s has it but %s does not; use '%s')", others,
			 t->arch, hint);
	else if (others[0])
		snprintf(extra, sizeof(extra), " (%s has it but %s does not)", others, t->arch);
	else if (hint)
		snprintf(extra, sizeof(extra), " (did you mean '%s'?)", hint);
	return error_node(c, item, "unknown syscall '%s' for %s%s", node_show(item, buf), t->arch,
			  extra);
}

/* The `syscalls` list, into m->allow (all zero before). */
static int parse_syscalls(struct ctx *c, const struct node *key, const struct node *val,
			  struct policy_module *m)
{
	char buf[SHOW_BUF];
	size_t i;

	if (val->kind != NODE_SEQUENCE)
		return error_node(c, node_is_null(val) ? key : val,
				  "syscalls must be a list of syscall names such as [read, write], "
				  "or [] to allow none");
	for (i = 0; i < val->nr_items; i++) {
		const struct node *item = val->items[i];
		int nr;

		if (item->kind != NODE_SCALAR || node_is_null(item))
			return error_node(c, item,
					  "syscall list entries must be syscall names or @shell / "
					  "@network");
		if (node_is_str(item, "@shell")) {
			apply_group(c->table, m->allow, shell_group, ARRAY_SIZE(shell_group), true);
			continue;
		}
		if (node_is_str(item, "@network")) {
			apply_group(c->table, m->allow, network_group, ARRAY_SIZE(network_group),
				    true);
			continue;
		}
		if (item->value[0] == '@')
			return error_node(c, item,
					  "unknown syscall group '%s': the groups are @shell and "
					  "@network",
					  node_show(item, buf));
		nr = memchr(item->value, '\0', item->len) ? -1
							  : syscall_lookup(c->table, item->value);
		if (nr < 0)
			return unknown_syscall(c, item);
		set_bit(m->allow, (unsigned int)nr);
	}
	m->has_syscalls = true;
	return 0;
}

/*
 * `write_paths`: directories, absolute and spelled plainly (their inodes are
 * looked up when the policy is loaded, so they must exist then).
 */
static int parse_write_paths(struct ctx *c, const struct node *key, const struct node *val,
			     struct policy_module *m)
{
	char buf[SHOW_BUF];

	if (val->kind != NODE_SEQUENCE || !val->nr_items)
		return error_node(c, node_is_null(val) ? key : val,
				  "write_paths must be a non-empty list of directories such as "
				  "[/var/cache/app]; to refuse every write, say allow_file_write: "
				  "false");
	if (val->nr_items > POLICY_MAX_WRITE_PATHS)
		return error_node(c, val, "write_paths lists %zu directories; at most %d",
				  val->nr_items, POLICY_MAX_WRITE_PATHS);
	for (size_t i = 0; i < val->nr_items; i++) {
		const struct node *item = val->items[i];

		if (item->kind != NODE_SCALAR || node_is_null(item) ||
		    !policy_path_valid(item->value, item->len))
			return error_node(c, item,
					  "write_paths entries must be absolute directory paths "
					  "without '.', '..' or empty components, not '%s'",
					  node_show(item, buf));
		m->write_paths[m->nr_write_paths] = strdup(item->value);
		if (!m->write_paths[m->nr_write_paths])
			return error_node(c, item, "out of memory");
		m->nr_write_paths++;
	}
	return 0;
}

/* `location`: where the module was found when the policy was written. */
static int parse_location(struct ctx *c, const struct node *key, const struct node *val,
			  struct policy_module *m)
{
	if (val->kind != NODE_SCALAR || node_is_null(val) || !val->len || val->value[0] != '/' ||
	    strlen(val->value) != val->len)
		return error_node(c, node_is_null(val) ? key : val,
				  "location must be the absolute path the module was found at");
	free(m->location);
	m->location = strdup(val->value);
	return m->location ? 0 : error_node(c, val, "out of memory");
}

/* A module's (or process_default's) settings; m->action stays 0 unless given. */
static int parse_settings(struct ctx *c, const struct node *val, struct policy_module *m,
			  const char *what)
{
	const struct node *baseline_key = NULL, *write_paths_key = NULL;
	char where[SHOW_BUF + 64];
	size_t i;

	snprintf(where, sizeof(where), "in the settings of %s", what);

	m->allow_shell = POLICY_UNSET;
	m->allow_networking = POLICY_UNSET;
	m->allow_ctypes = POLICY_UNSET;
	m->allow_file_write = POLICY_UNSET;
	m->interpreter_baseline = POLICY_UNSET;
	if (node_is_null(val))
		return 0;
	if (val->kind != NODE_MAPPING)
		return error_node(c, val,
				  "the settings of %s must be a mapping with the keys allow_shell, "
				  "allow_networking, syscalls, action (or empty for the defaults)",
				  what);
	for (i = 0; i < val->nr_items; i += 2) {
		const struct node *k = val->items[i], *v = val->items[i + 1];
		int err;

		if (check_key(c, val, i, false))
			return -1;
		if (node_is_str(k, "allow_shell")) {
			err = parse_bool(c, k, v, &m->allow_shell);
		} else if (node_is_str(k, "allow_networking")) {
			err = parse_bool(c, k, v, &m->allow_networking);
		} else if (node_is_str(k, "allow_ctypes")) {
			err = parse_bool(c, k, v, &m->allow_ctypes);
		} else if (node_is_str(k, "allow_file_write")) {
			err = parse_bool(c, k, v, &m->allow_file_write);
		} else if (node_is_str(k, "syscalls")) {
			err = parse_syscalls(c, k, v, m);
		} else if (node_is_str(k, "action")) {
			err = parse_action(c, k, v, &m->action);
		} else if (node_is_str(k, "location")) {
			err = parse_location(c, k, v, m);
		} else if (node_is_str(k, "interpreter_baseline")) {
			baseline_key = k;
			err = parse_bool(c, k, v, &m->interpreter_baseline);
		} else if (node_is_str(k, "write_paths")) {
			write_paths_key = k;
			err = m->nr_write_paths
				  ? error_node(c, k, "write_paths is given twice in %s", what)
				  : parse_write_paths(c, k, v, m);
		} else {
			err = unknown_key(c, k, where, settings_keys, ARRAY_SIZE(settings_keys));
		}
		if (err)
			return -1;
	}
	if (write_paths_key && !strcmp(what, "process_default"))
		return error_node(
		    c, write_paths_key,
		    "write_paths belongs to a module's settings, not process_default's");
	if (write_paths_key && m->allow_file_write == POLICY_TRUE)
		return error_node(
		    c, write_paths_key,
		    "%s says allow_file_write: true and write_paths: writes anywhere, or "
		    "only under write_paths? Keep one",
		    what);
	/* Without a list everything outside the refused groups is allowed already. */
	if (baseline_key && !m->has_syscalls)
		return error_node(
		    c, baseline_key,
		    "interpreter_baseline goes with a syscalls list, and %s has none: "
		    "without a list every syscall but the refused groups is allowed",
		    what);
	return 0;
}

/* ASCII only, whatever the caller's locale says. */
static bool is_ident_char(unsigned char ch, bool first)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
	       (!first && ch >= '0' && ch <= '9');
}

bool policy_import_name_valid(const char *s, size_t len)
{
	bool start = true;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.' && !start) {
			start = true;
		} else if (is_ident_char(ch, start)) {
			start = false;
		} else {
			return false;
		}
	}
	return len && !start;
}

/*
 * Absolute, and spelled the way the kernel reports paths: the locations are
 * matched byte by byte, so '.', '..' and empty components would never match.
 * A trailing '/' is kept: it names a directory prefix.
 */
bool policy_path_valid(const char *s, size_t len)
{
	size_t i = 1;

	if (!len || s[0] != '/' || len > POLICY_MAX_PATH || memchr(s, '\0', len))
		return false;
	while (i < len) {
		size_t end = i;

		while (end < len && s[end] != '/')
			end++;
		if (end - i == 0 && end < len)
			return false; /* "//" */
		if ((end - i == 1 && s[i] == '.') ||
		    (end - i == 2 && s[i] == '.' && s[i + 1] == '.'))
			return false;
		i = end + 1;
	}
	return true;
}

static int parse_modules(struct ctx *c, const struct node *val, struct policy *p)
{
	size_t i, pairs = val->nr_items / 2;

	if (node_is_null(val))
		return 0;
	if (val->kind != NODE_MAPPING)
		return error_node(c, val,
				  "modules must be a mapping from module name to its settings, "
				  "e.g. `modules: {json: {allow_shell: false}}`");
	if (!pairs)
		return 0;
	p->modules = calloc(pairs < POLICY_MAX_USER_MODULES ? pairs : POLICY_MAX_USER_MODULES,
			    sizeof(*p->modules));
	if (!p->modules)
		return error_node(c, val, "out of memory");
	for (i = 0; i < val->nr_items; i += 2) {
		const struct node *k = val->items[i], *v = val->items[i + 1];
		struct policy_module *m;
		char buf[SHOW_BUF], what[SHOW_BUF + 16];

		if (check_key(c, val, i, true))
			return -1;
		if (p->nr_modules == POLICY_MAX_USER_MODULES)
			return error_node(c, k,
					  "too many modules: a policy holds at most %d (slot 0 is "
					  "process_default)",
					  POLICY_MAX_USER_MODULES);
		if (k->len > 0 && k->value[0] == '/' && k->len > POLICY_MAX_PATH)
			return error_node(c, k,
					  "module path is %zu bytes long; at most %d are supported",
					  k->len, POLICY_MAX_PATH);
		if (!policy_import_name_valid(k->value, k->len) &&
		    !policy_path_valid(k->value, k->len))
			return error_node(
			    c, k,
			    "invalid module name '%s': write an importable name such "
			    "as 'pkg.mod', or an absolute path such as '/opt/app/lib' "
			    "without '.', '..' or empty components",
			    node_show(k, buf));
		m = &p->modules[p->nr_modules];
		m->name = strdup(k->value);
		if (!m->name)
			return error_node(c, k, "out of memory");
		p->nr_modules++;
		m->line = k->line;
		m->column = k->column;
		snprintf(what, sizeof(what), "module '%s'", node_show(k, buf));
		if (parse_settings(c, v, m, what))
			return -1;
	}
	return 0;
}

static int parse_version(struct ctx *c, const struct node *key, const struct node *val)
{
	char buf[SHOW_BUF];

	if (val->kind == NODE_SCALAR && val->plain && node_is_str(val, "1"))
		return 0;
	if (val->kind != NODE_SCALAR || node_is_null(val))
		return error_node(c, node_is_null(val) ? key : val, "version must be 1");
	if (!val->plain)
		return error_node(c, val, "version must be the number 1, without quotes");
	return error_node(c, val, "unsupported policy version '%s': this secimport reads version 1",
			  node_show(val, buf));
}

/* A loaded system's scope: the cgroup (v2 path, absolute or under the root). */
static int parse_cgroup(struct ctx *c, const struct node *key, const struct node *val,
			struct policy *p)
{
	if (val->kind != NODE_SCALAR || node_is_null(val) || !val->len ||
	    strlen(val->value) != val->len || strstr(val->value, ".."))
		return error_node(c, node_is_null(val) ? key : val,
				  "cgroup must be a cgroup v2 directory: absolute, or relative to "
				  "the cgroup v2 root, without '..'");
	free(p->cgroup);
	p->cgroup = strdup(val->value);
	return p->cgroup ? 0 : error_node(c, val, "out of memory");
}

static int parse_top(struct ctx *c, const struct node *root, struct policy *p)
{
	static const char empty[] =
	    "policy is empty: it must have a `modules:` mapping or a `process_default:`";
	const struct node *modules_key = NULL;
	size_t i;

	if (!root || node_is_null(root))
		return error_at(c, 1, 1, "%s", empty);
	if (root->kind != NODE_MAPPING)
		return error_node(c, root,
				  "the top level of a policy must be a mapping with the keys "
				  "version, action, process_default, modules");
	for (i = 0; i < root->nr_items; i += 2) {
		const struct node *k = root->items[i], *v = root->items[i + 1];
		int err;

		if (check_key(c, root, i, false))
			return -1;
		if (node_is_str(k, "version")) {
			err = parse_version(c, k, v);
		} else if (node_is_str(k, "action")) {
			err = parse_action(c, k, v, &p->action);
		} else if (node_is_str(k, "process_default")) {
			p->has_process_default = true;
			p->process_default.line = k->line;
			p->process_default.column = k->column;
			err = parse_settings(c, v, &p->process_default, "process_default");
		} else if (node_is_str(k, "modules")) {
			modules_key = k;
			err = parse_modules(c, v, p);
		} else if (node_is_str(k, "cgroup")) {
			err = parse_cgroup(c, k, v, p);
		} else if (node_is_str(k, "interpreter_baseline")) {
			err = parse_bool(c, k, v, &p->interpreter_baseline);
		} else {
			err = unknown_key(c, k, "at the top level", top_keys, ARRAY_SIZE(top_keys));
		}
		if (err)
			return -1;
	}
	if (!p->nr_modules && !p->has_process_default)
		return error_node(c, modules_key ? modules_key : root, "%s", empty);
	return 0;
}

/* ---- compilation ---- */

static bool allows_any(const struct syscall_table *t, const uint64_t *allow,
		       const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (policy_allows_name(t, allow, names[i]))
			return true;
	return false;
}

static const char *const socket_send[] = { "sendto", "sendmsg", "sendmmsg" };
static const char *const socket_recv[] = { "recvfrom", "recvmsg", "recvmmsg" };

void policy_pseudo_derive(const struct syscall_table *t, uint64_t *allow)
{
	clear_bit(allow, SECIMPORT_NR_PROC_MEM);
	clear_bit(allow, SECIMPORT_NR_SOCKET_SEND);
	clear_bit(allow, SECIMPORT_NR_SOCKET_RECV);
	clear_bit(allow, SECIMPORT_NR_TERMINAL_INPUT);
	clear_bit(allow, SECIMPORT_NR_CODE_WRITE);
	if (policy_allows_name(t, allow, "execve")) {
		set_bit(allow, SECIMPORT_NR_TERMINAL_INPUT);
		set_bit(allow, SECIMPORT_NR_CODE_WRITE);
	}
	/* Naming a thread is a prctl: allowed where prctl is (or by the baseline). */
	if (policy_allows_name(t, allow, "prctl"))
		set_bit(allow, SECIMPORT_NR_THREAD_NAME);
	if (allows_any(t, allow, socket_send, ARRAY_SIZE(socket_send)))
		set_bit(allow, SECIMPORT_NR_SOCKET_SEND);
	if (allows_any(t, allow, socket_recv, ARRAY_SIZE(socket_recv)))
		set_bit(allow, SECIMPORT_NR_SOCKET_RECV);
}

void policy_file_write_derive(const struct syscall_table *t, uint64_t *allow)
{
	if (policy_allows_name(t, allow, "open") || policy_allows_name(t, allow, "openat") ||
	    policy_allows_name(t, allow, "creat"))
		set_bit(allow, SECIMPORT_NR_FILE_WRITE);
	else
		clear_bit(allow, SECIMPORT_NR_FILE_WRITE);
}

void policy_file_write_bits(const struct syscall_table *t, uint64_t *bits)
{
	apply_group(t, bits, file_write_group, ARRAY_SIZE(file_write_group), true);
	set_bit(bits, SECIMPORT_NR_FILE_WRITE);
}

void policy_file_write_derive_list(const struct syscall_table *t, uint64_t *allow, bool baseline)
{
	uint64_t with[SECIMPORT_SYSCALL_WORDS];

	memcpy(with, allow, sizeof(with));
	if (baseline)
		policy_baseline_bits(t, with);
	policy_file_write_derive(t, with);
	if (policy_allows(with, SECIMPORT_NR_FILE_WRITE))
		set_bit(allow, SECIMPORT_NR_FILE_WRITE);
	else
		clear_bit(allow, SECIMPORT_NR_FILE_WRITE);
}

int policy_pseudo_stand_in(const struct syscall_table *t, unsigned int nr)
{
	if (nr == SECIMPORT_NR_SOCKET_SEND)
		return syscall_lookup(t, "sendmsg");
	if (nr == SECIMPORT_NR_SOCKET_RECV)
		return syscall_lookup(t, "recvmsg");
	if (nr == SECIMPORT_NR_PROC_MEM)
		return -1;
	if (nr == SECIMPORT_NR_TERMINAL_INPUT || nr == SECIMPORT_NR_CODE_WRITE)
		return syscall_lookup(t, "execve");
	if (nr == SECIMPORT_NR_FILE_WRITE)
		return syscall_lookup(t, "openat");
	if (nr == SECIMPORT_NR_THREAD_NAME)
		return syscall_lookup(t, "prctl");
	return (int)nr;
}

static void compile_module(const struct syscall_table *t, struct policy_module *m,
			   bool process_default, unsigned int top_action, int top_baseline)
{
	int shell = m->allow_shell, net = m->allow_networking;
	int baseline =
	    m->interpreter_baseline != POLICY_UNSET ? m->interpreter_baseline : top_baseline;

	if (!m->has_syscalls)
		memset(m->allow, 0xff, sizeof(m->allow));
	else if (policy_allows_name(t, m->allow, "clone") ||
		 policy_allows_name(t, m->allow, "clone3"))
		policy_thread_start_bits(t, m->allow);
	/* No group member is in the baseline: the flags below cannot undo it. */
	m->baseline = m->has_syscalls && baseline != POLICY_FALSE;
	if (m->baseline)
		policy_baseline_bits(t, m->allow);

	/*
	 * Unset means "forbidden" for a module without its own list (that is
	 * what confining a module is for), "as listed" with a list, and
	 * "allowed" in the process-wide baseline.
	 */
	if (!process_default && !m->has_syscalls) {
		if (shell == POLICY_UNSET)
			shell = POLICY_FALSE;
		if (net == POLICY_UNSET)
			net = POLICY_FALSE;
	}
	if (shell != POLICY_UNSET)
		apply_group(t, m->allow, shell_group, ARRAY_SIZE(shell_group),
			    shell == POLICY_TRUE);
	/* Threads are not "shell": only allow_shell: true adds them. */
	if (shell == POLICY_TRUE)
		set_bit(m->allow, SECIMPORT_NR_THREAD_CREATE);
	if (net != POLICY_UNSET)
		apply_group(t, m->allow, network_group, ARRAY_SIZE(network_group),
			    net == POLICY_TRUE);
	/*
	 * ctypes reaches raw memory: refused unless allowed, also with a list;
	 * process-wide (process_default) it stays allowed unless refused.
	 */
	if (m->allow_ctypes == POLICY_TRUE || (process_default && m->allow_ctypes == POLICY_UNSET))
		set_bit(m->allow, SECIMPORT_NR_CTYPES);
	else
		clear_bit(m->allow, SECIMPORT_NR_CTYPES);
	/*
	 * An open whose flags write is <file write>: allowed where a way to
	 * open is, unless the key says otherwise (true also adds the group).
	 */
	policy_file_write_derive(t, m->allow);
	if (m->allow_file_write != POLICY_UNSET) {
		apply_group(t, m->allow, file_write_group, ARRAY_SIZE(file_write_group),
			    m->allow_file_write == POLICY_TRUE);
		if (m->allow_file_write == POLICY_TRUE)
			set_bit(m->allow, SECIMPORT_NR_FILE_WRITE);
		else
			clear_bit(m->allow, SECIMPORT_NR_FILE_WRITE);
	}
	/*
	 * write_paths: file changes pass syscall entry (where a name cannot be
	 * trusted) and are judged by BPF LSM's file hooks on where they land.
	 */
	if (m->nr_write_paths) {
		apply_group(t, m->allow, file_write_group, ARRAY_SIZE(file_write_group), true);
		/* What no file hook sees where it lands: refused anywhere (xattrs, times). */
		apply_group(t, m->allow, unplaced_writes, ARRAY_SIZE(unplaced_writes), false);
		policy_file_write_derive(t, m->allow);
		clear_bit(m->allow, SECIMPORT_NR_WRITE_OUTSIDE);
	} else if (policy_allows(m->allow, SECIMPORT_NR_FILE_WRITE)) {
		set_bit(m->allow, SECIMPORT_NR_WRITE_OUTSIDE);
	} else {
		/* No writes at all: every write is outside (inode flags, reflinks). */
		clear_bit(m->allow, SECIMPORT_NR_WRITE_OUTSIDE);
	}
	if (!m->action)
		m->action = top_action;
}

static int compile(struct ctx *c, struct policy *p)
{
	size_t i;

	p->process_default.name = strdup("process_default");
	if (!p->process_default.name)
		return error_at(c, 1, 1, "out of memory");
	if (!p->has_process_default)
		p->process_default.allow_shell = p->process_default.allow_networking =
		    p->process_default.allow_ctypes = p->process_default.allow_file_write =
			p->process_default.interpreter_baseline = POLICY_UNSET;
	compile_module(p->table, &p->process_default, true, p->action, p->interpreter_baseline);
	for (i = 0; i < p->nr_modules; i++)
		compile_module(p->table, &p->modules[i], false, p->action, p->interpreter_baseline);
	return 0;
}

/* ---- API ---- */

/* Both entry points once the tree is read (yaml_tree_fn). */
static int parse_tree(const struct node *root, void *arg)
{
	struct ctx *c = arg;
	struct policy *p = c->p;
	int err;

	p->table = c->table;
	p->action = ACT_KILL;
	p->interpreter_baseline = POLICY_UNSET;
	p->source = strdup(c->err.source);
	err = p->source ? parse_top(c, root, p) : error_at(c, 0, 0, "out of memory");
	if (!err)
		err = compile(c, p);
	if (err)
		policy_free(p);
	return err;
}

int policy_parse_buffer(struct policy *p, const char *source_name, const void *buf, size_t len,
			const struct syscall_table *table, struct policy_diag *diag)
{
	struct ctx c = { .table = table ? table : syscall_table_native(), .p = p };

	memset(p, 0, sizeof(*p));
	yaml_tree_diag_init(&c.err, source_name ? source_name : "<policy>", diag ? diag->msg : NULL,
			    POLICY_DIAG_LEN);
	return yaml_tree_read(&c.err, buf, len, parse_tree, &c);
}

int policy_parse_file(struct policy *p, const char *path, const struct syscall_table *table,
		      struct policy_diag *diag)
{
	struct ctx c = { .table = table ? table : syscall_table_native(), .p = p };

	memset(p, 0, sizeof(*p));
	yaml_tree_diag_init(&c.err, path, diag ? diag->msg : NULL, POLICY_DIAG_LEN);
	return yaml_tree_read_file(&c.err, parse_tree, &c);
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_modules; i++) {
		free(p->modules[i].name);
		free(p->modules[i].location);
		for (size_t k = 0; k < p->modules[i].nr_write_paths; k++)
			free(p->modules[i].write_paths[k]);
	}
	free(p->modules);
	free(p->process_default.name);
	free(p->process_default.location);
	for (size_t k = 0; k < p->process_default.nr_write_paths; k++)
		free(p->process_default.write_paths[k]);
	free(p->source);
	free(p->cgroup);
	memset(p, 0, sizeof(*p));
}

void policy_override_action(struct policy *p, unsigned int action)
{
	size_t i;

	p->action = action;
	p->process_default.action = action;
	for (i = 0; i < p->nr_modules; i++)
		p->modules[i].action = action;
}

const char *policy_action_name(unsigned int action)
{
	switch (action) {
	case SECIMPORT_ACT_LOG:
		return "log";
	case SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL:
		return "kill";
	case SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY:
		return "deny";
	case SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL:
		return "deny+kill";
	default:
		return "unknown";
	}
}

unsigned int policy_action_parse(const char *name)
{
	if (!name)
		return 0;
	if (!strcmp(name, "log"))
		return SECIMPORT_ACT_LOG;
	if (!strcmp(name, "kill"))
		return SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL;
	if (!strcmp(name, "deny"))
		return SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY;
	if (!strcmp(name, "deny+kill"))
		return SECIMPORT_ACT_LOG | SECIMPORT_ACT_DENY | SECIMPORT_ACT_KILL;
	return 0;
}

bool policy_refuses_code_write(const struct policy *p)
{
	if (p->has_process_default &&
	    !policy_allows_name(p->table, p->process_default.allow, "execve"))
		return true;
	for (size_t i = 0; i < p->nr_modules; i++)
		if (!policy_allows_name(p->table, p->modules[i].allow, "execve"))
			return true;
	return false;
}

bool policy_uses_write_paths(const struct policy *p)
{
	for (size_t i = 0; i < p->nr_modules; i++)
		if (p->modules[i].nr_write_paths)
			return true;
	return false;
}

bool policy_uses_action(const struct policy *p, unsigned int flag)
{
	if (p->has_process_default && (p->process_default.action & flag))
		return true;
	for (size_t i = 0; i < p->nr_modules; i++)
		if (p->modules[i].action & flag)
			return true;
	return false;
}

int policy_append(struct policy *dst, struct policy *src, struct policy_diag *diag)
{
	struct policy_module *mods;

	for (size_t i = 0; i < src->nr_modules; i++)
		for (size_t k = 0; k < dst->nr_modules; k++)
			if (!strcmp(src->modules[i].name, dst->modules[k].name)) {
				snprintf(diag->msg, sizeof(diag->msg),
					 "%s:%u:%u: error: module '%s' is also in %s; one policy "
					 "per module (combine them into one file)",
					 src->source, src->modules[i].line, src->modules[i].column,
					 src->modules[i].name, dst->source);
				return -1;
			}
	if ((src->cgroup || dst->cgroup) &&
	    (!src->cgroup || !dst->cgroup || strcmp(src->cgroup, dst->cgroup))) {
		snprintf(diag->msg, sizeof(diag->msg),
			 "%s: error: its cgroup scope differs from %s's; combine only policies of "
			 "one scope",
			 src->source, dst->source);
		return -1;
	}
	if (src->has_process_default && dst->has_process_default) {
		snprintf(diag->msg, sizeof(diag->msg),
			 "%s: error: process_default is also in %s; only one policy may set it",
			 src->source, dst->source);
		return -1;
	}
	if (dst->nr_modules + src->nr_modules >= SECIMPORT_MAX_MODULES) {
		snprintf(diag->msg, sizeof(diag->msg),
			 "%s: error: %zu modules in all; at most %d can be confined", src->source,
			 dst->nr_modules + src->nr_modules, SECIMPORT_MAX_MODULES - 1);
		return -1;
	}
	mods = realloc(dst->modules, (dst->nr_modules + src->nr_modules + 1) * sizeof(*mods));
	if (!mods) {
		snprintf(diag->msg, sizeof(diag->msg), "out of memory");
		return -1;
	}
	dst->modules = mods;
	memcpy(mods + dst->nr_modules, src->modules, src->nr_modules * sizeof(*mods));
	dst->nr_modules += src->nr_modules;
	src->nr_modules = 0;
	if (src->has_process_default) {
		/* dst's unset process_default still owns its compiled name. */
		free(dst->process_default.name);
		free(dst->process_default.location);
		dst->process_default = src->process_default;
		dst->has_process_default = true;
		memset(&src->process_default, 0, sizeof(src->process_default));
		src->has_process_default = false;
	}
	policy_free(src);
	return 0;
}

bool policy_location_valid(const char *s, size_t len)
{
	static const char frozen[] = "<frozen ";
	size_t n = sizeof(frozen) - 1;

	if (len > n + 1 && !strncmp(s, frozen, n) && s[len - 1] == '>')
		return policy_import_name_valid(s + n, len - n - 1);
	return policy_path_valid(s, len);
}

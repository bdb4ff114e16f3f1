// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Compiled policies back to YAML. The writer works from the bitmaps alone:
 * an allowlist is written as its list, and allow_shell / allow_networking
 * only as summaries that change nothing when parsed back (a group is said
 * true only when all of it is listed, false only when none is).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_writer.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define THREAD SECIMPORT_NR_THREAD_CREATE
#define MAX_USER_MODULES (SECIMPORT_MAX_MODULES - 1)
/* As policy.c: the path and its NUL fit SECIMPORT_PATH_MAX with a byte to spare. */
/* Group members named in a comment before "...". */
#define SHOW_MEMBERS 4

/* ---- syscall categories, for the comments of written lists ---- */

enum category {
	CAT_FILES,
	CAT_MEMORY,
	CAT_NETWORK,
	CAT_PROCESSES,
	CAT_THREADS,
	CAT_TIME,
	CAT_OTHER
};

static const char *const category_names[] = {
	[CAT_FILES] = "files",
	[CAT_MEMORY] = "memory",
	[CAT_NETWORK] = "network",
	[CAT_PROCESSES] = "processes",
	[CAT_THREADS] = "threads and signals",
	[CAT_TIME] = "time",
	[CAT_OTHER] = "other",
};

/* Only for readability: a name missing here is listed under "other". */
static const struct {
	enum category cat;
	const char *names; /* space-separated */
} categories[] = {
	{ CAT_FILES,
	  "read write open openat openat2 creat close close_range stat fstat lstat "
	  "newfstatat statx statfs fstatfs lseek pread64 pwrite64 readv writev preadv "
	  "pwritev preadv2 pwritev2 access faccessat faccessat2 pipe pipe2 dup dup2 dup3 "
	  "fcntl flock fsync fdatasync sync syncfs sync_file_range truncate ftruncate "
	  "fallocate fadvise64 readahead getdents getdents64 getcwd chdir fchdir rename "
	  "renameat renameat2 mkdir mkdirat rmdir link linkat unlink unlinkat symlink "
	  "symlinkat readlink readlinkat chmod fchmod fchmodat chown fchown lchown fchownat "
	  "umask utime utimes utimensat futimesat mknod mknodat ioctl sendfile splice tee "
	  "copy_file_range select pselect6 poll ppoll epoll_create epoll_create1 epoll_ctl "
	  "epoll_wait epoll_pwait epoll_pwait2 eventfd eventfd2 inotify_init inotify_init1 "
	  "inotify_add_watch inotify_rm_watch setxattr lsetxattr fsetxattr getxattr "
	  "lgetxattr fgetxattr listxattr llistxattr flistxattr removexattr lremovexattr "
	  "fremovexattr name_to_handle_at open_by_handle_at io_setup io_destroy io_submit "
	  "io_cancel io_getevents io_pgetevents" },
	{ CAT_MEMORY,
	  "mmap munmap mprotect mremap madvise brk msync mincore mlock mlock2 munlock "
	  "mlockall munlockall memfd_create memfd_secret mbind set_mempolicy get_mempolicy "
	  "migrate_pages move_pages remap_file_pages pkey_mprotect pkey_alloc pkey_free "
	  "shmget shmat shmdt shmctl membarrier process_madvise userfaultfd" },
	{ CAT_NETWORK,
	  "socket socketpair connect bind listen accept accept4 sendto recvfrom sendmsg "
	  "recvmsg sendmmsg recvmmsg shutdown getsockname getpeername setsockopt getsockopt "
	  "io_uring_setup io_uring_enter io_uring_register" },
	{ CAT_PROCESSES,
	  "fork vfork clone clone3 execve execveat ptrace process_vm_readv "
	  "process_vm_writev wait4 waitid kill exit exit_group getpid getppid getpgid "
	  "setpgid getpgrp getsid setsid prctl arch_prctl prlimit64 getrlimit setrlimit "
	  "getrusage getpriority setpriority getuid geteuid getgid getegid getresuid "
	  "getresgid getgroups setuid setgid setreuid setregid setresuid setresgid setfsuid "
	  "setfsgid setgroups capget capset pidfd_open pidfd_send_signal pidfd_getfd "
	  "unshare setns seccomp personality kcmp" },
	{ CAT_THREADS,
	  "futex futex_waitv set_robust_list get_robust_list set_tid_address gettid tkill "
	  "tgkill rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending rt_sigtimedwait "
	  "rt_sigqueueinfo rt_tgsigqueueinfo rt_sigsuspend sigaltstack pause signalfd "
	  "signalfd4 rseq sched_yield sched_getaffinity sched_setaffinity sched_getparam "
	  "sched_setparam sched_getscheduler sched_setscheduler sched_getattr sched_setattr "
	  "sched_get_priority_max sched_get_priority_min sched_rr_get_interval "
	  "restart_syscall get_thread_area set_thread_area" },
	{ CAT_TIME,
	  "clock_gettime clock_getres clock_nanosleep clock_settime clock_adjtime nanosleep "
	  "gettimeofday settimeofday time times alarm getitimer setitimer timer_create "
	  "timer_settime timer_gettime timer_getoverrun timer_delete timerfd_create "
	  "timerfd_settime timerfd_gettime adjtimex" },
};

static enum category category_of(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < ARRAY_SIZE(categories); i++) {
		const char *w = categories[i].names;

		while ((w = strstr(w, name))) {
			bool starts = w == categories[i].names || w[-1] == ' ';

			if (starts && (w[len] == ' ' || !w[len]))
				return categories[i].cat;
			w += len;
		}
	}
	return CAT_OTHER;
}

/* ---- bitmaps ---- */

struct groups {
	uint64_t shell[SECIMPORT_SYSCALL_WORDS];
	uint64_t network[SECIMPORT_SYSCALL_WORDS];
	uint64_t baseline[SECIMPORT_SYSCALL_WORDS]; /* the interpreter baseline */
	uint64_t file_write[SECIMPORT_SYSCALL_WORDS]; /* what allow_file_write covers */
};

enum group_state { GROUP_NONE, GROUP_PART, GROUP_ALL };

static void clear_bit(uint64_t *allow, unsigned int nr)
{
	allow[nr / 64] &= ~((uint64_t)1 << (nr % 64));
}

static const struct syscall_table *table_of(const struct policy *p)
{
	return p->table ? p->table : syscall_table_native();
}

/*
 * The groups as the parser compiles them for this table, so that there is
 * no second copy of the lists to drift from policy.c.
 */
static int groups_init(const struct syscall_table *t, struct groups *g)
{
	static const char yaml[] =
	    "interpreter_baseline: false\n"
	    "modules: {s: {syscalls: ['@shell']}, n: {syscalls: ['@network']}}";
	struct policy p;

	if (policy_parse_buffer(&p, "<groups>", yaml, sizeof(yaml) - 1, t, NULL))
		return -1;
	memcpy(g->shell, p.modules[0].allow, sizeof(g->shell));
	memcpy(g->network, p.modules[1].allow, sizeof(g->network));
	/* Listing clone implies threads; the thread bit is not a group member. */
	clear_bit(g->shell, THREAD);
	clear_bit(g->network, THREAD);
	/* Nor what comes with threads (policy_thread_start_bits), nor writing
	 * outside write_paths, which every module without them allows. */
	if (syscall_lookup(t, "rt_sigaction") >= 0)
		clear_bit(g->shell, (unsigned int)syscall_lookup(t, "rt_sigaction"));
	clear_bit(g->shell, SECIMPORT_NR_WRITE_OUTSIDE);
	clear_bit(g->network, SECIMPORT_NR_WRITE_OUTSIDE);
	policy_free(&p);
	memset(g->baseline, 0, sizeof(g->baseline));
	policy_baseline_bits(t, g->baseline);
	memset(g->file_write, 0, sizeof(g->file_write));
	policy_file_write_bits(t, g->file_write);
	return 0;
}

/* Does @allow have every bit of @bits? */
static bool covers(const uint64_t *allow, const uint64_t *bits)
{
	for (size_t w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
		if ((allow[w] & bits[w]) != bits[w])
			return false;
	return true;
}

static enum group_state group_state(const uint64_t *allow, const uint64_t *group)
{
	bool any = false, all = true;

	for (size_t w = 0; w < SECIMPORT_SYSCALL_WORDS; w++) {
		uint64_t in = allow[w] & group[w];

		any |= in != 0;
		all &= in == group[w];
	}
	return all ? GROUP_ALL : any ? GROUP_PART : GROUP_NONE;
}

static bool allows_clone(const struct syscall_table *t, const uint64_t *allow)
{
	return policy_allows_name(t, allow, "clone") || policy_allows_name(t, allow, "clone3");
}

/* Members of @group that @allow has (or lacks), "a, b, c, ..." into @buf. */
static void members(const struct syscall_table *t, const uint64_t *allow, const uint64_t *group,
		    bool present, char *buf, size_t size)
{
	size_t o = 0, shown = 0;

	buf[0] = '\0';
	for (unsigned int nr = 0; nr < THREAD && o < size; nr++) {
		if (!policy_allows(group, nr) || policy_allows(allow, nr) != present)
			continue;
		if (shown++ == SHOW_MEMBERS) {
			snprintf(buf + o, size - o, ", ...");
			return;
		}
		o += (size_t)snprintf(buf + o, size - o, "%s%s", shown > 1 ? ", " : "",
				      syscall_name(t, (int)nr));
	}
}

/* ---- names and text ---- */

/* Length of the UTF-8 character at @s (*cp its code point), 0 if invalid. */
static size_t utf8_char(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters YAML takes as they are in a quoted scalar or a comment. */
static bool yaml_printable(uint32_t c)
{
	if (c < 0x80)
		return c >= 0x20 && c != 0x7f;
	/* NEL, LS and PS are line breaks to YAML; the BOM is not content. */
	if (c == 0x85 || c == 0x2028 || c == 0x2029 || c == 0xfeff)
		return false;
	return (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
}

static bool valid_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = utf8_char(u + i, len - i, &cp);

		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* The parser's rule, and UTF-8 (paths come from user space, not YAML). */
static bool valid_module_name(const char *s)
{
	size_t len = strlen(s);

	if (s[0] == '/')
		return policy_path_valid(s, len) && valid_utf8(s);
	return policy_import_name_valid(s, len);
}

static bool plain_safe(const char *s)
{
	static const char *const reserved[] = { "true", "false", "null", "yes", "no",
						"on",	"off",	 "y",	 "n" };

	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("_./-+", *c)))
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (!strcasecmp(s, reserved[i]))
			return false;
	return s[0] && s[0] != '-';
}

/* A module name as a YAML key: plain when that is unambiguous, else quoted. */
static void write_scalar(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	if (plain_safe(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_char(u + i, len - i, &cp);

		if (n && (u[i] == '"' || u[i] == '\\'))
			fprintf(f, "\\%c", u[i]);
		else if (n && yaml_printable(cp))
			fwrite(u + i, 1, n, f);
		else if (n)
			fprintf(f, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
		else
			n = 1; /* invalid UTF-8: refused by the check, never reached */
		i += n;
	}
	fputc('"', f);
}

/* One header line as comments: line breaks split it, bytes YAML refuses become \xNN. */
static void write_comment(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	fputs(len ? "# " : "#", f);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_char(u + i, len - i, &cp);

		if (u[i] == '\n') {
			fputs(i + 1 < len ? "\n# " : "", f);
			n = 1;
		} else if (n && yaml_printable(cp)) {
			fwrite(u + i, 1, n, f);
		} else {
			n = n ? n : 1;
			for (size_t k = 0; k < n; k++)
				fprintf(f, "\\x%02x", u[i + k]);
		}
		i += n;
	}
	fputc('\n', f);
}

/* ---- checking ---- */

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int check_module(const struct syscall_table *t, const struct groups *g,
			const struct policy_module *m, const char *what, char *err, size_t errlen)
{
	enum group_state shell = group_state(m->allow, g->shell);
	enum group_state net = group_state(m->allow, g->network);
	enum group_state fwrite = group_state(m->allow, g->file_write);
	char list[128];

	if (!strcmp(policy_action_name(m->action), "unknown"))
		return fail(err, errlen, "%s has no valid action (%u)", what, m->action);
	if (m->location && (m->location[0] != '/' || !valid_utf8(m->location)))
		return fail(err, errlen, "%s has a location that is not an absolute UTF-8 path",
			    what);
	if (!m->has_syscalls) {
		/* Everything, minus whole groups: nothing else has a spelling. */
		for (unsigned int nr = 0; nr < SECIMPORT_SYSCALL_BITS; nr++) {
			if (policy_nr_is_pseudo(nr))
				continue; /* said by a key, or derived */
			if (policy_allows(m->allow, nr) || policy_allows(g->shell, nr) ||
			    policy_allows(g->network, nr) || policy_allows(g->file_write, nr))
				continue;
			return fail(err, errlen,
				    "%s has no syscalls list but refuses %s, which only a list can "
				    "express",
				    what,
				    nr == THREAD	       ? "thread creation"
				    : syscall_name(t, (int)nr) ? syscall_name(t, (int)nr)
							       : "an unnamed syscall number");
		}
		if (shell == GROUP_PART || net == GROUP_PART || fwrite == GROUP_PART) {
			const uint64_t *grp = shell == GROUP_PART ? g->shell
					      : net == GROUP_PART ? g->network
								  : g->file_write;

			members(t, m->allow, grp, false, list, sizeof(list));
			return fail(err, errlen,
				    "%s has no syscalls list but refuses only part of the %s group "
				    "(%s): without a list, groups are allowed or refused whole",
				    what,
				    shell == GROUP_PART ? "shell"
				    : net == GROUP_PART ? "network"
							: "file-write",
				    list);
		}
		return 0;
	}
	for (unsigned int nr = 0; nr < THREAD; nr++)
		if (!policy_nr_is_pseudo(nr) && policy_allows(m->allow, nr) &&
		    !syscall_name(t, (int)nr))
			return fail(err, errlen,
				    "%s allows syscall number %u, which has no name on %s: a list "
				    "cannot name it (policy_normalize() drops it)",
				    what, nr, t->arch);
	if (m->baseline && !covers(m->allow, g->baseline)) {
		members(t, m->allow, g->baseline, false, list, sizeof(list));
		return fail(err, errlen,
			    "%s relies on the interpreter baseline but does not allow all of it "
			    "(%s): a list either has the whole baseline or says "
			    "interpreter_baseline: false (policy_normalize() adds it)",
			    what, list);
	}
	if (allows_clone(t, m->allow) && !policy_allows(m->allow, THREAD))
		return fail(err, errlen,
			    "%s allows clone or clone3 but not thread creation: a list that names "
			    "clone or clone3 allows threads (policy_normalize() adds them)",
			    what);
	if (policy_allows(m->allow, THREAD) && !allows_clone(t, m->allow) && shell != GROUP_NONE) {
		members(t, m->allow, g->shell, true, list, sizeof(list));
		return fail(err, errlen,
			    "%s allows thread creation and %s but neither clone nor clone3: "
			    "threads without clone are written as clone with allow_shell: false, "
			    "which refuses the whole shell group",
			    what, list);
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	const struct policy_module *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* The modules in name order; NULL when out of memory. */
static const struct policy_module **sorted_modules(const struct policy *p)
{
	const struct policy_module **v = calloc(p->nr_modules + 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < p->nr_modules; i++)
		v[i] = &p->modules[i];
	qsort(v, p->nr_modules, sizeof(*v), cmp_names);
	return v;
}

static int check_policy(const struct policy *p, const struct groups *g, char *err, size_t errlen)
{
	const struct syscall_table *t = table_of(p);
	const struct policy_module **v;
	char what[64 + POLICY_MAX_PATH];
	int ret = 0;

	if (!p->nr_modules && !p->has_process_default)
		return fail(err, errlen, "the policy has no modules and no process_default");
	if (p->nr_modules > MAX_USER_MODULES)
		return fail(err, errlen, "the policy has %zu modules; at most %d can be written",
			    p->nr_modules, MAX_USER_MODULES);
	if (!strcmp(policy_action_name(p->action), "unknown"))
		return fail(err, errlen, "the policy has no valid top-level action (%u)",
			    p->action);
	if (p->has_process_default &&
	    check_module(t, g, &p->process_default, "process_default", err, errlen))
		return -1;
	v = sorted_modules(p);
	if (!v)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < p->nr_modules && !ret; i++) {
		const char *name = v[i]->name ? v[i]->name : "";

		if (!valid_module_name(name)) {
			ret = fail(err, errlen,
				   "module '%.*s' is not an import name or a clean absolute path "
				   "(UTF-8, at most %d bytes)",
				   POLICY_MAX_PATH, name, POLICY_MAX_PATH);
		} else if (i && !strcmp(name, v[i - 1]->name)) {
			ret = fail(err, errlen, "module '%s' is there twice", name);
		} else {
			snprintf(what, sizeof(what), "module '%s'", name);
			ret = check_module(t, g, v[i], what, err, errlen);
		}
	}
	free(v);
	return ret;
}

int policy_write_check(const struct policy *p, char *err, size_t errlen)
{
	struct groups g;

	if (groups_init(table_of(p), &g))
		return fail(err, errlen, "cannot compile the syscall groups for %s",
			    table_of(p)->arch);
	return check_policy(p, &g, err, errlen);
}

static size_t normalize_module(const struct syscall_table *t, struct policy_module *m)
{
	size_t dropped = 0;

	/* Said by write_paths: a module without them may write anywhere it may write. */
	if (!m->nr_write_paths && policy_allows(m->allow, SECIMPORT_NR_FILE_WRITE))
		m->allow[SECIMPORT_NR_WRITE_OUTSIDE / 64] |= (uint64_t)1
							     << (SECIMPORT_NR_WRITE_OUTSIDE % 64);
	if (!m->has_syscalls) {
		m->baseline = false; /* only a list has one */
		return 0;
	}
	if (m->baseline)
		policy_baseline_bits(t, m->allow);
	for (unsigned int nr = 0; nr < THREAD; nr++) {
		if (!policy_nr_is_pseudo(nr) && policy_allows(m->allow, nr) &&
		    !syscall_name(t, (int)nr)) {
			clear_bit(m->allow, nr);
			dropped++;
		}
	}
	if (allows_clone(t, m->allow))
		policy_thread_start_bits(t, m->allow);
	return dropped;
}

size_t policy_normalize(struct policy *p)
{
	const struct syscall_table *t = table_of(p);
	size_t dropped = 0;

	if (p->has_process_default)
		dropped += normalize_module(t, &p->process_default);
	for (size_t i = 0; i < p->nr_modules; i++)
		dropped += normalize_module(t, &p->modules[i]);
	return dropped;
}

/* ---- writing ---- */

struct entry {
	const char *name;
	enum category cat;
	const char *note; /* trailing comment */
};

static int cmp_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->cat != y->cat)
		return x->cat < y->cat ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void write_flag(FILE *f, const char *ind, const struct syscall_table *t,
		       const uint64_t *allow, const uint64_t *group, const char *key,
		       const char *group_name)
{
	char list[128];

	switch (group_state(allow, group)) {
	case GROUP_ALL:
		fprintf(f, "%s%s: true # adds the whole %s group to the list\n", ind, key,
			group_name);
		break;
	case GROUP_NONE:
		fprintf(f, "%s%s: false\n", ind, key);
		break;
	default:
		/* Either value would add or remove listed syscalls. */
		members(t, allow, group, true, list, sizeof(list));
		fprintf(f, "%s# %s unset: the list has only part of the %s group (%s)\n", ind, key,
			group_name, list);
		break;
	}
}

static int write_list(FILE *f, const char *ind, const struct syscall_table *t,
		      const struct groups *g, const struct policy_module *m)
{
	bool shell_all = group_state(m->allow, g->shell) == GROUP_ALL;
	bool net_all = group_state(m->allow, g->network) == GROUP_ALL;
	struct entry *e = calloc(SECIMPORT_SYSCALL_BITS, sizeof(*e));
	size_t n = 0;

	if (!e)
		return -1;
	for (unsigned int nr = 0; nr < THREAD; nr++) {
		const char *name = syscall_name(t, (int)nr);

		/*
		 * A whole group is said by its flag (true adds it), not listed;
		 * the interpreter baseline comes with the list unless it is off.
		 */
		if (!name || !policy_allows(m->allow, nr) ||
		    (shell_all && policy_allows(g->shell, nr)) ||
		    (net_all && policy_allows(g->network, nr)) ||
		    (m->baseline && policy_allows(g->baseline, nr)))
			continue;
		e[n++] = (struct entry){ name, category_of(name), NULL };
	}
	/* Threads without clone: compiled from clone plus allow_shell: false. */
	if (policy_allows(m->allow, THREAD) && !allows_clone(t, m->allow)) {
		const char *clone = syscall_lookup(t, "clone") >= 0 ? "clone" : "clone3";

		e[n++] = (struct entry){ clone, CAT_PROCESSES,
					 "for threads: allow_shell: false refuses processes" };
	}
	if (!n) {
		fprintf(f, "%ssyscalls: []\n", ind);
		free(e);
		return 0;
	}
	qsort(e, n, sizeof(*e), cmp_entries);
	fprintf(f, "%ssyscalls:\n", ind);
	for (size_t i = 0; i < n; i++) {
		if (!i || e[i].cat != e[i - 1].cat)
			fprintf(f, "%s  # %s\n", ind, category_names[e[i].cat]);
		fprintf(f, "%s  - %s", ind, e[i].name);
		if (e[i].note)
			fprintf(f, " # %s", e[i].note);
		fputc('\n', f);
	}
	free(e);
	return 0;
}

/* allow_ctypes where it differs from the default (modules: false; process_default: true). */
static void write_ctypes(FILE *f, const char *ind, const struct policy *p,
			 const struct policy_module *m)
{
	bool allowed = policy_allows(m->allow, SECIMPORT_NR_CTYPES);

	if (m == &p->process_default ? !allowed : allowed)
		fprintf(f, "%sallow_ctypes: %s\n", ind, allowed ? "true" : "false");
}

/*
 * allow_file_write where the key must have been given: false when opening
 * for writing is refused though a way to open is allowed (or, without a
 * list, at all); true when it is allowed though no way to open is.
 */
static void write_file_write(FILE *f, const char *ind, const struct syscall_table *t,
			     const struct policy_module *m)
{
	bool allowed = policy_allows(m->allow, SECIMPORT_NR_FILE_WRITE);
	uint64_t derived[SECIMPORT_SYSCALL_WORDS];

	memcpy(derived, m->allow, sizeof(derived));
	policy_file_write_derive_list(t, derived, m->baseline);
	if (!m->has_syscalls ? !allowed
			     : allowed != policy_allows(derived, SECIMPORT_NR_FILE_WRITE))
		fprintf(f, "%sallow_file_write: %s\n", ind, allowed ? "true" : "false");
}

/* A module's settings at indentation @ind. */
static int write_settings(FILE *f, const char *ind, const struct policy *p, const struct groups *g,
			  const struct policy_module *m)
{
	const struct syscall_table *t = table_of(p);

	if (m->location) {
		fprintf(f, "%slocation: ", ind);
		write_scalar(f, m->location);
		fputc('\n', f);
	}
	if (m->action != p->action)
		fprintf(f, "%saction: %s\n", ind, policy_action_name(m->action));
	if (!m->has_syscalls) {
		/* Both always written: process_default reads unset as true, modules as false. */
		fprintf(f, "%sallow_shell: %s\n", ind,
			group_state(m->allow, g->shell) == GROUP_NONE ? "false" : "true");
		fprintf(f, "%sallow_networking: %s\n", ind,
			group_state(m->allow, g->network) == GROUP_NONE ? "false" : "true");
		write_ctypes(f, ind, p, m);
		write_file_write(f, ind, t, m);
		return 0;
	}
	write_flag(f, ind, t, m->allow, g->shell, "allow_shell", "shell");
	write_flag(f, ind, t, m->allow, g->network, "allow_networking", "network");
	write_ctypes(f, ind, p, m);
	write_file_write(f, ind, t, m);
	/* Only where the module differs from the top level's default. */
	if (!m->baseline && p->interpreter_baseline != POLICY_FALSE)
		fprintf(f, "%sinterpreter_baseline: false # every syscall is in the list\n", ind);
	else if (m->baseline && p->interpreter_baseline == POLICY_FALSE)
		fprintf(f, "%sinterpreter_baseline: true\n", ind);
	return write_list(f, ind, t, g, m);
}

int policy_write(FILE *out, const struct policy *p, const struct policy_write_opts *o)
{
	const struct policy_module **v;
	struct groups g;
	bool lists = false, baseline = false;
	int ret = 0;

	if (groups_init(table_of(p), &g) || check_policy(p, &g, NULL, 0)) {
		errno = EINVAL;
		return -1;
	}
	v = sorted_modules(p);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; o && i < o->nr_header; i++)
		write_comment(out, o->header[i] ? o->header[i] : "");
	for (size_t i = 0; i < p->nr_modules; i++) {
		lists |= p->modules[i].has_syscalls;
		baseline |= p->modules[i].has_syscalls && p->modules[i].baseline;
	}
	if (p->has_process_default && p->process_default.has_syscalls) {
		lists = true;
		baseline |= p->process_default.baseline;
	}
	if (o && o->nr_header)
		fputc('\n', out);
	if (lists)
		fprintf(out, "# A syscalls list is a strict allowlist: every other syscall is "
			     "refused.\n");
	if (baseline)
		fprintf(out,
			"# Each list also allows the interpreter baseline, what CPython does by "
			"itself\n"
			"# (futex, mmap, rt_sigreturn...; `secimport-bpf policy check` lists it), "
			"unless it\n"
			"# says interpreter_baseline: false.\n");
	fprintf(out, "version: 1\naction: %s\n", policy_action_name(p->action));
	if (p->interpreter_baseline == POLICY_FALSE)
		fprintf(out, "interpreter_baseline: false # lists name every syscall\n");
	if (p->cgroup) {
		fputs("cgroup: ", out);
		write_scalar(out, p->cgroup);
		fputc('\n', out);
	}
	if (p->has_process_default) {
		fprintf(out, "process_default:\n");
		ret = write_settings(out, "  ", p, &g, &p->process_default);
	}
	if (p->nr_modules)
		fprintf(out, "modules:\n");
	for (size_t i = 0; i < p->nr_modules && !ret; i++) {
		fputs("  ", out);
		write_scalar(out, v[i]->name);
		fputs(":\n", out);
		ret = write_settings(out, "    ", p, &g, v[i]);
	}
	free(v);
	if (ret) {
		errno = ENOMEM;
		return -1;
	}
	if (fflush(out) || ferror(out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* ---- merging ---- */

static struct policy_module *find_module(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nr_modules; i++)
		if (!strcmp(p->modules[i].name, name))
			return &p->modules[i];
	return NULL;
}

static void merge_module(const struct groups *g, struct policy_module *d,
			 const struct policy_module *s)
{
	uint64_t any[SECIMPORT_SYSCALL_WORDS];

	/* Actions are flags: the strictest is their union (kill + deny = deny+kill). */
	d->action |= s->action;
	for (size_t w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
		any[w] = d->allow[w] | s->allow[w];
	if (d->has_syscalls && s->has_syscalls) {
		memcpy(d->allow, any, sizeof(any));
		d->allow_shell = d->allow_networking = POLICY_UNSET;
		/*
		 * A union that holds the whole baseline says so whether or not
		 * an input relied on it: the same bits, a shorter list.
		 */
		d->baseline = (d->baseline || s->baseline) && covers(any, g->baseline);
		d->interpreter_baseline = d->baseline ? POLICY_UNSET : POLICY_FALSE;
		return;
	}
	/* Without a list, groups come whole: one syscall of a group allows it all. */
	d->has_syscalls = false;
	d->baseline = false;
	d->interpreter_baseline = POLICY_UNSET;
	memset(d->allow, 0xff, sizeof(d->allow));
	if (!policy_allows(any, SECIMPORT_NR_CTYPES))
		clear_bit(d->allow, SECIMPORT_NR_CTYPES);
	/* Opening for writing refused by both: the file-write key refused it. */
	if (!policy_allows(any, SECIMPORT_NR_FILE_WRITE))
		for (size_t w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
			d->allow[w] &= ~g->file_write[w];
	d->allow_shell = group_state(any, g->shell) == GROUP_NONE ? POLICY_FALSE : POLICY_TRUE;
	d->allow_networking =
	    group_state(any, g->network) == GROUP_NONE ? POLICY_FALSE : POLICY_TRUE;
	for (unsigned int nr = 0; nr < THREAD; nr++) {
		if ((d->allow_shell == POLICY_FALSE && policy_allows(g->shell, nr)) ||
		    (d->allow_networking == POLICY_FALSE && policy_allows(g->network, nr)))
			clear_bit(d->allow, nr);
	}
}

/* The copies a merge needs, made before @dst changes so that failing leaves it as it was. */
struct merge_copies {
	char **names, **locations; /* per module added from @src */
	char **kept_locations; /* per module of @src, for a module of @dst that has none */
};

static void copies_free(struct merge_copies *c, size_t added, size_t nr_src)
{
	for (size_t i = 0; c->names && i < added; i++)
		free(c->names[i]);
	for (size_t i = 0; c->locations && i < added; i++)
		free(c->locations[i]);
	for (size_t i = 0; c->kept_locations && i < nr_src; i++)
		free(c->kept_locations[i]);
	free(c->names);
	free(c->locations);
	free(c->kept_locations);
}

static bool dup_opt(char **out, const char *s)
{
	*out = s ? strdup(s) : NULL;
	return !s || *out;
}

static int copies_make(struct merge_copies *c, const struct policy *dst, const struct policy *src,
		       size_t added)
{
	size_t k = 0;

	c->names = calloc(added + 1, sizeof(char *));
	c->locations = calloc(added + 1, sizeof(char *));
	c->kept_locations = calloc(src->nr_modules + 1, sizeof(char *));
	if (!c->names || !c->locations || !c->kept_locations)
		return -1;
	for (size_t i = 0; i < src->nr_modules; i++) {
		const struct policy_module *s = &src->modules[i];
		const struct policy_module *d = find_module(dst, s->name);

		if (d) {
			/* The first input's location wins; the second fills a gap. */
			if (!d->location && !dup_opt(&c->kept_locations[i], s->location))
				return -1;
			continue;
		}
		c->names[k] = strdup(s->name);
		if (!c->names[k] || !dup_opt(&c->locations[k], s->location))
			return -1;
		k++;
	}
	return 0;
}

int policy_merge(struct policy *dst, const struct policy *src, char *err, size_t errlen)
{
	const struct syscall_table *t = table_of(dst);
	struct merge_copies c = {};
	struct policy_module *modules;
	size_t added = 0, n = dst->nr_modules;
	struct groups g;

	if (strcmp(t->arch, table_of(src)->arch))
		return fail(err, errlen, "cannot merge a policy for %s into one for %s",
			    table_of(src)->arch, t->arch);
	if (groups_init(t, &g))
		return fail(err, errlen, "cannot compile the syscall groups for %s", t->arch);
	for (size_t i = 0; i < src->nr_modules; i++)
		added += !find_module(dst, src->modules[i].name);
	if (n + added > MAX_USER_MODULES)
		return fail(err, errlen,
			    "the merged policy would have %zu modules; a policy holds at most %d",
			    n + added, MAX_USER_MODULES);
	if (copies_make(&c, dst, src, added)) {
		copies_free(&c, added, src->nr_modules);
		return fail(err, errlen, "out of memory");
	}
	if (added) {
		modules = realloc(dst->modules, (n + added) * sizeof(*modules));
		if (!modules) {
			copies_free(&c, added, src->nr_modules);
			return fail(err, errlen, "out of memory");
		}
		dst->modules = modules;
	}

	/* Nothing below can fail. */
	for (size_t i = 0, k = 0; i < src->nr_modules; i++) {
		const struct policy_module *s = &src->modules[i];
		struct policy_module *d = find_module(dst, s->name);

		if (d) {
			merge_module(&g, d, s);
			if (!d->location) {
				d->location = c.kept_locations[i];
				c.kept_locations[i] = NULL;
			}
			continue;
		}
		d = &dst->modules[dst->nr_modules++];
		*d = *s;
		d->name = c.names[k];
		d->location = c.locations[k];
		c.names[k] = c.locations[k] = NULL;
		k++;
	}
	copies_free(&c, added, src->nr_modules);

	if (dst->has_process_default && src->has_process_default) {
		merge_module(&g, &dst->process_default, &src->process_default);
	} else {
		/* Absent in either: that input let everything through. */
		dst->has_process_default = false;
		dst->process_default.has_syscalls = false;
		dst->process_default.baseline = false;
		dst->process_default.interpreter_baseline = POLICY_UNSET;
		dst->process_default.allow_shell = POLICY_UNSET;
		dst->process_default.allow_networking = POLICY_UNSET;
		memset(dst->process_default.allow, 0xff, sizeof(dst->process_default.allow));
		free(dst->process_default.location);
		dst->process_default.location = NULL;
	}
	dst->action |= src->action;
	if (!dst->has_process_default)
		dst->process_default.action = dst->action;
	return 0;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Policy files: YAML in, compiled syscall bitmaps out. Pure C, no BPF calls,
 * so that it can be unit-tested and fuzzed on its own.
 */
#ifndef SECIMPORT_POLICY_H
#define SECIMPORT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secimport.h"
#include "syscall_table.h"

#define POLICY_DIAG_LEN 1024

/* "file:line:col: error: message", ready to print. */
struct policy_diag {
	char msg[POLICY_DIAG_LEN];
};

enum policy_tristate { POLICY_UNSET = -1, POLICY_FALSE = 0, POLICY_TRUE = 1 };

#define POLICY_MAX_WRITE_PATHS 16

struct policy_module {
	char *name; /* import name ("a.b") or absolute path, as written */
	unsigned int line, column; /* 1-based position of the name, for diagnostics */
	int allow_shell; /* enum policy_tristate, as written */
	int allow_networking; /* enum policy_tristate, as written */
	int allow_ctypes; /* enum policy_tristate, as written */
	int allow_file_write; /* enum policy_tristate, as written */
	bool has_syscalls; /* a strict `syscalls` allowlist was given */
	unsigned int action; /* SECIMPORT_ACT_*, resolved (never 0 after parsing) */
	char *location; /* `location`: where it was found when written (NULL if not said) */
	int interpreter_baseline; /* enum policy_tristate, as written (unset: the top level's) */
	/* write_paths: the only directories the module may change files under */
	char *write_paths[POLICY_MAX_WRITE_PATHS];
	size_t nr_write_paths;
	/*
	 * Compiled: the `syscalls` list also allows the interpreter baseline
	 * (allow holds it). Always false without a list.
	 */
	bool baseline;
	uint64_t allow[SECIMPORT_SYSCALL_WORDS]; /* compiled: bit nr set = allowed */
};

struct policy {
	char *source; /* file name used in diagnostics */
	const struct syscall_table *table;
	unsigned int action; /* top-level `action`, SECIMPORT_ACT_KILL if absent */
	bool has_process_default;
	struct policy_module process_default;
	struct policy_module *modules;
	size_t nr_modules;
	char *cgroup; /* `cgroup`: a loaded system applies it to this cgroup only (NULL: all) */
	int interpreter_baseline; /* top-level default, enum policy_tristate (unset: true) */
};

/*
 * The interpreter baseline: syscalls CPython and the C library make by
 * themselves on any thread running Python (locks, memory, signal returns,
 * thread start and end), which every `syscalls` list allows unless it says
 * `interpreter_baseline: false`. policy.c says how it was measured.
 */
struct policy_baseline_entry {
	const char *name; /* syscall name; uretprobe and uprobe exist on x86_64 only */
	const char *why; /* what makes it, for people */
};

/* The table, in the order it is documented; *n entries. */
const struct policy_baseline_entry *policy_interpreter_baseline(size_t *n);
/* Set the baseline's bits in @allow (names @t lacks are skipped). */
void policy_baseline_bits(const struct syscall_table *t, uint64_t *allow);

/*
 * What a list that names clone or clone3 allows with them: thread creation,
 * and what the C library's first thread creation does (rt_sigaction).
 */
void policy_thread_start_bits(const struct syscall_table *t, uint64_t *allow);

/*
 * Parse and compile. On error return -1, fill @diag, and leave @p empty
 * (nothing to free). On success return 0; release with policy_free().
 */
int policy_parse_file(struct policy *p, const char *path, const struct syscall_table *table,
		      struct policy_diag *diag);
int policy_parse_buffer(struct policy *p, const char *source_name, const void *buf, size_t len,
			const struct syscall_table *table, struct policy_diag *diag);
void policy_free(struct policy *p);

/*
 * Move the modules of @src into @dst (and free @src): several policy files
 * loaded as one. A module named in both, or process_default in both, is an
 * error (-1 with @diag; both left as they were).
 */
int policy_append(struct policy *dst, struct policy *src, struct policy_diag *diag);

/* Replace every module's action (the `run --action` override). */
void policy_override_action(struct policy *p, unsigned int action);

/* Does any module (or process_default) use action flag @flag (SECIMPORT_ACT_*)? */
bool policy_uses_action(const struct policy *p, unsigned int flag);

/* Does a module limit its file writes to write_paths (BPF LSM needed)? */
bool policy_uses_write_paths(const struct policy *p);

/* Does a module (or process_default) refuse planting code (<code write>: execve refused)? */
bool policy_refuses_code_write(const struct policy *p);

/* A pseudo syscall other than thread creation: a key or a derived bit, never a list entry. */
static inline bool policy_nr_is_pseudo(unsigned int nr)
{
	return nr >= SECIMPORT_NR_PSEUDO_FIRST && nr < SECIMPORT_NR_THREAD_CREATE;
}

/* Bit helpers over compiled bitmaps. */
static inline bool policy_allows(const uint64_t *allow, unsigned int nr)
{
	return nr < SECIMPORT_SYSCALL_BITS && (allow[nr / 64] >> (nr % 64)) & 1;
}

/* Module paths leave room for the NUL and a '/' in the kernel's keys. */
#define POLICY_MAX_PATH (SECIMPORT_PATH_MAX - 2)

/*
 * What a module may be called, the one rule every reader and writer of
 * policies applies: a dotted import name ("pkg.mod", ASCII identifiers), or
 * an absolute path of at most POLICY_MAX_PATH bytes spelled the way the
 * interpreter reports it (no '.', '..' or empty components; a trailing '/'
 * names a directory).
 */
bool policy_import_name_valid(const char *s, size_t len);
bool policy_path_valid(const char *s, size_t len);
/* Where a module's code is, as the kernel matches it: a valid path, or
 * "<frozen NAME>" (the co_filename of a frozen stdlib module). */
bool policy_location_valid(const char *s, size_t len);

/* Does @allow allow syscall @name (unknown names are not allowed)? */
static inline bool policy_allows_name(const struct syscall_table *t, const uint64_t *allow,
				      const char *name)
{
	int nr = syscall_lookup(t, name);

	return nr >= 0 && policy_allows(allow, (unsigned int)nr);
}

/*
 * The pseudo syscalls a compiled bitmap gets from its real ones: I/O on a
 * socket through read/write & co. where sendto/sendmsg/sendmmsg (sending)
 * or recvfrom/recvmsg/recvmmsg (receiving) are allowed; typing into a
 * terminal (TIOCSTI) and planting code (<code write>) where execve is;
 * process memory never. Done where
 * policies go to the kernel.
 */
void policy_pseudo_derive(const struct syscall_table *t, uint64_t *allow);

/*
 * <file write> (an open whose flags write) from the real syscalls: allowed
 * where open, openat or creat is. Compilation does it before the
 * allow_file_write key has its say; the key's refusal stands after it.
 */
void policy_file_write_derive(const struct syscall_table *t, uint64_t *allow);

/*
 * The same for a list's bits before compilation: with the interpreter
 * baseline the list will get (@baseline), as the trace writer needs.
 */
void policy_file_write_derive_list(const struct syscall_table *t, uint64_t *allow, bool baseline);

/* Sets in @bits what allow_file_write: false refuses (the group and <file write>). */
void policy_file_write_bits(const struct syscall_table *t, uint64_t *bits);
/* The real syscall that allows pseudo syscall @nr (-1: none can); @nr itself if real. */
int policy_pseudo_stand_in(const struct syscall_table *t, unsigned int nr);

/* "kill", "log", ... for an action; "kill" -> SECIMPORT_ACT_* (0 if unknown). */
const char *policy_action_name(unsigned int action);
unsigned int policy_action_parse(const char *name);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ABI between the BPF programs and user space: every map key, map value
 * and event record that both sides read. Fixed-width types with explicit
 * padding only, so the layout is the same for clang -target bpf and gcc.
 */
#ifndef SECIMPORT_ABI_H
#define SECIMPORT_ABI_H

#ifdef __bpf__
/* vmlinux.h provides __u32 and friends. */
#else
#include <linux/types.h>
#endif

#define SECIMPORT_ABI_VERSION 3

/*
 * Modules of one policy set are numbered 0..63 so that "which confined
 * modules are on this thread's stack" is one 64-bit mask. Module 0 is the
 * process-wide default policy (policy key `process_default`), which every
 * process of the set carries from its start.
 */
#define SECIMPORT_MAX_MODULES 64
#define SECIMPORT_DEFAULT_MODULE 0
/*
 * Policy sets. `run` uses one. A loaded system (`secimport-bpf load`) keeps
 * its policy in one of two slots (SECIMPORT_SET_SYSTEM_A/B: `policy apply`
 * writes the idle one, then switches), and gives each process that
 * registers modules through secure_import() a private set of its own.
 */
#define SECIMPORT_MAX_SETS 1024
#define SECIMPORT_SET_SYSTEM_A 1
#define SECIMPORT_SET_SYSTEM_B 2
/*
 * A loaded system also judges a thread by up to two more sets: its
 * process's registrations (secure_import(), sets 131..1023) and its cgroup's
 * policy (`policy apply --cgroup`, sets 3..130). A syscall must pass them all.
 */
#define SECIMPORT_XSETS 2
#define SECIMPORT_XSET_PRIVATE 0
#define SECIMPORT_XSET_CGROUP 1
#define SECIMPORT_SET_CGROUP_FIRST 3
#define SECIMPORT_MAX_CGROUP_SETS 128
#define SECIMPORT_SET_PRIVATE_FIRST (SECIMPORT_SET_CGROUP_FIRST + SECIMPORT_MAX_CGROUP_SETS)

/*
 * Syscall bitmaps cover numbers 0..1022 of the native ABI; bit 1023 is the
 * pseudo syscall "create a thread" (clone/clone3 with CLONE_THREAD), so
 * that a no-shell policy can refuse process creation but keep threads.
 */
#define SECIMPORT_SYSCALL_BITS 1024
#define SECIMPORT_SYSCALL_WORDS (SECIMPORT_SYSCALL_BITS / 64)
#define SECIMPORT_NR_THREAD_CREATE (SECIMPORT_SYSCALL_BITS - 1)
/*
 * More pseudo syscalls, below it (no architecture has numbers this high):
 * I/O through a descriptor judged by what the descriptor is. Writing to or
 * reading from a socket with read/write/sendfile/splice... is sending or
 * receiving (allowed where sendto/sendmsg or recvfrom/recvmsg are); any
 * I/O on /proc/PID/mem is reaching into a process's memory, refused to
 * every confined module (like bpf).
 */
#define SECIMPORT_NR_SOCKET_SEND (SECIMPORT_SYSCALL_BITS - 2)
#define SECIMPORT_NR_SOCKET_RECV (SECIMPORT_SYSCALL_BITS - 3)
#define SECIMPORT_NR_PROC_MEM (SECIMPORT_SYSCALL_BITS - 4)
/*
 * A foreign function call or a raw address dereferenced through ctypes
 * (libffi's ffi_call; the ctypes.cdata audit event): allowed only where the
 * policy says allow_ctypes: true.
 */
#define SECIMPORT_NR_CTYPES (SECIMPORT_SYSCALL_BITS - 5)
/*
 * ioctl(TIOCSTI): typing into a terminal's input, which the shell reading
 * it runs: execution by proxy, allowed where execve is.
 */
#define SECIMPORT_NR_TERMINAL_INPUT (SECIMPORT_SYSCALL_BITS - 6)
/*
 * open/openat with flags that write (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC;
 * the flags are a register, not user memory): allowed where open or openat
 * is, unless the policy says allow_file_write: false.
 */
#define SECIMPORT_NR_FILE_WRITE (SECIMPORT_SYSCALL_BITS - 7)
/*
 * Writing, creating, linking or renaming a file Python would import or run
 * (.py, .pyc, .pyw, .pth, .so; any symlink; a directory renamed): execution
 * by proxy, allowed where execve is. Judged in BPF LSM's file hooks, where
 * the kernel has resolved the name (plant.bpf.h).
 */
#define SECIMPORT_NR_CODE_WRITE (SECIMPORT_SYSCALL_BITS - 8)
/*
 * Changing the file system outside the directories a module's write_paths
 * lists: refused by modules with write_paths, allowed by every other.
 * Judged in BPF LSM's file hooks on the kernel's dentries (plant.bpf.h).
 */
#define SECIMPORT_NR_WRITE_OUTSIDE (SECIMPORT_SYSCALL_BITS - 9)
/*
 * prctl(PR_SET_NAME / PR_GET_NAME): naming the calling thread, which
 * CPython 3.14+ does for every thread it starts (the option is a register).
 * In the interpreter baseline; other prctl options stay prctl.
 */
#define SECIMPORT_NR_THREAD_NAME (SECIMPORT_SYSCALL_BITS - 10)
#define SECIMPORT_NR_PSEUDO_FIRST SECIMPORT_NR_THREAD_NAME

/*
 * Actions are flags so that "the strictest action wins" is a bitwise OR over
 * the refusing modules. Every violation is reported (LOG is implied).
 */
#define SECIMPORT_ACT_LOG 0x1u
#define SECIMPORT_ACT_KILL 0x2u
#define SECIMPORT_ACT_DENY 0x4u /* refuse with EPERM (BPF LSM, cgroup socket hooks) */
#define SECIMPORT_ACT_TRACE 0x8u /* learning mode: record (module, syscall), nothing else */

/* Module locations: LPM trie over (set id, path bytes). */
#define SECIMPORT_PATH_MAX 252 /* bytes of path, NUL included */
struct secimport_location_key {
	__u32 prefixlen; /* in bits, over data[] */
	__u8 data[4 + SECIMPORT_PATH_MAX]; /* set id (big endian), then path */
};

struct secimport_location {
	__u32 module; /* 1..63 */
	__u32 pad;
};

/* Compiled policy of one module, array index set * 64 + module. */
struct secimport_module_policy {
	__u64 allow[SECIMPORT_SYSCALL_WORDS];
	__u32 action; /* SECIMPORT_ACT_* */
	__u32 present; /* 1 when the slot holds a policy */
};

/* One confined module's outermost frame on a thread's Python stack. */
struct secimport_frame {
	__s64 depth; /* Python call depth of that frame */
	__u64 mask; /* modules it confines by (all of the set if its file was unreadable) */
	__u64 file_ptr; /* user address of the UTF-8 file name */
	__u64 func_ptr; /* user address of the UTF-8 function name */
	__u32 lineno; /* first line of the function, as the probe reports it */
	__u32 pad;
	__u64 token; /* which frame it is (usdt_engine.bpf.c: frame_token); 0: unknown */
};

/* Per-thread state flags. */
#define SECIMPORT_TS_STOP_AT_SYSCALL 0x1u /* forked child: stop it for the engine */
#define SECIMPORT_TS_ATTACH_PENDING 0x2u /* stopped; user space is attaching */
#define SECIMPORT_TS_DOOMED 0x4u /* created against policy: kill at first syscall */
#define SECIMPORT_TS_USDT 0x8u /* the USDT engine is attached to this process */
#define SECIMPORT_TS_STACKWALK 0x10u /* attribution by walking CPython's frames */
#define SECIMPORT_TS_DENY_ARMED 0x20u /* the current syscall is refused: hooks say EPERM */
#define SECIMPORT_TS_SYSTEM \
	0x40u /* covered by the loaded system: its set follows `system_config` */
#define SECIMPORT_TS_GUARD_PENDING 0x80u /* guard_tids holds this connect's verdict */
#define SECIMPORT_TS_PYFRAME 0x100u /* usdt engine: frames told apart by their address */

/* Task storage value: the verdict state of one thread. */
struct secimport_thread {
	__u64 stack_mask; /* confined modules with frames on the stack */
	__u64 inherited_mask; /* confinement carried from the creator, for life */
	__s64 depth; /* Python call depth seen by the USDT engine */
	__u32 set; /* policy set of this process tree */
	__u32 flags; /* SECIMPORT_TS_* */
	__u32 nr_frames;
	__u32 resyncs; /* confined frames' returns seen at another depth */
	/* Stack-walking engine: this process's _PyRuntime, which interpreter
	 * build it is, and this thread's PyThreadState (a cache, revalidated). */
	__u64 py_runtime;
	__u64 py_tstate;
	__u32 py_interp;
	__u32 pad;
	/* Loaded system: the extra sets (SECIMPORT_XSET_*; 0: none), their
	 * modules on the stack and inherited, and the `system_config`
	 * generation the sets were read at. */
	__u32 xset[SECIMPORT_XSETS];
	__u64 xstack_mask[SECIMPORT_XSETS];
	__u64 xinherited_mask[SECIMPORT_XSETS];
	__u64 gen;
	struct secimport_frame frames[SECIMPORT_MAX_MODULES];
};

/*
 * A loaded system's switches (array `system_config`, u64 values). Every change of
 * sets bumps CFG_GEN; threads re-read their sets when they see a new one.
 */
enum secimport_config_key {
	SECIMPORT_CFG_GEN, /* bumped by `policy apply` and by registrations */
	SECIMPORT_CFG_SYSTEM_SET, /* the active system slot */
	SECIMPORT_CFG_MAX,
};

/* A running process to cover when the system is loaded (`adopt`, by tgid). */
struct secimport_adopt {
	__u64 py_runtime;
	__u32 py_interp;
	__u32 pad;
};

/*
 * The registration path's guard. At a connect of a covered thread, the
 * syscall-entry hook walks the stack and leaves its verdict by tid
 * (`guard_tids`); the UNIX connect hook moves it onto the connecting socket
 * (`peers`, socket storage), where the broker reads it.
 */
struct secimport_guard {
	__u64 ts_ns; /* when the syscall-entry hook walked */
	__u32 tgid;
	__u32 confined; /* a confined module was on the stack (or the walk failed) */
};

struct secimport_peer {
	__u32 tgid;
	__u32 covered; /* the connecting thread is covered by the loaded system */
	__u32 confined; /* a confined module was on its stack (or unknown) */
	__u32 pad;
};

/*
 * A loaded system's bookkeeping, read and written by user space only (the
 * commands and the broker share it through the pinned maps).
 */
#define SECIMPORT_NAME_MAX 128
#define SECIMPORT_MAX_INTERPS_INFO 16
struct secimport_module_name { /* `module_names`, key set * 64 + module */
	char name[SECIMPORT_NAME_MAX];
};

#define SECIMPORT_SYS_LSM 0x1u /* BPF LSM hooks attached */
#define SECIMPORT_SYS_CGROUP 0x2u /* cgroup socket hooks attached */
#define SECIMPORT_SYS_FALLBACK_KILL 0x4u /* deny without a hook kills */
#define SECIMPORT_SYS_GUARD 0x8u /* a registration guard hook is attached */
struct secimport_system_info { /* `system_info`, one entry */
	char version[32]; /* of the secimport-bpf that loaded it */
	__u32 abi; /* SECIMPORT_ABI_VERSION */
	__u32 flags; /* SECIMPORT_SYS_* */
	__u64 loaded_at; /* CLOCK_REALTIME, seconds */
	__u32 broker_pid;
	__u32 nr_interps;
	char socket[108]; /* the broker's UNIX socket */
	char pad[4];
	char interps[SECIMPORT_MAX_INTERPS_INFO][128]; /* interpreters covered */
	struct {
		__u64 dev, ino; /* of the ELF holding _PyRuntime, as stat() says */
	} elf_ids[SECIMPORT_MAX_INTERPS_INFO];
};

/* Per policy set: its modules, and the syscalls worth a stack walk. */
struct secimport_set {
	__u64 modules; /* mask of the modules the set defines */
	/* Syscalls some module of the set refuses, plus process creation and
	 * exec (inheritance needs the stack then): the walker runs only for these. */
	__u64 walk[SECIMPORT_SYSCALL_WORDS];
	__u64 write_limited; /* modules with write_paths: file hooks judge where writes land */
};

/*
 * Stack-walking engine: where CPython keeps what the walker reads, for one
 * interpreter build. Offsets are in bytes; SECIMPORT_PY_NONE marks a field
 * the version does not have. Filled by user space from tables generated from
 * each version's headers (3.8-3.12) or from _Py_DebugOffsets (3.13+).
 */
#define SECIMPORT_PY_NONE 0xffffffffu
#define SECIMPORT_MAX_INTERPS 16

struct secimport_py_offsets {
	__u32 major, minor;
	/* _PyRuntime -> interpreters.head -> threads.head -> tstate list */
	__u32 runtime_interpreters_head;
	__u32 runtime_interpreters_main; /* != head: sub-interpreters exist */
	__u32 interp_next; /* the next interpreter of the runtime's list */
	__u32 interp_threads_head;
	__u32 tstate_next;
	__u32 tstate_native_thread_id; /* 3.11+: matched to the tid */
	__u32 tstate_thread_id; /* 3.8-3.10: pthread_self, matched to fsbase */
	/* tstate -> current frame: either tstate_frame directly (3.8-3.10
	 * PyFrameObject, 3.13+ _PyInterpreterFrame), or through cframe (3.11,
	 * 3.12: tstate->cframe->current_frame). */
	__u32 tstate_frame;
	__u32 tstate_cframe;
	__u32 cframe_current_frame;
	__u32 frame_previous;
	__u32 frame_code; /* f_code / f_executable */
	__u32 frame_owner; /* u8; SECIMPORT_PY_NONE before 3.11 */
	/*
	 * The first owner value of frames with no code of their own (C-stack
	 * shims; from 3.14 the interpreter's entry frames): it and every
	 * value above are skipped.
	 */
	__u32 frame_owner_cstack;
	__u32 code_filename;
	__u32 code_name;
	__u32 code_firstlineno;
	/* str objects: PyASCIIObject.length, .state, and where data starts */
	__u32 unicode_length;
	__u32 unicode_state;
	__u32 unicode_ascii_data; /* sizeof(PyASCIIObject) */
	__u32 unicode_compact_data; /* sizeof(PyCompactUnicodeObject) */
	__u32 frame_code_tag_bits; /* 3.14+: f_executable's _PyStackRef tag bits */
};

/* Every field of struct secimport_py_offsets, in order (X-macro). */
#define SECIMPORT_PY_OFFSETS_FIELDS(X) \
	X(major)                       \
	X(minor)                       \
	X(runtime_interpreters_head)   \
	X(runtime_interpreters_main)   \
	X(interp_next)                 \
	X(interp_threads_head)         \
	X(tstate_next)                 \
	X(tstate_native_thread_id)     \
	X(tstate_thread_id)            \
	X(tstate_frame)                \
	X(tstate_cframe)               \
	X(cframe_current_frame)        \
	X(frame_previous)              \
	X(frame_code)                  \
	X(frame_owner)                 \
	X(frame_owner_cstack)          \
	X(code_filename)               \
	X(code_name)                   \
	X(code_firstlineno)            \
	X(unicode_length)              \
	X(unicode_state)               \
	X(unicode_ascii_data)          \
	X(unicode_compact_data)        \
	X(frame_code_tag_bits)

#ifndef __bpf__
#define SECIMPORT_COUNT_FIELD(f) +1
/* A field added to the struct must be added to the list too, or this fails. */
_Static_assert(sizeof(struct secimport_py_offsets) ==
		   (0 SECIMPORT_PY_OFFSETS_FIELDS(SECIMPORT_COUNT_FIELD)) * sizeof(__u32),
	       "struct secimport_py_offsets changed: update SECIMPORT_PY_OFFSETS_FIELDS");
#endif

/* One interpreter build the walker knows (array index = interp id). */
struct secimport_interp {
	struct secimport_py_offsets off;
	__u64 runtime_vaddr; /* ELF address of _PyRuntime */
	__u64 init_vaddr; /* ELF address of _PyRuntime_Initialize (uprobe site) */
	__u64 code_new_vaddr; /* ELF address of the code object constructor; 0: none found */
	__u64 interp_new_vaddr; /* ELF address of what makes a sub-interpreter; 0: none */
	/* 3.14+: PyMarshal_WriteObjectToString, PyMarshal_ReadObjectFromString
	 * (code shared between interpreters); 0: not probed. */
	__u64 marshal_dump_vaddr;
	__u64 marshal_load_vaddr;
};

/*
 * PyBytesObject: ob_size and ob_sval, the same from 3.8 to 3.15 (default
 * builds; the 3.14+ debug offsets are checked against them).
 */
#define SECIMPORT_PY_BYTES_OB_SIZE 16
#define SECIMPORT_PY_BYTES_OB_SVAL 32

/*
 * Code identity: which confined modules a code object belongs to, decided
 * when it was created (by the constructor's return probe) and kept for its
 * whole life, whatever its co_filename says later. Key: the process and the
 * object's address; a new code object at the same address replaces it.
 */
struct secimport_code_key {
	__u32 tgid;
	__u32 pad; /* 0, or SECIMPORT_CODE_KEY_MARSHAL | length */
	__u64 code;
};

/*
 * Key tag of the marshalled bytes of a confined code object, in code_owner
 * ({tgid, tag | length, address of the bytes}): code made while they are
 * read back belongs to the same modules (codeident.bpf.c).
 */
#define SECIMPORT_CODE_KEY_MARSHAL 0x80000000U

struct secimport_code_owner {
	__u64 mask; /* modules of the thread's set */
	__u64 xmask[SECIMPORT_XSETS]; /* modules of its extra sets */
};

/*
 * The stack walker's cache of what a code object's file name says (key
 * struct secimport_code_key): valid while the code has the same co_filename
 * object and the thread the same sets at the same generation. A code object
 * created at the address drops it.
 */
struct secimport_file_cache {
	__u64 fname; /* the co_filename object it was computed from */
	__u64 sets; /* the thread's sets and their generation, packed (file_cache_sets()) */
	__u64 mask;
	__u64 xmask[SECIMPORT_XSETS];
};

/*
 * A directory a module may write under (write_paths), by the kernel's
 * identity of its inode: the value is the mask of the set's modules that
 * may. Identities, not path strings: a name seen at syscall entry lives in
 * memory another thread can change, and symlinks and `..` resolve to the
 * same dentries.
 */
struct secimport_write_dir_key {
	__u32 set;
	__u32 dev; /* kernel encoding: major << 20 | minor (the inode's sb->s_dev) */
	__u64 ino;
};

/* Interpreter binaries whose exec the engine must see: key. */
struct secimport_interp_key {
	__u64 dev; /* kernel encoding: major << 20 | minor */
	__u64 ino;
};

enum secimport_event_type {
	SECIMPORT_EV_VIOLATION = 1,
	SECIMPORT_EV_ATTACH = 2, /* a tracked process needs the engine attached */
	SECIMPORT_EV_EXIT = 3, /* a tracked process exited */
};

/* Event flags. */
#define SECIMPORT_EVF_COMPAT 0x1u /* ia32 syscall from a 64-bit task */
#define SECIMPORT_EVF_FORK_CHECK 0x2u /* caught after clone returned (clone3 race) */
#define SECIMPORT_EVF_NO_ATTRIBUTION 0x4u /* engine not attached yet: all modules */
#define SECIMPORT_EVF_DOOMED 0x8u /* process created against policy */
#define SECIMPORT_EVF_EXEC 0x10u /* ATTACH after exec (else after fork) */
#define SECIMPORT_EVF_WALK_FAILED 0x20u /* stack unreadable or too deep: all modules */
#define SECIMPORT_EVF_DENY_UNCOVERED 0x40u /* deny asked, no live hook refuses it: killed */

/* Learning mode: a (module, syscall) pair seen, key of `trace_seen`. */
struct secimport_trace_key {
	__u32 set;
	__u32 module;
	__u32 nr; /* policy number: SECIMPORT_NR_THREAD_CREATE for threads */
	__u32 pad;
};

/* The path recorded for threads of a Python process that run no Python. */
#define SECIMPORT_TRACE_THREADLESS "<thread>"

/* Learning mode, every module: a frame's file seen at a syscall. */
struct secimport_trace_file_key {
	__u32 nr;
	char path[SECIMPORT_PATH_MAX]; /* UTF-8, NUL-terminated unless truncated */
};

/* Per-CPU counters, index into the `counters` map. */
enum secimport_counter {
	SECIMPORT_CNT_KILLED,
	SECIMPORT_CNT_LOGGED,
	SECIMPORT_CNT_EVENTS_DROPPED,
	SECIMPORT_CNT_RESYNC, /* a confined frame's return seen at another depth */
	SECIMPORT_CNT_FRAME_OVERFLOW, /* more confined frames than slots */
	SECIMPORT_CNT_UNREADABLE_FILE, /* co_filename could not be read */
	SECIMPORT_CNT_WALKS, /* stack walks done */
	SECIMPORT_CNT_WALK_FAILED, /* walks that failed closed */
	SECIMPORT_CNT_DENIED, /* violations refused (deny), not killed */
	SECIMPORT_CNT_RETURN_MISMATCH, /* returns at a confined frame's depth, not its own: kept */
	SECIMPORT_CNT_CODE_TAINTED, /* code objects created owned by a confined module */
	SECIMPORT_CNT_CODE_OWNER_FULL, /* ... that could not be recorded: process killed */
	SECIMPORT_CNT_SEARCH_RETRIED, /* thread-state searches tried again (a list that changed) */
	/* Walks that failed closed, by reason: one per enum secimport_walk_error. */
	SECIMPORT_CNT_WALK_ERR_FIRST,
	SECIMPORT_CNT_WALK_ERR_LAST = SECIMPORT_CNT_WALK_ERR_FIRST + 4,
	SECIMPORT_CNT_MAX,
};

/*
 * Why a stack walk failed closed (counted per reason, and in the event). Each
 * is a state the interpreter does not reach on its own, or a bound a
 * program would have to outgrow on purpose.
 */
enum secimport_walk_error {
	SECIMPORT_WALK_OK,
	SECIMPORT_WALK_UNREADABLE, /* interpreter memory could not be read */
	SECIMPORT_WALK_THREADS_BOUND, /* thread-state search exceeded its bound (or looped) */
	SECIMPORT_WALK_FRAMES_BOUND, /* a stack deeper than the bound (or a cycle) */
	SECIMPORT_WALK_UNKNOWN_INTERP, /* no description of the interpreter build */
	SECIMPORT_WALK_TSTATES, /* more thread states for one thread than are walked */
	SECIMPORT_WALK_NR_ERRORS,
};

#ifndef __bpf__
_Static_assert(SECIMPORT_CNT_WALK_ERR_LAST - SECIMPORT_CNT_WALK_ERR_FIRST + 2 ==
		   SECIMPORT_WALK_NR_ERRORS,
	       "one walk-error counter per enum secimport_walk_error reason");
#endif

#define SECIMPORT_COMM_LEN 16
#define SECIMPORT_EV_FILE_LEN 160
#define SECIMPORT_EV_FUNC_LEN 64
#define SECIMPORT_EV_STACK 4 /* top frames in an event (stack walker) */
#define SECIMPORT_EV_STACK_FILE_LEN 96
#define SECIMPORT_EV_STACK_FUNC_LEN 48

/* One frame of the Python stack at a violation, innermost first. */
struct secimport_event_frame {
	char file[SECIMPORT_EV_STACK_FILE_LEN];
	char func[SECIMPORT_EV_STACK_FUNC_LEN];
	__u32 lineno; /* the function's first line */
	__u32 pad;
};

struct secimport_event {
	__u64 ts_ns; /* CLOCK_MONOTONIC */
	__u32 type;
	__u32 pid;
	__u32 tid;
	__u32 action; /* SECIMPORT_ACT_* taken */
	__s32 syscall_nr;
	__u32 flags; /* SECIMPORT_EVF_* */
	__u64 confined_mask;
	__u64 refusing_mask;
	__u32 set;
	__u32 lineno;
	char comm[SECIMPORT_COMM_LEN];
	char file[SECIMPORT_EV_FILE_LEN];
	char func[SECIMPORT_EV_FUNC_LEN];
	__u32 nr_stack;
	__u32 walk_error; /* enum secimport_walk_error, with SECIMPORT_EVF_WALK_FAILED */
	__u32 xset[SECIMPORT_XSETS]; /* the thread's extra sets, 0 if none */
	__u64 xconfined_mask[SECIMPORT_XSETS]; /* their modules confining the thread */
	__u64 xrefusing_mask[SECIMPORT_XSETS]; /* ... and refusing the syscall */
	struct secimport_event_frame stack[SECIMPORT_EV_STACK];
};

#endif /* SECIMPORT_ABI_H */

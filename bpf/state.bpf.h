/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps and verdict logic shared by the attribution engine, the enforcement
 * hooks and the lifecycle hooks. The BPF objects are linked into one (bpftool
 * gen object), so the maps are defined once, in maps.bpf.c, and declared
 * extern everywhere else.
 */
#ifndef SECIMPORT_STATE_BPF_H
#define SECIMPORT_STATE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "secimport.h"

#ifndef SIGKILL
#define SIGKILL 9
#endif
#ifndef SIGSTOP
#define SIGSTOP 19
#endif
#define CLONE_THREAD 0x00010000ULL

/* Syscall numbers the hooks interpret themselves (arch-specific). */
#if defined(__TARGET_ARCH_x86)
#define NR_CLONE 56
#define NR_CLONE3 435
#define NR_SOCKET 41
#define NR_CONNECT 42
/*
 * Linux 6.11+ returns from a uretprobe through this syscall, made by the
 * kernel's own trampoline (called from anywhere else it only raises
 * SIGILL): the code identity probe's doing, never the program's.
 */
#define NR_URETPROBE 335
#define TS_COMPAT 0x0002u
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define NR_CLONE 220
#define NR_CLONE3 435
#define NR_SOCKET 198
#define NR_CONNECT 203
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#else
#error "unsupported architecture"
#endif

#ifdef SECIMPORT_DEFINE_MAPS
#define SECIMPORT_MAP
#else
#define SECIMPORT_MAP extern
#endif

/* Verdict state of every thread of a confined process tree. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct secimport_thread);
} threads SEC(".maps");

/* Where confined modules live: (set, path prefix) -> module. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct secimport_location_key);
	__type(value, struct secimport_location);
} locations SEC(".maps");

/*
 * Compiled module policies, key set * SECIMPORT_MAX_MODULES + module. A hash:
 * private sets hold a module or two, not 64.
 */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct secimport_module_policy);
} policies SEC(".maps");

/* Per set: the modules it defines ("confined by all") and what to walk for. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SECIMPORT_MAX_SETS);
	__type(key, __u32);
	__type(value, struct secimport_set);
} sets SEC(".maps");

/* Interpreter builds the stack walker knows, by interp id. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SECIMPORT_MAX_INTERPS);
	__type(key, __u32);
	__type(value, struct secimport_interp);
} interps SEC(".maps");

/* Interpreter binaries: an exec of one stops the process for the engine. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct secimport_interp_key);
	__type(value, __u32);
} interpreters SEC(".maps");

SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Counters surfaced to users (index enum secimport_counter). */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SECIMPORT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Learning mode: (set, module, syscall) pairs seen, with counts. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct secimport_trace_key);
	__type(value, __u64);
} trace_seen SEC(".maps");

/* Learning mode, every module: (syscall, file of a frame) pairs seen. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1); /* sized by the loader when it records */
	__type(key, struct secimport_trace_file_key);
	__type(value, __u64);
} trace_files SEC(".maps");

/* Loaded system: its switches (enum secimport_config_key). */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SECIMPORT_CFG_MAX);
	__type(key, __u32);
	__type(value, __u64);
} system_config SEC(".maps");

/* Loaded system: the private set of each process that registered (by tgid). */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u32);
} proc_sets SEC(".maps");

/* Loaded system: the set of each cgroup with a policy (by cgroup v2 id). */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SECIMPORT_MAX_CGROUP_SETS);
	__type(key, __u64);
	__type(value, __u32);
} cgroup_sets SEC(".maps");

/* Loaded system: processes running before it, to cover (by tgid). */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct secimport_adopt);
} adopt SEC(".maps");

/* Loaded system: the registration guard's verdict at a connect, by tid. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct secimport_guard);
} guard_tids SEC(".maps");

/*
 * Code identity: the confined modules each code object belongs to, for the
 * code objects that belong to one (by process and address).
 */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 262144);
	__type(key, struct secimport_code_key);
	__type(value, struct secimport_code_owner);
} code_owner SEC(".maps");

/* write_paths: the directories (by inode) each set's modules may write under. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct secimport_write_dir_key);
	__type(value, __u64);
} write_dirs SEC(".maps");

/* The walker's cache of file names' modules (a cache: eviction costs a lookup). */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct secimport_code_key);
	__type(value, struct secimport_file_cache);
} file_cache SEC(".maps");

/* Threads armed for refusal, by tid: cgroup programs cannot read task storage. */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} deny_armed SEC(".maps");

/*
 * Set by the loader before load. cfg_deny_covered: syscalls a live deny hook
 * refuses in the kernel path (BPF LSM). cfg_deny_cgroup: the cgroup socket
 * hooks are attached, so socket() of an inet family is refusable too.
 */
#ifdef SECIMPORT_DEFINE_MAPS
const volatile __u64 cfg_deny_covered[SECIMPORT_SYSCALL_WORDS] = {};
const volatile __u32 cfg_deny_cgroup = 0;
const volatile __u32 cfg_trace_files = 0; /* learning mode: record every frame's file */
const volatile __u32 cfg_system = 0; /* a loaded system: cover every interpreter exec */
const volatile __u32 cfg_loader_tgid = 0; /* the loader, teaching fdio.bpf.h its f_ops */
#else
extern const volatile __u32 cfg_loader_tgid;
extern const volatile __u32 cfg_system;
extern const volatile __u64 cfg_deny_covered[SECIMPORT_SYSCALL_WORDS];
extern const volatile __u32 cfg_deny_cgroup;
extern const volatile __u32 cfg_trace_files;
#endif

/*
 * The word of a syscall bitmap that holds bit @nr. The mask is kept in the
 * register the access uses: clang would drop it after a range check, and
 * older verifiers (6.1) do not carry that check's bound through a spill.
 */
static __always_inline __u32 bitmap_word(__u64 nr)
{
	__u64 w = nr / 64;

	barrier_var(w);
	return w & (SECIMPORT_SYSCALL_WORDS - 1);
}

static __always_inline bool deny_covered(struct pt_regs *regs, long id)
{
	__u64 nr = id;

	if (id < 0 || nr >= SECIMPORT_SYSCALL_BITS)
		return false;
	if ((cfg_deny_covered[bitmap_word(nr)] >> (nr % 64)) & 1)
		return true;
	if (cfg_deny_cgroup && id == NR_SOCKET && regs) {
		long family = PT_REGS_PARM1_CORE_SYSCALL(regs);

		return family == 2 /* AF_INET */ || family == 10 /* AF_INET6 */;
	}
	return false;
}

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);

	if (v)
		(*v)++;
}

/*
 * A code identity that cannot be recorded (code_owner full): the process's
 * code would run as nobody's, so it is killed (fail closed).
 */
static __always_inline void kill_unrecorded_identity(void)
{
	bpf_send_signal(SIGKILL);
	count(SECIMPORT_CNT_CODE_OWNER_FULL);
	count(SECIMPORT_CNT_KILLED);
}

static __always_inline struct secimport_thread *thread_state(struct task_struct *task)
{
	/* Cheapest exit first: a task that no BPF program gave storage. */
	if (!task->bpf_storage)
		return NULL;
	return bpf_task_storage_get(&threads, task, NULL, 0);
}

static __always_inline __u64 set_all_modules(__u32 set)
{
	struct secimport_set *s = bpf_map_lookup_elem(&sets, &set);

	/* An unknown set confines by everything it could mean: fail closed. */
	return s ? s->modules : ~0ULL;
}

/*
 * The modules that confine the thread now. While the engine is not attached
 * to a process that should have it, nothing says which modules are on the
 * stack, so every module of the set applies.
 */
static __always_inline __u64 effective_mask(const struct secimport_thread *ts, __u32 *evflags)
{
	if (ts->flags & SECIMPORT_TS_ATTACH_PENDING) {
		*evflags |= SECIMPORT_EVF_NO_ATTRIBUTION;
		return set_all_modules(ts->set) | ts->inherited_mask;
	}
	return ts->stack_mask | ts->inherited_mask;
}

static __always_inline __u64 config_get(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&system_config, &key);

	return v ? *v : 0;
}

#define CGROUP_MAX_DEPTH 16

/* The policy of the calling task's cgroup, or of its nearest ancestor with one. */
static __always_inline __u32 current_cgroup_set(void)
{
	__u32 found = 0;

	for (int level = 0; level < CGROUP_MAX_DEPTH; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);
		__u32 *set;

		if (!id)
			break;
		set = bpf_map_lookup_elem(&cgroup_sets, &id);
		if (set)
			found = *set;
	}
	return found;
}

/*
 * Loaded system: after `policy apply` or a registration, a thread reads its
 * sets again at its next syscall. Until then it is judged by the sets it
 * had, which stay intact until every thread could have moved on.
 */
static __always_inline void refresh_sets(struct secimport_thread *ts, struct task_struct *task)
{
	__u64 gen = config_get(SECIMPORT_CFG_GEN);
	__u32 tgid, *pset;

	if (gen == ts->gen)
		return;
	ts->gen = gen;
	if (ts->flags & SECIMPORT_TS_SYSTEM) {
		__u32 set = config_get(SECIMPORT_CFG_SYSTEM_SET);
		__u64 deflt = set_all_modules(set) & (1ULL << SECIMPORT_DEFAULT_MODULE);

		ts->set = set;
		/* process_default confines every process of the system, now. */
		ts->inherited_mask = (ts->inherited_mask & ~1ULL) | deflt;
		/* The cgroup's policy, and its process_default, the same way. */
		set = current_cgroup_set();
		deflt = set ? set_all_modules(set) & (1ULL << SECIMPORT_DEFAULT_MODULE) : 0;
		ts->xset[SECIMPORT_XSET_CGROUP] = set;
		ts->xinherited_mask[SECIMPORT_XSET_CGROUP] =
		    (ts->xinherited_mask[SECIMPORT_XSET_CGROUP] & ~1ULL) | deflt;
	}
	tgid = task->tgid;
	pset = bpf_map_lookup_elem(&proc_sets, &tgid);
	if (pset)
		ts->xset[SECIMPORT_XSET_PRIVATE] = *pset;
}

struct verdict_ctx {
	__u64 mask;
	__u64 refusing;
	__u32 set;
	__u32 nr;
	__u32 action;
};

static long verdict_step(__u32 i, struct verdict_ctx *v)
{
	struct secimport_module_policy *pol;
	__u32 idx, nr = v->nr;

	if (i >= SECIMPORT_MAX_MODULES)
		return 1;
	if (!(v->mask & (1ULL << i)))
		return 0;
	idx = (v->set % SECIMPORT_MAX_SETS) * SECIMPORT_MAX_MODULES + i;
	pol = bpf_map_lookup_elem(&policies, &idx);
	if (!pol || !pol->present) {
		/* A module without a policy: refuse with the strictest action. */
		v->refusing |= 1ULL << i;
		v->action |= SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL;
		return 0;
	}
	if (nr < SECIMPORT_SYSCALL_BITS && (pol->allow[bitmap_word(nr)] >> (nr % 64)) & 1)
		return 0;
	v->refusing |= 1ULL << i;
	v->action |= pol->action;
	return 0;
}

/*
 * Intersection of the allowances of every module in @mask: a syscall passes
 * only if each of them allows it. Returns the refusing modules and ORs their
 * actions into *action (the strictest wins). @nr out of range is refused by
 * all of them. bpf_loop keeps the verifier from exploring 2^64 mask paths.
 */
static __always_inline __u64 refusing_modules(__u32 set, __u64 mask, __u32 nr, __u32 *action)
{
	struct verdict_ctx v = { .mask = mask, .set = set, .nr = nr };
	/*
	 * Only up to the highest module present: usually one or two steps.
	 * Branch-free (smear the bits down, count them), so that the verifier
	 * follows one path here, not one per bit. (clang 14 cannot lower
	 * __builtin_clzll for BPF.)
	 */
	__u64 m = mask;
	__u32 steps;

	m |= m >> 1;
	m |= m >> 2;
	m |= m >> 4;
	m |= m >> 8;
	m |= m >> 16;
	m |= m >> 32;
	m = m - ((m >> 1) & 0x5555555555555555ULL);
	m = (m & 0x3333333333333333ULL) + ((m >> 2) & 0x3333333333333333ULL);
	m = (m + (m >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	steps = (m * 0x0101010101010101ULL) >> 56;

	bpf_loop(steps, verdict_step, &v, 0);
	*action |= v.action;
	return v.refusing;
}

/* Extra set @i's modules confining the thread (0 without one). */
static __always_inline __u64 extra_mask(const struct secimport_thread *ts, int i)
{
	return cfg_system && ts->xset[i] ? ts->xstack_mask[i] | ts->xinherited_mask[i] : 0;
}

/* Who confines a thread at a syscall, who refuses it, and how strictly. */
struct verdict {
	__u64 mask, refusing; /* modules of the thread's own set */
	__u64 xmask[SECIMPORT_XSETS], xrefusing[SECIMPORT_XSETS];
	__u32 action;
};

static __always_inline bool verdict_confined(const struct verdict *v)
{
	return v->mask || v->xmask[0] || v->xmask[1];
}

/* Judge syscall @nr by every set of the thread: refusing modules, action. */
static __always_inline bool judge(const struct secimport_thread *ts, __u32 nr, struct verdict *v)
{
	v->refusing = v->mask ? refusing_modules(ts->set, v->mask, nr, &v->action) : 0;
	for (int i = 0; i < SECIMPORT_XSETS; i++)
		v->xrefusing[i] = cfg_system && v->xmask[i]
				      ? refusing_modules(ts->xset[i], v->xmask[i], nr, &v->action)
				      : 0;
	return v->refusing || v->xrefusing[0] || v->xrefusing[1];
}

static __always_inline struct secimport_event *event_reserve(__u32 type)
{
	struct secimport_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		count(SECIMPORT_CNT_EVENTS_DROPPED);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

#endif /* SECIMPORT_STATE_BPF_H */

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Lifecycle of confinement: threads and processes inherit it at creation,
 * it survives exec, and exits are reported so the engine can let go.
 */
#include "verdict.bpf.h"

/* Is the syscall that created a process allowed to (clone3 flags can race)? */
static __always_inline void check_process_creation(struct task_struct *parent,
						   struct secimport_thread *pts,
						   struct secimport_thread *cts)
{
	__u32 evflags = SECIMPORT_EVF_FORK_CHECK;
	struct verdict v = { .mask = effective_mask(pts, &evflags) };
	struct pt_regs *regs;
	long nr;

	for (int i = 0; i < SECIMPORT_XSETS; i++)
		v.xmask[i] = extra_mask(pts, i);
	if (!verdict_confined(&v))
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(parent);
	nr = regs ? (long)SYSCALL_NR(regs) : -1;
	/* Whatever the flags said, a process was created: judge it as one. */
	if (nr != NR_CLONE && nr != NR_CLONE3)
		nr = NR_CLONE;
	if (!judge(pts, nr, &v))
		return;
	/* Deny without a live task_alloc hook falls back to the kill. */
	if ((v.action & SECIMPORT_ACT_DENY) && !deny_covered(NULL, nr))
		v.action |= SECIMPORT_ACT_KILL;
	if (!(v.action & SECIMPORT_ACT_KILL))
		return;
	/* Only a race gets here: syscall entry let it through. */
	cts->flags |= SECIMPORT_TS_DOOMED;
	struct walk_result none = {};

	violation(nr, &v, evflags, &none);
}

/* Code identity across fork, exec and exit (codeident.bpf.c records it). */
struct code_owner_copy {
	__u32 from, to; /* tgids; to == 0: delete from's entries */
	int failed;
};

static long code_owner_step(struct bpf_map *map, struct secimport_code_key *key,
			    struct secimport_code_owner *val, struct code_owner_copy *c)
{
	struct secimport_code_key k;

	if (key->tgid != c->from)
		return 0;
	if (!c->to) {
		bpf_map_delete_elem(map, key);
		return 0;
	}
	k.tgid = c->to;
	k.pad = key->pad; /* marshalled bytes keep their tag */
	k.code = key->code;
	if (bpf_map_update_elem(map, &k, val, BPF_ANY))
		c->failed = 1;
	return 0;
}

/*
 * A forked child has the parent's code objects at the same addresses: it
 * gets their identities. Returns -1 if they could not all be copied.
 */
static __always_inline int code_owner_fork(__u32 parent, __u32 child)
{
	struct code_owner_copy c = { .from = parent, .to = child };

	bpf_for_each_map_elem(&code_owner, code_owner_step, &c, 0);
	return c.failed ? -1 : 0;
}

/* The process's code objects are gone (exec, exit). */
static __always_inline void code_owner_forget(__u32 tgid)
{
	struct code_owner_copy c = { .from = tgid };

	bpf_for_each_map_elem(&code_owner, code_owner_step, &c, 0);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(secimport_fork, struct task_struct *parent, struct task_struct *child)
{
	struct secimport_thread *pts = thread_state(parent), *cts;
	bool thread = child->tgid == parent->tgid;

	if (!pts)
		return 0;
	cts = bpf_task_storage_get(&threads, child, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cts) {
		/* No state for the child would let it run unconfined. */
		bpf_send_signal(SIGKILL);
		count(SECIMPORT_CNT_KILLED);
		return 0;
	}
	/*
	 * The walk's scratch, made now rather than at the child's first
	 * decision, where failing to make it kills (on a preemptive kernel a
	 * task storage cannot be made while another task on the CPU was
	 * preempted inside one). A failure here is only early.
	 */
	bpf_task_storage_get(&walk_scratch, child, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	/* Same address space layout: the same runtime and interpreter build. */
	cts->py_runtime = pts->py_runtime;
	cts->py_interp = pts->py_interp;
	for (int i = 0; i < SECIMPORT_XSETS; i++) {
		cts->xset[i] = pts->xset[i];
		cts->xinherited_mask[i] = pts->xinherited_mask[i] | pts->xstack_mask[i];
	}
	cts->gen = pts->gen;
	if (thread) {
		/* A new thread starts with an empty Python stack. */
		cts->set = pts->set;
		cts->inherited_mask = pts->inherited_mask | pts->stack_mask;
		cts->flags = pts->flags &
			     (SECIMPORT_TS_USDT | SECIMPORT_TS_ATTACH_PENDING |
			      SECIMPORT_TS_STACKWALK | SECIMPORT_TS_SYSTEM | SECIMPORT_TS_PYFRAME);
		return 0;
	}
	/*
	 * The child shares its parent's private set: registering is per process
	 * tree. Without the entry it would lose it at its next refresh.
	 */
	if (pts->xset[SECIMPORT_XSET_PRIVATE]) {
		__u32 tgid = child->tgid, pset = pts->xset[SECIMPORT_XSET_PRIVATE];

		if (bpf_map_update_elem(&proc_sets, &tgid, &pset, BPF_ANY)) {
			bpf_send_signal(SIGKILL);
			count(SECIMPORT_CNT_KILLED);
			return 0;
		}
	}
	if ((pts->flags & SECIMPORT_TS_STACKWALK) && code_owner_fork(parent->tgid, child->tgid)) {
		kill_unrecorded_identity();
		return 0;
	}
	/*
	 * A new process continues the same Python stack at the same depth;
	 * the confined frames on it now confine it for life.
	 */
	cts->set = pts->set;
	cts->depth = pts->depth;
	cts->inherited_mask = pts->inherited_mask | pts->stack_mask;
	cts->flags = pts->flags & (SECIMPORT_TS_ATTACH_PENDING | SECIMPORT_TS_STACKWALK |
				   SECIMPORT_TS_SYSTEM | SECIMPORT_TS_PYFRAME);
	cts->py_tstate = pts->py_tstate; /* revalidated: CPython updates its id */
	/*
	 * The engine's probes are per address space: a CLONE_VM child (vfork,
	 * posix_spawn) is already seen through its parent's until it execs.
	 */
	if ((pts->flags & SECIMPORT_TS_USDT) && child->mm != parent->mm)
		cts->flags |= SECIMPORT_TS_STOP_AT_SYSCALL;
	else if (pts->flags & SECIMPORT_TS_USDT)
		cts->flags |= SECIMPORT_TS_USDT;
	check_process_creation(parent, pts, cts);
	return 0;
}

static __always_inline bool is_interpreter(struct linux_binprm *bprm)
{
	struct inode *inode = BPF_CORE_READ(bprm, file, f_inode);
	struct secimport_interp_key key = {
		.ino = BPF_CORE_READ(inode, i_ino),
		.dev = BPF_CORE_READ(inode, i_sb, s_dev),
	};

	return bpf_map_lookup_elem(&interpreters, &key);
}

/*
 * Loaded system: every exec of an interpreter it covers starts covered. The
 * walker needs no attaching; the runtime probe finds _PyRuntime before any
 * Python code runs.
 */
static __always_inline int system_cover(struct task_struct *p, struct linux_binprm *bprm)
{
	struct secimport_thread *ts;

	if (!is_interpreter(bprm))
		return 0;
	ts = bpf_task_storage_get(&threads, p, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts) {
		/* Uncovered Python must not run: fail closed. */
		bpf_send_signal(SIGKILL);
		count(SECIMPORT_CNT_KILLED);
		return 0;
	}
	ts->flags = SECIMPORT_TS_STACKWALK | SECIMPORT_TS_SYSTEM;
	ts->gen = ~0ULL; /* read the sets at the first syscall */
	return 0;
}

/*
 * Loaded system: cover the threads of interpreters that were running
 * before it (user space lists them in `adopt`, then runs this iterator).
 */
SEC("iter/task")
int secimport_adopt(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct secimport_adopt *a;
	struct secimport_thread *ts;
	__u32 tgid;

	if (!task)
		return 0;
	tgid = task->tgid;
	a = bpf_map_lookup_elem(&adopt, &tgid);
	if (!a)
		return 0;
	ts = bpf_task_storage_get(&threads, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!ts || (ts->flags & SECIMPORT_TS_SYSTEM))
		return 0;
	ts->flags = SECIMPORT_TS_STACKWALK | SECIMPORT_TS_SYSTEM;
	ts->gen = ~0ULL;
	ts->py_runtime = a->py_runtime;
	ts->py_interp = a->py_interp;
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(secimport_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct secimport_thread *ts = thread_state(p);
	struct secimport_event *e;

	if (!ts)
		return cfg_system ? system_cover(p, bprm) : 0;
	/* The Python stack is gone; what confined it stays, for life. */
	ts->inherited_mask |= ts->stack_mask;
	ts->stack_mask = 0;
	for (int i = 0; i < SECIMPORT_XSETS; i++) {
		ts->xinherited_mask[i] |= ts->xstack_mask[i];
		ts->xstack_mask[i] = 0;
	}
	ts->nr_frames = 0;
	ts->depth = 0;
	if (ts->flags & SECIMPORT_TS_STACKWALK)
		code_owner_forget(p->tgid);
	ts->flags &= ~(SECIMPORT_TS_USDT | SECIMPORT_TS_STOP_AT_SYSCALL);
	ts->py_runtime = 0;
	ts->py_tstate = 0;
	if (ts->flags & SECIMPORT_TS_STACKWALK)
		return 0; /* the walker needs no attaching: the runtime probe finds it */

	if (!is_interpreter(bprm)) {
		ts->flags &= ~SECIMPORT_TS_ATTACH_PENDING;
		return 0;
	}
	/*
	 * Stopped before its first instruction until the engine is attached.
	 * Without the event nobody would resume it: then it runs, confined by
	 * every module of its set (fail closed).
	 */
	ts->flags |= SECIMPORT_TS_ATTACH_PENDING;
	e = event_reserve(SECIMPORT_EV_ATTACH);
	if (!e)
		return 0;
	e->flags = SECIMPORT_EVF_EXEC;
	e->set = ts->set;
	bpf_send_signal_thread(SIGSTOP);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(secimport_exit, struct task_struct *p)
{
	struct secimport_thread *ts = thread_state(p);
	struct secimport_event *e;

	if (!ts)
		return 0;
	/* Report the process once its last thread is gone. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (ts->flags & SECIMPORT_TS_STACKWALK)
		code_owner_forget(p->tgid);
	if (ts->xset[SECIMPORT_XSET_PRIVATE] || (ts->flags & SECIMPORT_TS_SYSTEM)) {
		/* Its private set is free once no process holds it. */
		__u32 tgid = p->tgid;

		bpf_map_delete_elem(&proc_sets, &tgid);
	}
	if (ts->flags & SECIMPORT_TS_SYSTEM)
		return 0; /* nobody attaches engines in a loaded system */
	e = event_reserve(SECIMPORT_EV_EXIT);
	if (e) {
		e->pid = p->tgid;
		bpf_ringbuf_submit(e, 0);
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

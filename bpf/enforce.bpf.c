// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Enforcement at syscall entry: the calling thread's confined modules decide
 * whether the syscall may run; a refused one gets the strictest action of
 * the modules that refuse it (SIGKILL to the process, or an event only).
 */
#include "fdio.bpf.h"
#include "verdict.bpf.h"

/*
 * The number a policy is checked against. Thread creation is its own pseudo
 * syscall, so that "no shell" refuses processes but not threads; so is I/O
 * on a socket or on process memory (fdio.bpf.h), and naming a thread.
 */
#if defined(__TARGET_ARCH_x86)
#define NR_PRCTL 157
#elif defined(__TARGET_ARCH_arm64)
#define NR_PRCTL 167
#endif
#define PR_SET_NAME 15
#define PR_GET_NAME 16

static __always_inline __u32 policy_nr(struct task_struct *task, struct pt_regs *regs, long id)
{
	__u64 flags = 0;

	if (id == NR_PRCTL) {
		long option = PT_REGS_PARM1_CORE_SYSCALL(regs);

		return option == PR_SET_NAME || option == PR_GET_NAME ? SECIMPORT_NR_THREAD_NAME
								      : (__u32)id;
	}
	if (id == NR_CLONE) {
		flags = PT_REGS_PARM1_CORE_SYSCALL(regs);
	} else if (id == NR_CLONE3) {
		/*
		 * clone_args is in user memory and may change after this read;
		 * sched_process_fork checks what was really created. An
		 * unreadable struct counts as process creation.
		 */
		void *args = (void *)PT_REGS_PARM1_CORE_SYSCALL(regs);

		if (bpf_probe_read_user(&flags, sizeof(flags), args))
			flags = 0;
	} else {
		return fdio_policy_nr(task, regs, id);
	}
	return (flags & CLONE_THREAD) ? SECIMPORT_NR_THREAD_CREATE : (__u32)id;
}

/*
 * A forked child of a process the USDT engine watches: stop it before it
 * returns to user space, so the engine is attached before any of its Python
 * code can run a syscall. Returns the mask to judge this first syscall by.
 */
static __always_inline __u64 stop_for_engine(struct secimport_thread *ts)
{
	struct secimport_event *e = event_reserve(SECIMPORT_EV_ATTACH);

	if (e) {
		/* Without the event nobody resumes it: run it fail-closed. */
		e->set = ts->set;
		bpf_send_signal_thread(SIGSTOP);
		bpf_ringbuf_submit(e, 0);
	}
	ts->flags = (ts->flags & ~SECIMPORT_TS_STOP_AT_SYSCALL) | SECIMPORT_TS_ATTACH_PENDING;
	/* This first syscall (glibc's, right after fork) is judged as before. */
	return ts->stack_mask | ts->inherited_mask;
}

/*
 * Is @id a syscall some module of the set could refuse, or one inheritance
 * needs the stack for? Out-of-range numbers always are. Unsigned
 * arithmetic: older verifiers lose the bounds of a signed division.
 */
static __always_inline bool set_walks(const struct secimport_set *si, long id)
{
	__u64 nr = (__u64)id;

	if (nr >= SECIMPORT_SYSCALL_BITS)
		return true;
	return (si->walk[bitmap_word(nr)] >> (nr & 63)) & 1;
}

/* Could a module of one of the thread's extra sets refuse @id? */
static __always_inline bool extra_sets_walk(const struct secimport_thread *ts, long id)
{
	for (int i = 0; cfg_system && i < SECIMPORT_XSETS; i++) {
		__u32 x = ts->xset[i];
		struct secimport_set *xi;

		if (!x)
			continue;
		xi = bpf_map_lookup_elem(&sets, &x);
		if (!xi || set_walks(xi, id))
			return true;
	}
	return false;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(secimport_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	struct walk_result *walk;
	struct walk_scratch *scratch;
	struct verdict *v;
	__u32 evflags = 0, nr, pnr;
	bool compat = false;
	__u64 mask = 0;

	if (!ts) {
		/* The loader teaching the descriptor check (fdio_learn). */
		if (cfg_loader_tgid && id == NR_FCNTL && task->tgid == cfg_loader_tgid)
			fdio_learn(task, regs);
		return 0;
	}
#ifdef NR_URETPROBE
	if (id == NR_URETPROBE)
		return 0;
#endif
	if (ts->flags & SECIMPORT_TS_DENY_ARMED) {
		/* The refusal was for the thread's previous syscall. */
		__u32 tid = task->pid;

		ts->flags &= ~SECIMPORT_TS_DENY_ARMED;
		bpf_map_delete_elem(&deny_armed, &tid);
	}
	if (ts->flags & SECIMPORT_TS_GUARD_PENDING) {
		/*
		 * A connect's verdict is for that connect only: a UNIX connect
		 * made later without the syscall (io_uring) must not find it.
		 */
		__u32 tid = task->pid;

		ts->flags &= ~SECIMPORT_TS_GUARD_PENDING;
		bpf_map_delete_elem(&guard_tids, &tid);
	}
#ifdef TS_COMPAT
	/* ia32 numbers mean other syscalls: no policy can allow them. */
	compat = BPF_CORE_READ(task, thread_info.status) & TS_COMPAT;
#endif
	/*
	 * What the policy judges (for clone3, only a first look at user
	 * memory; for fd I/O, the descriptor's kind): worked out only where a
	 * walk or a confined thread needs it.
	 */
	pnr = compat ? SECIMPORT_SYSCALL_BITS : (__u32)id;
	if (ts->flags & SECIMPORT_TS_DOOMED) {
		/* Whatever it is: the thread dies at its next syscall. */
	} else if (ts->flags & SECIMPORT_TS_STACKWALK) {
		__u32 set;
		struct secimport_set *si;

		if (!compat)
			pnr = policy_nr(task, regs, id);
		if (cfg_system)
			refresh_sets(ts, task);
		set = ts->set;
		si = bpf_map_lookup_elem(&sets, &set);
		/* Walk only where some module could refuse, or for inheritance. */
		/* A pseudo syscall walks where this set, or any extra set, could refuse it. */
		if (si && !compat && !cfg_trace_files && !(cfg_system && id == NR_CONNECT) &&
		    !set_walks(si, id) && !extra_sets_walk(ts, id) &&
		    (pnr == id ||
		     (!set_walks(si, pnr) && !(cfg_system && (ts->xset[0] || ts->xset[1])))))
			return 0;
	} else if (ts->flags & SECIMPORT_TS_STOP_AT_SYSCALL) {
		if (!compat)
			pnr = policy_nr(task, regs, id);
	} else {
		mask = effective_mask(ts, &evflags);
		if (!mask)
			return 0;
		if (!compat) {
			__u32 set = ts->set;
			struct secimport_set *si = bpf_map_lookup_elem(&sets, &set);

			pnr = policy_nr(task, regs, id);
			/* Allowed by every module of the set: nothing to decide. */
			if (si && !set_walks(si, id) && (pnr == id || !set_walks(si, pnr)))
				return 0;
		}
	}
	/*
	 * A decision is needed. The verdict and the walk's result live in the
	 * thread's scratch, not on the stack: with the frame walk's callbacks
	 * the stack outgrew the 512 bytes Linux 6.1 allows a call chain.
	 * Without memory for it, fail closed.
	 */
	scratch = walk_scratch_get();
	if (!scratch) {
		bpf_send_signal(SIGKILL);
		return 0;
	}
	walk = &scratch->sys_walk;
	v = &scratch->sys_verdict;
	__builtin_memset(walk, 0, sizeof(*walk));
	__builtin_memset(v, 0, sizeof(*v));
	if (ts->flags & SECIMPORT_TS_DOOMED) {
		v->action = SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL;
		v->mask = v->refusing = ts->inherited_mask;
		for (int i = 0; i < SECIMPORT_XSETS; i++)
			v->xmask[i] = v->xrefusing[i] = ts->xinherited_mask[i];
		violation(id, v, SECIMPORT_EVF_DOOMED, walk);
		return 0;
	}
	if (ts->flags & SECIMPORT_TS_STACKWALK) {
		/* The registration path (a UNIX connect) needs to know who is on the stack. */
		bool guard = cfg_system && id == NR_CONNECT;

		ts->stack_mask = stackwalk_modules(ts, task, pnr, &evflags, walk);
		v->mask = ts->stack_mask | ts->inherited_mask;
		for (int i = 0; i < SECIMPORT_XSETS; i++) {
			ts->xstack_mask[i] = walk->xmask[i];
			v->xmask[i] = extra_mask(ts, i);
		}
		/* process_default (module 0) confines all code, not a module. */
		if (guard) {
			struct secimport_guard g = {
				.ts_ns = bpf_ktime_get_ns(),
				.tgid = task->tgid,
				.confined =
				    (v->mask & ~1ULL) || v->xmask[0] || (v->xmask[1] & ~1ULL),
			};
			__u32 tid = task->pid;

			if (bpf_map_update_elem(&guard_tids, &tid, &g, BPF_ANY) == 0)
				ts->flags |= SECIMPORT_TS_GUARD_PENDING;
		}
	} else if (ts->flags & SECIMPORT_TS_STOP_AT_SYSCALL) {
		v->mask = stop_for_engine(ts);
	} else {
		v->mask = mask;
	}
	if (!verdict_confined(v))
		return 0;
	if (compat) {
		evflags |= SECIMPORT_EVF_COMPAT;
		nr = SECIMPORT_SYSCALL_BITS;
	} else {
		nr = pnr;
	}
	if (!judge(ts, nr, v))
		return 0;
	if (v->action & SECIMPORT_ACT_TRACE) {
		/* Learning mode: remember who needed what; nothing is refused. */
		trace_record(ts, nr, v);
		if (v->action == SECIMPORT_ACT_TRACE)
			return 0;
	}
	if (v->action & SECIMPORT_ACT_DENY) {
		if (!compat && deny_covered(regs, nr)) {
			/* The live hooks on this syscall's path return -EPERM. */
			__u32 tid = task->pid, one = 1;

			ts->flags |= SECIMPORT_TS_DENY_ARMED;
			/* The cgroup hooks see only this map: if it is full, kill. */
			if (bpf_map_update_elem(&deny_armed, &tid, &one, BPF_ANY)) {
				v->action = (v->action | SECIMPORT_ACT_KILL) & ~SECIMPORT_ACT_DENY;
				evflags |= SECIMPORT_EVF_DENY_UNCOVERED;
			}
		} else {
			/* No hook can refuse it: the fallback is the kill. */
			v->action = (v->action | SECIMPORT_ACT_KILL) & ~SECIMPORT_ACT_DENY;
			evflags |= SECIMPORT_EVF_DENY_UNCOVERED;
		}
	}
	/* I/O judged by its descriptor is reported as what it was judged as */
	violation_as(id, nr, v, evflags, walk);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

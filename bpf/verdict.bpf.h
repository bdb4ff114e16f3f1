/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Violations: the event record and the action, for every enforcement point. */
#ifndef SECIMPORT_VERDICT_BPF_H
#define SECIMPORT_VERDICT_BPF_H

#include "stackwalk.bpf.h"

/*
 * The event record of a violation by the calling thread. One global BPF
 * function (report.bpf.c), verified once, not again on every path of a hook
 * that reaches it. @nrs: the syscall's number in the low half, the number
 * it was judged as in the high half; @walk: what the stack walker saw
 * (empty: the USDT engine's recorded frames, if any).
 */
int violation_report(const struct verdict *v, const struct walk_result *walk, __u64 nrs,
		     __u32 evflags);

/* Report a violation of the calling thread and carry out its action. */
static __always_inline void violation_as(__s32 nr, __u32 judged, const struct verdict *v,
					 __u32 evflags, const struct walk_result *walk)
{
	__u32 action = v->action;

	if (action & SECIMPORT_ACT_KILL) {
		bpf_send_signal(SIGKILL);
		count(SECIMPORT_CNT_KILLED);
	} else if (action & SECIMPORT_ACT_DENY) {
		count(SECIMPORT_CNT_DENIED);
	} else {
		count(SECIMPORT_CNT_LOGGED);
	}
	violation_report(v, walk, (__u64)judged << 32 | (__u32)nr, evflags);
}

static __always_inline void violation(__s32 nr, const struct verdict *v, __u32 evflags,
				      const struct walk_result *walk)
{
	violation_as(nr, (__u32)nr, v, evflags, walk);
}

static __always_inline void trace_record(const struct secimport_thread *ts, __u32 nr,
					 const struct verdict *v);

/*
 * A pseudo syscall @nr met in a probe of the interpreter or a library (no
 * syscall of its own, so no hook can refuse it): judged on the walked
 * stack, as the syscall hook judges; deny falls back to the kill.
 */
static __always_inline void judge_at_probe(struct secimport_thread *ts, struct task_struct *task,
					   __u32 nr)
{
	struct walk_result *walk;
	struct walk_scratch *s;
	struct verdict *v;
	__u32 evflags = 0;

	/* The stack walker's threads only (DESIGN.md: the USDT engine's limits). */
	if (!(ts->flags & SECIMPORT_TS_STACKWALK))
		return;
	s = walk_scratch_get();
	if (!s) {
		bpf_send_signal(SIGKILL); /* never: fail closed */
		return;
	}
	walk = &s->probe_walk;
	v = &s->probe_verdict;
	__builtin_memset(v, 0, sizeof(*v));
	if (cfg_system)
		refresh_sets(ts, task);
	v->mask = stackwalk_modules(ts, task, nr, &evflags, walk) | ts->inherited_mask;
	for (int i = 0; i < SECIMPORT_XSETS; i++)
		v->xmask[i] =
		    cfg_system && ts->xset[i] ? walk->xmask[i] | ts->xinherited_mask[i] : 0;
	if (!verdict_confined(v) || !judge(ts, nr, v))
		return;
	if (v->action & SECIMPORT_ACT_TRACE) {
		trace_record(ts, nr, v);
		if (v->action == SECIMPORT_ACT_TRACE)
			return;
	}
	if (v->action & SECIMPORT_ACT_DENY) {
		v->action = (v->action | SECIMPORT_ACT_KILL) & ~SECIMPORT_ACT_DENY;
		evflags |= SECIMPORT_EVF_DENY_UNCOVERED;
	}
	violation(nr, v, evflags, walk);
}

struct trace_ctx {
	__u64 refusing;
	__u32 set;
	__u32 nr;
};

static long trace_step(__u32 i, struct trace_ctx *t)
{
	struct secimport_trace_key key = { .set = t->set, .module = i, .nr = t->nr };
	__u64 one = 1, *n;

	if (i >= SECIMPORT_MAX_MODULES)
		return 1;
	if (!(t->refusing & (1ULL << i)))
		return 0;
	n = bpf_map_lookup_elem(&trace_seen, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&trace_seen, &key, &one, BPF_NOEXIST);
	return 0;
}

/* Learning mode: remember which modules needed syscall @nr. */
static __always_inline void trace_record(const struct secimport_thread *ts, __u32 nr,
					 const struct verdict *v)
{
	struct trace_ctx t = { .refusing = v->refusing, .set = ts->set, .nr = nr };

	bpf_loop(SECIMPORT_MAX_MODULES, trace_step, &t, 0);
}

#endif /* SECIMPORT_VERDICT_BPF_H */

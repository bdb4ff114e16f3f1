/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Violations: the event record and the action, for every enforcement point. */
#ifndef SECIMPORT_VERDICT_BPF_H
#define SECIMPORT_VERDICT_BPF_H

#include "stackwalk.bpf.h"

/* Innermost confined frame, for the event (empty when none is known). */
static __always_inline void event_fill_frame(struct secimport_event *e,
					     const struct secimport_thread *ts)
{
	__u32 n = ts->nr_frames;

	e->file[0] = 0;
	e->func[0] = 0;
	e->lineno = 0;
	if (n == 0 || n > SECIMPORT_MAX_MODULES)
		return;
	const struct secimport_frame *f = &ts->frames[(n - 1) & (SECIMPORT_MAX_MODULES - 1)];

	e->lineno = f->lineno;
	if (f->file_ptr)
		bpf_probe_read_user_str(e->file, sizeof(e->file), (void *)f->file_ptr);
	if (f->func_ptr)
		bpf_probe_read_user_str(e->func, sizeof(e->func), (void *)f->func_ptr);
}

/*
 * Report a violation and carry out its action on the calling process.
 * @walk: what the stack walker saw (empty: use the USDT engine's recorded
 * frames, if any).
 */
static __always_inline void violation_as(const struct secimport_thread *ts, __s32 nr,
					 __u32 judged, const struct verdict *v, __u32 evflags,
					 const struct walk_result *walk)
{
	__u32 action = v->action;
	struct secimport_event *e;

	if (action & SECIMPORT_ACT_KILL) {
		bpf_send_signal(SIGKILL);
		count(SECIMPORT_CNT_KILLED);
	} else if (action & SECIMPORT_ACT_DENY) {
		count(SECIMPORT_CNT_DENIED);
	} else {
		count(SECIMPORT_CNT_LOGGED);
	}
	e = event_reserve(SECIMPORT_EV_VIOLATION);
	if (!e)
		return;
	e->action = action;
	/*
	 * I/O judged by its descriptor is reported as what it was judged as;
	 * chosen here, where the value dies at once, so that the verifier's
	 * paths do not split over it.
	 */
	e->syscall_nr = judged >= SECIMPORT_NR_PSEUDO_FIRST && judged < SECIMPORT_NR_THREAD_CREATE
			    ? (__s32)judged
			    : nr;
	e->flags = evflags;
	e->walk_error = walk->error;
	e->confined_mask = v->mask;
	e->refusing_mask = v->refusing;
	e->set = ts->set;
	for (int i = 0; i < SECIMPORT_XSETS; i++) {
		e->xset[i] = ts->xset[i];
		e->xconfined_mask[i] = v->xmask[i];
		e->xrefusing_mask[i] = v->xrefusing[i];
	}
	if (walk->hit_code || walk->frame)
		stackwalk_fill_frame(e, ts, walk);
	else
		event_fill_frame(e, ts);
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void violation(const struct secimport_thread *ts, __s32 nr,
				      const struct verdict *v, __u32 evflags,
				      const struct walk_result *walk)
{
	violation_as(ts, nr, (__u32)nr, v, evflags, walk);
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
	struct walk_result walk = {};
	struct verdict v = {};
	__u32 evflags = 0;

	/* The stack walker's threads only (DESIGN.md: the USDT engine's limits). */
	if (!(ts->flags & SECIMPORT_TS_STACKWALK))
		return;
	if (cfg_system)
		refresh_sets(ts, task);
	v.mask = stackwalk_modules(ts, task, nr, &evflags, &walk) | ts->inherited_mask;
	for (int i = 0; i < SECIMPORT_XSETS; i++)
		v.xmask[i] = cfg_system && ts->xset[i] ? walk.xmask[i] | ts->xinherited_mask[i] : 0;
	if (!verdict_confined(&v) || !judge(ts, nr, &v))
		return;
	if (v.action & SECIMPORT_ACT_TRACE) {
		trace_record(ts, nr, &v);
		if (v.action == SECIMPORT_ACT_TRACE)
			return;
	}
	if (v.action & SECIMPORT_ACT_DENY) {
		v.action = (v.action | SECIMPORT_ACT_KILL) & ~SECIMPORT_ACT_DENY;
		evflags |= SECIMPORT_EVF_DENY_UNCOVERED;
	}
	violation(ts, nr, &v, evflags, &walk);
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

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
static __always_inline void violation(const struct secimport_thread *ts, __s32 nr,
				      const struct verdict *v, __u32 evflags,
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
	e->syscall_nr = nr;
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

#endif /* SECIMPORT_VERDICT_BPF_H */

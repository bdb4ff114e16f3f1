// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The event record of a violation. A global BPF function: the verifier
 * checks it once, with no knowledge of its caller, instead of on each of the
 * many paths of the syscall hook that end in a violation (on Linux 6.1 those
 * paths together outgrew the verifier's budget).
 */
#include "verdict.bpf.h"

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

__noinline int violation_report(const struct verdict *v, const struct walk_result *walk, __u64 nrs,
				__u32 evflags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	__s32 nr = (__s32)(__u32)nrs;
	__u32 judged = nrs >> 32;
	struct secimport_event *e;

	if (!v || !walk || !ts)
		return 0;
	e = event_reserve(SECIMPORT_EV_VIOLATION);
	if (!e)
		return 0;
	e->action = v->action;
	/* I/O judged by its descriptor is reported as what it was judged as. */
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
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attribution from CPython's USDT probes: function__entry/function__return
 * keep, per thread, the outermost frame of each confined module on the
 * Python stack. Only confined frames are recorded; every other call costs a
 * depth increment and one LPM lookup.
 *
 * The depth is a hint, not a proof: the confined code can make CPython
 * report returns without their entries (a trace or profile function raising
 * on "call", or on 3.11 a signal handler raising as a function starts) and,
 * on 3.11, entries without their returns (a tracer raising on "return"). So
 * a recorded frame ends only at a return that frame_token() shows is its own.
 */
#include "stackwalk.bpf.h"
#include <bpf/usdt.bpf.h>

/*
 * Before 3.11 every Python frame runs in a C call of the eval loop of its
 * own: a callee's probes fire at least that C frame (hundreds of bytes)
 * deeper than its caller's, while one frame's entry and return probes fire
 * within a few words of each other.
 */
#define FRAME_SP_SLACK 64

/*
 * Which frame a probe fires for. With SECIMPORT_TS_PYFRAME, the address of
 * CPython's current frame, read through the thread state: at both probes it
 * is the entering or returning frame itself. Without (3.6-3.10 when the
 * runtime is unknown; user space never runs 3.11 so), the C stack pointer.
 * 0: unknown.
 */
static __always_inline __u64 frame_token(struct pt_regs *ctx, struct secimport_thread *ts)
{
	struct secimport_interp *ip;
	__u32 id = ts->py_interp;
	__u64 tstate, frame, sp;

	/* Read here, whole: the verifier refuses a context pointer moved earlier. */
	sp = PT_REGS_SP(ctx);
	barrier_var(sp);
	if (!(ts->flags & SECIMPORT_TS_PYFRAME))
		return sp;
	if (!ts->py_runtime)
		return 0;
	ip = bpf_map_lookup_elem(&interps, &id);
	if (!ip || current_frame(ts, &ip->off, bpf_get_current_task_btf(), &tstate, &frame))
		return 0;
	return frame;
}

/* Is the frame a probe fires for (token @now) the recorded one (@rec)? */
static __always_inline bool same_frame(const struct secimport_thread *ts, __u64 rec, __u64 now)
{
	if (!rec || !now)
		return false; /* unknown: it never ends a confinement */
	if (ts->flags & SECIMPORT_TS_PYFRAME)
		return now == rec;
	/* Its own C call, or an outer one (which cannot return before it). */
	return now + FRAME_SP_SLACK >= rec;
}

/* Forget the innermost recorded frame. */
static __always_inline void pop_frame(struct secimport_thread *ts)
{
	__u32 n = ts->nr_frames - 1;
	__u64 mask = 0;

	ts->nr_frames = n;
	for (int i = 0; i < SECIMPORT_MAX_MODULES; i++) {
		if (i >= n)
			break;
		mask |= ts->frames[i].mask;
	}
	ts->stack_mask = mask;
}

SEC("usdt")
int BPF_USDT(secimport_py_entry, void *file, void *func, int lineno)
{
	struct secimport_thread *ts = thread_state(bpf_get_current_task_btf());
	struct secimport_location_key *key;
	struct secimport_location *loc;
	struct walk_scratch *scratch;
	__u32 set;
	__u64 mask;
	long len;

	if (!ts)
		return 0;
	ts->depth++;

	/* Built in the thread's scratch: the stack has no room for it. */
	scratch = walk_scratch_get();
	if (!scratch)
		return 0;
	key = &scratch->key;
	set = ts->set;
	key->data[0] = set >> 24;
	key->data[1] = set >> 16;
	key->data[2] = set >> 8;
	key->data[3] = set;
	len = bpf_probe_read_user_str(&key->data[4], SECIMPORT_PATH_MAX, file);
	if (len <= 0) {
		/* Can't tell whose frame this is: confine by every module. */
		count(SECIMPORT_CNT_UNREADABLE_FILE);
		mask = set_all_modules(set);
	} else {
		/* Match the whole name with its NUL: files exactly, packages by prefix. */
		key->prefixlen = (4 + (__u32)len) * 8;
		loc = bpf_map_lookup_elem(&locations, key);
		if (!loc)
			return 0;
		mask = 1ULL << (loc->module & (SECIMPORT_MAX_MODULES - 1));
	}
	if (!(mask & ~ts->stack_mask))
		return 0; /* an outer frame of the same module(s) already confines */

	__u32 n = ts->nr_frames;

	if (n >= SECIMPORT_MAX_MODULES) {
		/* Cannot happen with <= 64 distinct masks; stay confined regardless. */
		count(SECIMPORT_CNT_FRAME_OVERFLOW);
		ts->inherited_mask |= mask;
		return 0;
	}
	struct secimport_frame *f = &ts->frames[n & (SECIMPORT_MAX_MODULES - 1)];

	f->depth = ts->depth;
	f->mask = mask;
	f->file_ptr = (__u64)file;
	f->func_ptr = (__u64)func;
	f->lineno = lineno;
	f->token = frame_token(ctx, ts);
	ts->nr_frames = n + 1;
	ts->stack_mask |= mask;
	return 0;
}

SEC("usdt")
int BPF_USDT(secimport_py_return, void *file, void *func, int lineno)
{
	struct secimport_thread *ts = thread_state(bpf_get_current_task_btf());
	struct secimport_frame *f;
	__u32 n;

	if (!ts)
		return 0;
	n = ts->nr_frames;
	if (n == 0 || n > SECIMPORT_MAX_MODULES)
		goto out;
	f = &ts->frames[(n - 1) & (SECIMPORT_MAX_MODULES - 1)];
	/* Only a return at its depth, or of its function, is worth reading the frame for. */
	if (f->depth != ts->depth && (f->file_ptr != (__u64)file || f->func_ptr != (__u64)func))
		goto out;
	if (same_frame(ts, f->token, frame_token(ctx, ts))) {
		if (f->depth != ts->depth) {
			/* Entries without returns had raised the count: back to the truth. */
			ts->resyncs++;
			count(SECIMPORT_CNT_RESYNC);
			ts->depth = f->depth;
		}
		pop_frame(ts);
		goto out;
	}
	if (f->depth == ts->depth) {
		/*
		 * A frame whose entry went unreported (its own, or its caller's)
		 * returns at the confined frame's depth: keep the confined frame
		 * and the count, which the missed entry had left one too low.
		 */
		count(SECIMPORT_CNT_RETURN_MISMATCH);
		return 0;
	}
out:
	ts->depth--;
	return 0;
}

/*
 * CPython 3.11 fires function__entry only on its tracing path, which the
 * `line` probe's semaphore turns on; this program exists to hold it.
 */
SEC("usdt")
int secimport_py_line(struct pt_regs *ctx)
{
	return 0;
}

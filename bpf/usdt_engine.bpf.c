// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attribution from CPython's USDT probes: function__entry/function__return
 * keep, per thread, the outermost frame of each confined module on the
 * Python stack. Only confined frames are recorded; every other call costs a
 * depth increment and one LPM lookup.
 */
#include "state.bpf.h"
#include <bpf/usdt.bpf.h>

/* A return at depth d ends every recorded frame at depth >= d. */
static __always_inline void pop_frames(struct secimport_thread *ts)
{
	__u32 n = ts->nr_frames;
	bool popped = false;

	for (int i = 0; i < SECIMPORT_MAX_MODULES; i++) {
		if (n == 0 || n > SECIMPORT_MAX_MODULES)
			break;
		struct secimport_frame *f = &ts->frames[(n - 1) & (SECIMPORT_MAX_MODULES - 1)];

		if (f->depth < ts->depth)
			break;
		if (f->depth > ts->depth) {
			/* Its return was never seen: resynchronise, don't drift. */
			ts->resyncs++;
			count(SECIMPORT_CNT_RESYNC);
		}
		n--;
		popped = true;
	}
	if (!popped)
		return;
	ts->nr_frames = n;

	__u64 mask = 0;

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
	__u32 zero = 0, set;
	__u64 mask;
	long len;

	if (!ts)
		return 0;
	ts->depth++;

	key = bpf_map_lookup_elem(&location_scratch, &zero);
	if (!key)
		return 0;
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
	ts->nr_frames = n + 1;
	ts->stack_mask |= mask;
	return 0;
}

SEC("usdt")
int BPF_USDT(secimport_py_return, void *file, void *func, int lineno)
{
	struct secimport_thread *ts = thread_state(bpf_get_current_task_btf());

	if (!ts)
		return 0;
	if (ts->nr_frames)
		pop_frames(ts);
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

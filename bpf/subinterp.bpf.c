// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Creating a sub-interpreter is creating a thread of execution: a confined
 * module may do it only if every module on its stack allows threads. A
 * uprobe on the function that makes one (PyInterpreterState_New on
 * 3.8-3.11, which also makes the main interpreter; Py_NewInterpreterFromConfig
 * from 3.12) judges the pseudo syscall "create a thread". No hook can refuse
 * it with EPERM, so deny falls back to the kill. What runs inside the new
 * interpreter is confined by the walker, which reads every interpreter.
 */
#include "verdict.bpf.h"

SEC("uprobe")
int secimport_interp_new(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	struct walk_result walk = {};
	struct verdict v = {};
	__u32 evflags = 0, interp;
	struct secimport_interp *ip;
	__u64 main_interp;

	if (!ts || !(ts->flags & SECIMPORT_TS_STACKWALK) || !ts->py_runtime)
		return 0;
	interp = ts->py_interp;
	ip = bpf_map_lookup_elem(&interps, &interp);
	/* The main interpreter is not a sub-interpreter (3.8-3.11 make both here). */
	if (!ip ||
	    read_user_u64(ts->py_runtime + ip->off.runtime_interpreters_main, &main_interp) ||
	    !main_interp)
		return 0;
	if (cfg_system)
		refresh_sets(ts, task);
	v.mask = stackwalk_modules(ts, task, SECIMPORT_NR_THREAD_CREATE, &evflags, &walk) |
		 ts->inherited_mask;
	for (int i = 0; i < SECIMPORT_XSETS; i++)
		v.xmask[i] = cfg_system && ts->xset[i] ? walk.xmask[i] | ts->xinherited_mask[i] : 0;
	if (!verdict_confined(&v) || !judge(ts, SECIMPORT_NR_THREAD_CREATE, &v))
		return 0;
	if (v.action & SECIMPORT_ACT_TRACE) {
		trace_record(ts, SECIMPORT_NR_THREAD_CREATE, &v);
		if (v.action == SECIMPORT_ACT_TRACE)
			return 0;
	}
	if (v.action & SECIMPORT_ACT_DENY) {
		v.action = (v.action | SECIMPORT_ACT_KILL) & ~SECIMPORT_ACT_DENY;
		evflags |= SECIMPORT_EVF_DENY_UNCOVERED;
	}
	violation(ts, SECIMPORT_NR_THREAD_CREATE, &v, evflags, &walk);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

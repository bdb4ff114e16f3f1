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
	struct secimport_interp *ip;
	__u64 main_interp;
	__u32 interp;

	if (!ts || !(ts->flags & SECIMPORT_TS_STACKWALK) || !ts->py_runtime)
		return 0;
	interp = ts->py_interp;
	ip = bpf_map_lookup_elem(&interps, &interp);
	/* The main interpreter is not a sub-interpreter (3.8-3.11 make both here). */
	if (!ip ||
	    read_user_u64(ts->py_runtime + ip->off.runtime_interpreters_main, &main_interp) ||
	    !main_interp)
		return 0;
	judge_at_probe(ts, task, SECIMPORT_NR_THREAD_CREATE);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ctypes reaches raw memory: with it a confined module could rewrite what
 * the stack walker reads (its frames, its thread state) and then run
 * anything unattributed. A uprobe on libffi's ffi_call, where ctypes makes
 * every foreign call (memmove, memset, string_at, cast, any CDLL function;
 * no audit event covers them), judges the pseudo syscall "ctypes", allowed
 * only where the policy says allow_ctypes: true. Importing ctypes makes no
 * foreign call, so libraries that import it at start-up keep working.
 * Raw addresses without a foreign call (from_address, PyObj_FromPtr, a
 * pointer indexed out of bounds) are not judged: their audit events go
 * through PySys_Audit, which every audited call of every process of the
 * build goes through too (open, os.*, import): a probe there costs them
 * all. See DESIGN.md, known limits. The probe fires for every process that
 * maps the library; others return at the first lookup.
 */
#include "verdict.bpf.h"

SEC("uprobe")
int secimport_ffi_call(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);

	if (ts)
		judge_at_probe(ts, task, SECIMPORT_NR_CTYPES);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

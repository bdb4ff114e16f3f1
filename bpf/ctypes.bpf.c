// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ctypes reaches raw memory: with it a confined module could rewrite what
 * the stack walker reads (its frames, its thread state) and then run
 * anything unattributed. Two probes judge the pseudo syscall "ctypes",
 * allowed only where the policy says allow_ctypes: true:
 *  - libffi's ffi_call: every foreign function ctypes calls (memmove,
 *    memset, string_at, cast, any CDLL function); no audit event covers
 *    them;
 *  - the interpreter's PySys_Audit, for the event "ctypes.cdata" that
 *    from_address() raises before it makes an object at a raw address.
 * Importing ctypes calls neither (its dlopen(None) is not judged), so
 * libraries that import it at start-up keep working. Raw access through
 * ctypes objects themselves (a pointer indexed out of bounds, a pointer
 * field written through the buffer protocol) calls neither either: see
 * DESIGN.md, known limits. The probes fire for every process of the
 * library or build; others return at the first lookup.
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

SEC("uprobe")
int secimport_py_audit(struct pt_regs *ctx)
{
	static const char cdata[] = "ctypes.cdata";
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	char event[sizeof(cdata)];

	if (!ts)
		return 0;
	/* The event name is a literal in _ctypes' read-only data. */
	if (bpf_probe_read_user(event, sizeof(event), (void *)PT_REGS_PARM1(ctx)))
		return 0;
	for (int i = 0; i < sizeof(cdata); i++)
		if (event[i] != cdata[i])
			return 0;
	judge_at_probe(ts, task, SECIMPORT_NR_CTYPES);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

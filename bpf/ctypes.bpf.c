// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ctypes reaches raw memory: with it a confined module could rewrite what
 * the stack walker reads (its frames, its thread state) and then run
 * anything unattributed. Two probes judge the pseudo syscall "ctypes",
 * allowed only where the policy says allow_ctypes: true:
 *  - libffi's ffi_call: every foreign function ctypes calls (memmove,
 *    memset, string_at, cast, any CDLL function); no audit event covers
 *    them;
 *  - the interpreter's PySys_Audit, for the events that make an object at
 *    a raw address: "ctypes.cdata" (from_address, in_dll) and
 *    "ctypes.PyObj_FromPtr".
 * Importing ctypes calls neither (its dlopen(None) is not judged), so
 * libraries that import it at start-up keep working. from_buffer() over
 * the program's own buffer raises "ctypes.cdata/buffer" and then
 * "ctypes.cdata" at that buffer's address: that one is not judged. Raw
 * access through ctypes objects themselves (a pointer indexed out of
 * bounds, a pointer field written through the buffer protocol) meets
 * neither probe: see DESIGN.md, known limits. The probes fire for every
 * process of the library or build; others return at the first lookup.
 */
#include "verdict.bpf.h"

/* A thread's last from_buffer() address, whose ctypes.cdata is not judged. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} ctypes_buffer_addr SEC(".maps");

SEC("uprobe")
int secimport_ffi_call(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);

	if (ts)
		judge_at_probe(ts, task, SECIMPORT_NR_CTYPES);
	return 0;
}

static __always_inline bool str_is(const char *s, const char *lit, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != lit[i])
			return false;
	return true;
}

SEC("uprobe")
int secimport_py_audit(struct pt_regs *ctx)
{
	/* On the stack: static strings here would break the linked object's BTF. */
	const char cdata[] = "ctypes.cdata", buffer[] = "ctypes.cdata/buffer",
		   fromptr[] = "ctypes.PyObj_FromPtr", nnn[] = "nnn";
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	char event[sizeof(fromptr)] = {}, format[sizeof(nnn)] = {};
	__u32 tid = task->pid;
	__u64 addr, *pending;

	if (!ts)
		return 0;
	/* Event names and formats are literals in _ctypes' read-only data. */
	if (bpf_probe_read_user_str(event, sizeof(event), (void *)PT_REGS_PARM1(ctx)) <= 0)
		return 0;
	if (str_is(event, buffer, sizeof(buffer))) {
		/*
		 * (buffer, size, offset): remember where the object will be. Only
		 * ctypes' own "nnn" call, not sys.audit() from Python ("O").
		 */
		if (bpf_probe_read_user_str(format, sizeof(format), (void *)PT_REGS_PARM2(ctx)) <=
			0 ||
		    !str_is(format, nnn, sizeof(nnn)))
			return 0;
		addr = PT_REGS_PARM3(ctx) + PT_REGS_PARM5(ctx);
		bpf_map_update_elem(&ctypes_buffer_addr, &tid, &addr, BPF_ANY);
		return 0;
	}
	if (str_is(event, cdata, sizeof(cdata))) {
		pending = bpf_map_lookup_elem(&ctypes_buffer_addr, &tid);
		if (pending && *pending == PT_REGS_PARM3(ctx)) {
			bpf_map_delete_elem(&ctypes_buffer_addr, &tid);
			return 0; /* from_buffer's object over the program's buffer */
		}
	} else if (!str_is(event, fromptr, sizeof(fromptr))) {
		return 0;
	}
	judge_at_probe(ts, task, SECIMPORT_NR_CTYPES);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

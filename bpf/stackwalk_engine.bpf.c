// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The stack-walking engine's one probe: where this process's _PyRuntime is.
 * A uprobe on _PyRuntime_Initialize (attached once per interpreter build,
 * for every process, and run before any Python code) turns the address it
 * fired at into the load bias, and so into _PyRuntime's address. The walk
 * itself happens at enforcement points (stackwalk.bpf.h).
 */
#include "stackwalk.bpf.h"

SEC("uprobe")
int secimport_py_runtime_init(struct pt_regs *ctx)
{
	struct secimport_thread *ts = thread_state(bpf_get_current_task_btf());
	__u32 id = bpf_get_attach_cookie(ctx);
	struct secimport_interp *ip;
	__u64 bias;

	/* The USDT engine reads the current frame through it too (PYFRAME). */
	if (!ts || !(ts->flags & (SECIMPORT_TS_STACKWALK | SECIMPORT_TS_PYFRAME)))
		return 0;
	ip = bpf_map_lookup_elem(&interps, &id);
	if (!ip)
		return 0;
	/* The load bias is page aligned; the probe's ip may be past the int3. */
	bias = (PT_REGS_IP(ctx) - ip->init_vaddr) & ~0xfffULL;
	ts->py_runtime = bias + ip->runtime_vaddr;
	ts->py_interp = id;
	ts->py_tstate = 0;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

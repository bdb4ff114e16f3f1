// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Code identity. A frame is attributed by the code object it runs, not only
 * by that object's co_filename, which the process can rewrite in place
 * (_imp._fix_co_filename) or forge at creation (compile, code.replace,
 * CodeType, marshal). The return probe of the interpreter's code object
 * constructor decides, once, which confined modules a new code object
 * belongs to:
 * - the module its file is in (code a confined module's import produced);
 * - every confined module on the creating thread's stack, up to the import
 *   that is running, if any (code created by confined code: exec'd strings,
 *   forged names), so that it stays confined when unconfined code runs it.
 * The walker looks the answer up for every frame (stackwalk.bpf.h). A code
 * object created at an address replaces what was recorded there, so a freed
 * object's identity never passes to an unrelated one.
 */
#include "verdict.bpf.h"

SEC("uretprobe")
int secimport_code_new(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	struct secimport_code_key key = {};
	struct secimport_code_owner owner = {};
	struct walk_result walk = {};
	__u32 evflags = 0;
	__u64 code = PT_REGS_RC(ctx);

	if (!ts || !(ts->flags & SECIMPORT_TS_STACKWALK) || !ts->py_runtime || !code)
		return 0;
	if (cfg_system)
		refresh_sets(ts, task);
	key.tgid = task->tgid;
	key.code = code;
	/*
	 * The module the new code's own file is in (a confined module's
	 * import), and the confined code on the stack (an exec'd string, a
	 * forged name, ...).
	 */
	owner.mask = walk_stacks(ts, task, SECIMPORT_SYSCALL_BITS, &evflags, &walk, code);
	owner.xmask[0] = walk.xmask[0];
	owner.xmask[1] = walk.xmask[1];
	/*
	 * Outside a module's load, a thread a confined module started (or a
	 * process it forked) creates code for that module too: its confinement
	 * is inherited for life. Not process_default (module 0): that is not a
	 * module's.
	 */
	if (!walk.boundary) {
		owner.mask |= ts->inherited_mask & ~1ULL;
		owner.xmask[0] |= ts->xinherited_mask[0] & ~1ULL;
		owner.xmask[1] |= ts->xinherited_mask[1] & ~1ULL;
	}
	if (!cfg_system)
		owner.xmask[0] = owner.xmask[1] = 0;
	/* A new object at this address: what a freed one's name said is stale. */
	bpf_map_delete_elem(&file_cache, &key);
	if (!owner.mask && !owner.xmask[0] && !owner.xmask[1]) {
		/* Nobody's: forget whoever had this address before. */
		bpf_map_delete_elem(&code_owner, &key);
		return 0;
	}
	if (bpf_map_update_elem(&code_owner, &key, &owner, BPF_ANY)) {
		kill_unrecorded_identity();
		return 0;
	}
	count(SECIMPORT_CNT_CODE_TAINTED);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

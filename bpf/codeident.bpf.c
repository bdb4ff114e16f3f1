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
 *
 * Code shared between interpreters (3.14+: concurrent.interpreters' call,
 * queues, InterpreterPoolExecutor) is marshalled where it is sent and made
 * anew where it is received, on the receiver's stack, under whatever name
 * it claims. Its identity follows it: the bytes a confined code object is
 * marshalled into are recorded in code_owner (tagged key: process, length,
 * address of the bytes), and the code made while exactly those bytes are
 * read back belongs to the same modules.
 */
#include "verdict.bpf.h"

/* A thread's marshal calls in flight (the probes of a call's two ends). */
struct marshal_xfer {
	__u64 dump_code; /* the confined code object being marshalled; 0: none */
	struct secimport_code_owner dump_owner;
	__u64 load_sp; /* user stack pointer at a claimed read's entry; 0: none */
	struct secimport_code_owner load_owner;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct marshal_xfer);
} marshal_xfer SEC(".maps");

static __always_inline struct marshal_xfer *xfer_get(struct task_struct *task, bool create)
{
	if (!create && !task->bpf_storage)
		return NULL;
	return bpf_task_storage_get(&marshal_xfer, task, NULL,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/*
 * The thread's marshal state, made when @confined code is to be followed.
 * NULL: nothing to follow, or (confined) it could not be made, and the
 * process is killed rather than lose the identity.
 */
static __always_inline struct marshal_xfer *xfer_follow(struct task_struct *task, bool confined)
{
	struct marshal_xfer *xfer = xfer_get(task, confined);

	if (!xfer && confined)
		kill_unrecorded_identity();
	return xfer;
}

static __always_inline bool covered_walker(struct secimport_thread *ts)
{
	return ts && (ts->flags & SECIMPORT_TS_STACKWALK) && ts->py_runtime;
}

SEC("uretprobe")
int secimport_code_new(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	struct secimport_code_key key = {};
	struct secimport_code_owner owner = {};
	struct walk_result walk = {};
	struct marshal_xfer *xfer;
	__u32 evflags = 0;
	__u64 code = PT_REGS_RC(ctx);

	if (!covered_walker(ts) || !code)
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
	/*
	 * Read back from the marshalled bytes of confined code: the copy is
	 * that code's. Only below the read's entry: a claim whose return was
	 * missed never reaches code made after it.
	 */
	xfer = xfer_get(task, false);
	if (xfer && xfer->load_sp && PT_REGS_SP(ctx) < xfer->load_sp) {
		owner.mask |= xfer->load_owner.mask;
		owner.xmask[0] |= xfer->load_owner.xmask[0];
		owner.xmask[1] |= xfer->load_owner.xmask[1];
	}
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

/* PyMarshal_WriteObjectToString(obj, version): is obj confined code? */
SEC("uprobe")
int secimport_marshal_dump(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_code_key key = {};
	struct secimport_code_owner *o;
	struct marshal_xfer *xfer;

	if (!covered_walker(thread_state(task)))
		return 0;
	key.tgid = task->tgid;
	key.code = PT_REGS_PARM1(ctx);
	o = bpf_map_lookup_elem(&code_owner, &key);
	xfer = xfer_follow(task, o != NULL);
	if (!xfer)
		return 0;
	xfer->dump_code = o ? key.code : 0;
	if (o)
		xfer->dump_owner = *o;
	return 0;
}

/*
 * Its return, the bytes object: records confined code's bytes, and forgets
 * what was recorded at their address for anything else's.
 */
SEC("uretprobe")
int secimport_marshal_dumped(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_code_key key = {};
	struct marshal_xfer *xfer;
	__u64 bytes = PT_REGS_RC(ctx), len = 0;

	if (!bytes || !covered_walker(thread_state(task)))
		return 0;
	xfer = xfer_get(task, false);
	if (bpf_probe_read_user(&len, sizeof(len), (void *)(bytes + SECIMPORT_PY_BYTES_OB_SIZE))) {
		if (xfer && xfer->dump_code)
			kill_unrecorded_identity();
		return 0;
	}
	key.tgid = task->tgid;
	key.pad = SECIMPORT_CODE_KEY_MARSHAL | (__u32)(len & ~SECIMPORT_CODE_KEY_MARSHAL);
	key.code = bytes + SECIMPORT_PY_BYTES_OB_SVAL;
	if (!xfer || !xfer->dump_code) {
		bpf_map_delete_elem(&code_owner, &key);
		return 0;
	}
	xfer->dump_code = 0;
	if (bpf_map_update_elem(&code_owner, &key, &xfer->dump_owner, BPF_ANY))
		kill_unrecorded_identity();
	return 0;
}

/* PyMarshal_ReadObjectFromString(data, len): confined code's bytes? */
SEC("uprobe")
int secimport_marshal_load(struct pt_regs *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_code_key key = {};
	struct secimport_code_owner *o;
	struct marshal_xfer *xfer;
	__u64 len = PT_REGS_PARM2(ctx);

	if (!covered_walker(thread_state(task)))
		return 0;
	key.tgid = task->tgid;
	key.pad = SECIMPORT_CODE_KEY_MARSHAL | (__u32)(len & ~SECIMPORT_CODE_KEY_MARSHAL);
	key.code = PT_REGS_PARM1(ctx);
	o = bpf_map_lookup_elem(&code_owner, &key);
	xfer = xfer_follow(task, o != NULL);
	if (!xfer)
		return 0;
	/* An unclaimed read drops any claim left over from a missed return. */
	xfer->load_sp = o ? PT_REGS_SP(ctx) : 0;
	if (o) {
		xfer->load_owner = *o;
		/*
		 * Shared data is read back once (a call's, a queue item's, a
		 * pool task's): the record goes with it, or a process sharing
		 * confined code in a loop would fill code_owner.
		 */
		bpf_map_delete_elem(&code_owner, &key);
	}
	return 0;
}

SEC("uretprobe")
int secimport_marshal_loaded(struct pt_regs *ctx)
{
	struct marshal_xfer *xfer = xfer_get(bpf_get_current_task_btf(), false);

	if (xfer)
		xfer->load_sp = 0;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

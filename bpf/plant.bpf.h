/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Planting code: writing, creating, linking or renaming a file that Python
 * would import or run later (the application's next `import json`, every
 * interpreter's start-up for a .pth) is execution by proxy. Judged in BPF
 * LSM's file hooks, where the kernel has resolved the name: a path string
 * read at syscall entry lives in memory another thread can change after the
 * look. The stack is walked here, only for names that are code.
 *
 * The import system's own byte-code cache (a .pyc in __pycache__) is
 * refused without the kill: CPython ignores a refused cache write, and
 * "written by importlib" is no safe exemption (a loader subclass makes the
 * stock get_code cache forged byte code for another module's source).
 */
#ifndef SECIMPORT_PLANT_BPF_H
#define SECIMPORT_PLANT_BPF_H

#include "verdict.bpf.h"

#ifndef EPERM
#define EPERM 1
#endif

#define PLANT_NONE 0
#define PLANT_CODE 1 /* a name Python imports or runs */
#define PLANT_CACHE 2 /* a .pyc in __pycache__: refused, not killed */
#define PLANT_TAIL 32 /* bytes of a name's end looked at */
#define PLANT_S_IFMT 00170000
#define PLANT_S_IFDIR 0040000

/* Does @buf (its last @n bytes of a name) end in @sfx (len @k), or hold it followed by '.'? */
static __always_inline bool plant_has(const char *buf, __u32 n, const char *sfx, __u32 k, bool temp)
{
	for (__u32 i = 0; i + k <= n && i < PLANT_TAIL; i++) {
		bool match = true;

		for (__u32 j = 0; j < k && j < 4; j++)
			if (buf[(i + j) & (PLANT_TAIL - 1)] != sfx[j])
				match = false;
		if (!match)
			continue;
		if (i + k == n)
			return true;
		if (temp && buf[(i + k) & (PLANT_TAIL - 1)] == '.')
			return true; /* CPython's temporary "x.pyc.<id>" */
	}
	return false;
}

/* What the name of @d is to Python: PLANT_NONE, _CODE or _CACHE. */
static __always_inline int plant_kind(struct dentry *d)
{
	char buf[PLANT_TAIL] = {}, parent[12] = {};
	char cache[12] = { '_', '_', 'p', 'y', 'c', 'a', 'c', 'h', 'e', '_', '_', 0 };
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	__u32 len = BPF_CORE_READ(d, d_name.len), n = len < PLANT_TAIL ? len : PLANT_TAIL;
	/* suffixes as stores: string constants would land in .rodata */
	char py[4] = { '.', 'p', 'y', 0 }, pyc[4] = { '.', 'p', 'y', 'c' };
	char pyw[4] = { '.', 'p', 'y', 'w' }, pth[4] = { '.', 'p', 't', 'h' };
	char so[4] = { '.', 's', 'o', 0 };
	const unsigned char *pname;

	if (!name || !n)
		return PLANT_NONE;
	if (bpf_probe_read_kernel(buf, n & (PLANT_TAIL - 1) ? n & (PLANT_TAIL - 1) : PLANT_TAIL,
				  name + (len - n)))
		return PLANT_CODE; /* unreadable: fail closed */
	if (plant_has(buf, n, pyc, 4, true)) {
		pname = BPF_CORE_READ(d, d_parent, d_name.name);
		if (!pname || bpf_probe_read_kernel_str(parent, sizeof(parent), pname) < 0)
			return PLANT_CODE;
		for (int i = 0; i < 12; i++)
			if (parent[i] != cache[i])
				return PLANT_CODE;
		return PLANT_CACHE;
	}
	if (plant_has(buf, n, py, 3, false) || plant_has(buf, n, pyw, 4, false) ||
	    plant_has(buf, n, pth, 4, false) || plant_has(buf, n, so, 3, false))
		return PLANT_CODE;
	return PLANT_NONE;
}

static __always_inline bool plant_is_dir(struct dentry *d)
{
	struct inode *inode = BPF_CORE_READ(d, d_inode);

	return inode && (BPF_CORE_READ(inode, i_mode) & PLANT_S_IFMT) == PLANT_S_IFDIR;
}

/*
 * Judge planting code of @kind by the calling thread: 0, or -EPERM (with
 * the kill where the action says so, and a record).
 */
static __always_inline int plant_judge(struct secimport_thread *ts, int kind)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 evflags = 0, zero = 0, nr = SECIMPORT_NR_CODE_WRITE;
	struct walk_scratch *s;
	struct walk_result *walk;
	struct verdict *v;

	if (kind == PLANT_NONE)
		return 0;
	s = bpf_map_lookup_elem(&walk_scratch, &zero);
	if (!s)
		return -EPERM; /* never: fail closed */
	walk = &s->lsm_walk;
	v = &s->lsm_verdict;
	__builtin_memset(walk, 0, sizeof(*walk));
	__builtin_memset(v, 0, sizeof(*v));
	if (ts->flags & SECIMPORT_TS_STACKWALK) {
		if (cfg_system)
			refresh_sets(ts, task);
		v->mask = stackwalk_modules(ts, task, nr, &evflags, walk) | ts->inherited_mask;
		for (int i = 0; i < SECIMPORT_XSETS; i++)
			v->xmask[i] =
			    cfg_system && ts->xset[i] ? walk->xmask[i] | ts->xinherited_mask[i] : 0;
	} else {
		v->mask = effective_mask(ts, &evflags);
		for (int i = 0; i < SECIMPORT_XSETS; i++)
			v->xmask[i] = extra_mask(ts, i);
	}
	if (!verdict_confined(v) || !judge(ts, nr, v))
		return 0;
	if (v->action & SECIMPORT_ACT_TRACE) {
		trace_record(ts, nr, v);
		if (v->action == SECIMPORT_ACT_TRACE)
			return 0;
	}
	if (!(v->action & (SECIMPORT_ACT_KILL | SECIMPORT_ACT_DENY))) {
		violation(nr, v, evflags, walk); /* log only */
		return 0;
	}
	/* Refused here whatever the action; killed only where it says so. */
	v->action |= SECIMPORT_ACT_DENY;
	if (kind == PLANT_CACHE)
		v->action &= ~SECIMPORT_ACT_KILL;
	violation(nr, v, evflags, walk);
	return -EPERM;
}

#endif /* SECIMPORT_PLANT_BPF_H */

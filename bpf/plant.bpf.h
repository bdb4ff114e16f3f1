/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Planting code: writing, creating, linking, renaming or making a file that Python
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
#define PLANT_TAIL 32 /* bytes of a name's end looked at (walk_scratch.name_tail) */
#define PLANT_S_IFMT 00170000
#define PLANT_S_IFREG 0100000

#define PLANT_PYC 3 /* scan result: a .pyc, or CPython's temporary x.pyc.<id> */

/*
 * What the last @n bytes of a @len-byte name (in @s->name_tail) are to
 * Python. A global function: the verifier checks the scan once, on its own,
 * not inside every path of every hook (6.1 refused the hooks otherwise).
 */
__noinline int plant_scan(struct walk_scratch *s, __u32 n, __u32 len)
{
	bool pyc = false;
	char *t;

	if (!s || n > PLANT_TAIL)
		return PLANT_CODE;
	t = s->name_tail;
	for (__u32 i = 0; i < PLANT_TAIL && i < n; i++) {
		__u32 rem = n - i; /* the dot and what follows it */
		char c1, c2, c3, c4, c5;

		if (t[i & (PLANT_TAIL - 1)] != '.' || rem < 3)
			continue;
		c1 = t[(i + 1) & (PLANT_TAIL - 1)];
		c2 = t[(i + 2) & (PLANT_TAIL - 1)];
		c3 = rem > 3 ? t[(i + 3) & (PLANT_TAIL - 1)] : 0;
		c4 = rem > 4 ? t[(i + 4) & (PLANT_TAIL - 1)] : 0;
		c5 = rem > 5 ? t[(i + 5) & (PLANT_TAIL - 1)] : 0;
		if (rem == 3 && ((c1 == 'p' && c2 == 'y') || (c1 == 's' && c2 == 'o')))
			return PLANT_CODE; /* .py, .so */
		if (rem == 4 && ((c1 == 'p' && c2 == 'y' && (c3 == 'w' || c3 == 'z')) ||
				 (c1 == 'p' && c2 == 't' && c3 == 'h') ||
				 (c1 == 'e' && c2 == 'g' && c3 == 'g')))
			return PLANT_CODE; /* .pyw, .pyz, .pth, .egg */
		/* the interpreter's own zip on sys.path: python3XX.zip */
		if (rem == 4 && c1 == 'z' && c2 == 'i' && c3 == 'p' && len == n && n <= 16 &&
		    t[0] == 'p' && t[1] == 'y' && t[2] == 't' && t[3] == 'h' && t[4] == 'o' &&
		    t[5] == 'n' && t[6] == '3')
			return PLANT_CODE;
		/* a versioned shared library: "libx.so.1" */
		if (c1 == 's' && c2 == 'o' && c3 == '.' && c4 >= '0' && c4 <= '9')
			return PLANT_CODE;
		/* .pyc, or CPython's temporary "x.pyc.<id>" */
		if (c1 == 'p' && c2 == 'y' && c3 == 'c' &&
		    (rem == 4 || (c4 == '.' && c5 >= '0' && c5 <= '9')))
			pyc = true;
	}
	return pyc ? PLANT_PYC : PLANT_NONE;
}

/*
 * What the name of @d is to Python: PLANT_NONE, _CODE or _CACHE. The name's
 * end is copied into the thread's scratch @s (a map value, where the
 * verifier allows the indexed reads a scan needs).
 */
static __always_inline int plant_kind(struct walk_scratch *s, struct dentry *d)
{
	const unsigned char *name = BPF_CORE_READ(d, d_name.name), *pname;
	__u32 len = BPF_CORE_READ(d, d_name.len), n;
	char *p = s->name_parent;
	int kind;

	if (!name || !len)
		return PLANT_NONE;
	n = len < PLANT_TAIL ? len : PLANT_TAIL;
	if (bpf_probe_read_kernel(s->name_tail,
				  n & (PLANT_TAIL - 1) ? n & (PLANT_TAIL - 1) : PLANT_TAIL,
				  name + (len - n)))
		return PLANT_CODE; /* unreadable: fail closed */
	kind = plant_scan(s, n, len);
	if (kind != PLANT_PYC)
		return kind;
	pname = BPF_CORE_READ(d, d_parent, d_name.name);
	if (!pname || bpf_probe_read_kernel_str(p, 12, pname) != 12)
		return PLANT_CODE;
	/* "__pycache__" without string constants (they would land in .rodata) */
	if (p[0] == '_' && p[1] == '_' && p[2] == 'p' && p[3] == 'y' && p[4] == 'c' &&
	    p[5] == 'a' && p[6] == 'c' && p[7] == 'h' && p[8] == 'e' && p[9] == '_' &&
	    p[10] == '_' && p[11] == 0)
		return PLANT_CACHE;
	return PLANT_CODE;
}

/*
 * A regular file with another name: writing it through a name that is not
 * code writes the code name's content too (a hard link made earlier).
 */
static __always_inline int plant_aliased(struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);

	if (!inode || (BPF_CORE_READ(inode, i_mode) & PLANT_S_IFMT) != PLANT_S_IFREG)
		return PLANT_NONE;
	return BPF_CORE_READ(inode, __i_nlink) > 1 ? PLANT_CODE : PLANT_NONE;
}

/*
 * Judge planting code of @kind by the calling thread: 0, or -EPERM (with
 * the kill where the action says so, and a record).
 */
static __always_inline int plant_judge(struct secimport_thread *ts, struct walk_scratch *s,
				       int kind)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 evflags = 0, nr = SECIMPORT_NR_CODE_WRITE;
	struct walk_result *walk;
	struct verdict *v;

	if (kind == PLANT_NONE)
		return 0;
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

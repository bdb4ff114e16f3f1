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
 * Who confines the calling thread in an LSM hook judging @nr: the stack's
 * modules and the inherited ones, in @s->lsm_verdict (and its walk).
 */
static __always_inline void lsm_confinement(struct secimport_thread *ts, struct walk_scratch *s,
					    __u32 nr, __u32 *evflags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct walk_result *walk = &s->lsm_walk;
	struct verdict *v = &s->lsm_verdict;

	__builtin_memset(walk, 0, sizeof(*walk));
	__builtin_memset(v, 0, sizeof(*v));
	if (ts->flags & SECIMPORT_TS_STACKWALK) {
		if (cfg_system)
			refresh_sets(ts, task);
		v->mask = stackwalk_modules(ts, task, nr, evflags, walk) | ts->inherited_mask;
		for (int i = 0; i < SECIMPORT_XSETS; i++)
			v->xmask[i] =
			    cfg_system && ts->xset[i] ? walk->xmask[i] | ts->xinherited_mask[i] : 0;
	} else {
		v->mask = effective_mask(ts, evflags);
		for (int i = 0; i < SECIMPORT_XSETS; i++)
			v->xmask[i] = extra_mask(ts, i);
	}
}

/*
 * Carry out a judged refusal of @nr (s->lsm_verdict): 0, or -EPERM (with
 * the kill where the action says so, unless @no_kill, and a record).
 */
static __always_inline int lsm_refuse(struct secimport_thread *ts, struct walk_scratch *s, __u32 nr,
				      __u32 evflags, bool no_kill)
{
	struct verdict *v = &s->lsm_verdict;

	if (v->action & SECIMPORT_ACT_TRACE) {
		trace_record(ts, nr, v);
		if (v->action == SECIMPORT_ACT_TRACE)
			return 0;
	}
	if (!(v->action & (SECIMPORT_ACT_KILL | SECIMPORT_ACT_DENY))) {
		violation(nr, v, evflags, &s->lsm_walk); /* log only */
		return 0;
	}
	/* Refused here whatever the action; killed only where it says so. */
	v->action |= SECIMPORT_ACT_DENY;
	if (no_kill)
		v->action &= ~SECIMPORT_ACT_KILL;
	violation(nr, v, evflags, &s->lsm_walk);
	return -EPERM;
}

/*
 * write_paths. Could a module of one of the thread's sets refuse a change
 * outside its directories? (An unknown set could: fail closed.)
 */
static __always_inline bool set_refuses_outside(__u32 set)
{
	struct secimport_set *si = bpf_map_lookup_elem(&sets, &set);

	return !si || si->write_limited;
}

static __always_inline bool write_limited(const struct secimport_thread *ts)
{
	if (set_refuses_outside(ts->set))
		return true;
	for (int i = 0; cfg_system && i < SECIMPORT_XSETS; i++)
		if (ts->xset[i] && set_refuses_outside(ts->xset[i]))
			return true;
	return false;
}

/* How file_judge places a change: */
#define WRITE_AT_SELF 1 /* the target's own metadata: it may be the directory itself */
#define WRITE_ANYWHERE_OUTSIDE 2 /* device nodes: a way to any file of a disk */
#define PLANT_S_IFBLK 0060000
#define PLANT_S_IFCHR 0020000

/* Deeper than this below a write_paths directory is outside (fail closed). */
#define WRITE_DIR_DEPTH 64

struct write_dirs_ctx {
	struct dentry *d;
	__u32 self; /* d itself first (its own mode or owner changes), then its parents */
	__u32 set[1 + SECIMPORT_XSETS]; /* the thread's set, then its extra sets */
	__u32 has[1 + SECIMPORT_XSETS];
	__u64 allowed[1 + SECIMPORT_XSETS]; /* modules whose directories hold d */
};

/* One step up from c->d: the modules that may write under that directory. */
static long write_dirs_step(__u32 i, struct write_dirs_ctx *c)
{
	struct secimport_write_dir_key key = {};
	struct dentry *d = c->d, *parent;
	struct inode *inode;
	__u64 *mods;

	if (c->self) {
		c->self = 0;
		parent = d;
	} else {
		/* d, not c->d, in the read: CO-RE would relocate the local struct too */
		parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d)
			return 1; /* above the file system's root */
	}
	c->d = parent;
	inode = BPF_CORE_READ(parent, d_inode);
	if (!inode)
		return 1;
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	for (int k = 0; k < 1 + SECIMPORT_XSETS; k++) {
		if (!c->has[k])
			continue;
		key.set = c->set[k];
		mods = bpf_map_lookup_elem(&write_dirs, &key);
		if (mods)
			c->allowed[k] |= *mods;
	}
	return 0;
}

/*
 * The modules of each set whose write_paths hold @d (every module for NULL).
 * A subprogram of its own: its loop's context would not fit in the frame
 * of a hook that also walks the stack (6.1's 512 bytes for a call chain).
 */
static __noinline void write_dirs_holding(const struct secimport_thread *ts, struct dentry *d,
					  __u32 self, __u64 *allowed)
{
	struct write_dirs_ctx c = { .d = d, .self = self };

	if (!d) {
		for (int k = 0; k < 1 + SECIMPORT_XSETS; k++)
			allowed[k] = ~0ULL;
		return;
	}
	c.set[0] = ts->set;
	c.has[0] = 1;
	for (int i = 0; i < SECIMPORT_XSETS; i++) {
		c.set[1 + i] = ts->xset[i];
		c.has[1 + i] = cfg_system && ts->xset[i];
	}
	bpf_loop(WRITE_DIR_DEPTH, write_dirs_step, &c, 0);
	for (int k = 0; k < 1 + SECIMPORT_XSETS; k++)
		allowed[k] = c.allowed[k];
}

/*
 * The write_paths half of file_judge, once the stack is known: modules with
 * write_paths refuse a change at @d (and @d2) unless their directories hold
 * both names. A subprogram: the hook's own frame also carries the stack
 * walk's, and 6.1 allows a call chain 512 bytes.
 */
static __noinline int write_outside_judge(struct secimport_thread *ts, struct walk_scratch *s,
					  struct dentry *d, struct dentry *d2, __u32 evflags)
{
	__u32 how = s->write_how;
	__u64 *a = s->wdirs[0], *b = s->wdirs[1];
	struct verdict *v = &s->lsm_verdict;
	__u32 nr = SECIMPORT_NR_WRITE_OUTSIDE;

	v->action = 0;
	if (!judge(ts, nr, v))
		return 0;
	if (!(how & WRITE_ANYWHERE_OUTSIDE)) {
		write_dirs_holding(ts, d, how & WRITE_AT_SELF, a);
		write_dirs_holding(ts, d2, 0, b);
		v->mask &= ~(a[0] & b[0]);
		for (int i = 0; i < SECIMPORT_XSETS; i++)
			v->xmask[i] &= ~(a[1 + i] & b[1 + i]);
	}
	v->action = 0;
	if (!verdict_confined(v) || !judge(ts, nr, v))
		return 0;
	/* The import system's byte-code cache, written on the module's behalf. */
	return lsm_refuse(ts, s, nr, evflags, !d2 && plant_kind(s, d) == PLANT_CACHE);
}

/*
 * Judge a change of the file system by the calling thread, one stack walk
 * for both questions: planting code of @kind (<code write>), and, for
 * modules with write_paths, a change at @d (and @d2, the other name of a
 * link or rename; NULL if none) outside their directories. 0, or -EPERM
 * (with the kill where the action says so, and a record).
 */
static __always_inline int file_judge(struct secimport_thread *ts, struct walk_scratch *s, int kind,
				      struct dentry *d, struct dentry *d2, __u32 how)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/*
	 * Not what the kernel does on a caller's behalf with credentials of its
	 * own (overlayfs repeats a create, a rename, a copy-up on the layers'
	 * dentries): the caller's own operation, on the dentries it named, was
	 * judged already.
	 */
	bool limited =
	    d && BPF_CORE_READ(task, cred) == BPF_CORE_READ(task, real_cred) && write_limited(ts);
	__u32 evflags = 0;

	if (kind == PLANT_NONE && !limited)
		return 0;
	/* in the scratch, not a register the stack walk would make the hook spill */
	s->write_how = how;
	lsm_confinement(ts, s,
			kind != PLANT_NONE ? SECIMPORT_NR_CODE_WRITE : SECIMPORT_NR_WRITE_OUTSIDE,
			&evflags);
	if (!verdict_confined(&s->lsm_verdict))
		return 0;
	if (kind != PLANT_NONE && judge(ts, SECIMPORT_NR_CODE_WRITE, &s->lsm_verdict))
		return lsm_refuse(ts, s, SECIMPORT_NR_CODE_WRITE, evflags, kind == PLANT_CACHE);
	return limited ? write_outside_judge(ts, s, d, d2, evflags) : 0;
}

#endif /* SECIMPORT_PLANT_BPF_H */

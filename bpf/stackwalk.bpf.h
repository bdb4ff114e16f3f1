/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The stack-walking engine's reader: which confined modules have a frame on
 * the calling thread's CPython stack, read from the interpreter's own
 * structures at the moment a decision is needed. Nothing runs per Python
 * call. Used by the enforcement hook; the offsets of each interpreter build
 * come from user space (struct secimport_interp).
 */
#ifndef SECIMPORT_STACKWALK_BPF_H
#define SECIMPORT_STACKWALK_BPF_H

#include "state.bpf.h"

/*
 * Bounds. Outgrowing one fails the walk closed, so each is far beyond what a
 * program reaches on its own: CPython's default recursion limit is 1000
 * frames; a process with 64k thread states is already failing.
 */
#define WALK_MAX_FRAMES 16384
#define WALK_MAX_SEARCH 65536 /* thread states (and interpreters) examined in a search */
#define WALK_MAX_TSTATES 4 /* thread states of one thread: sub-interpreters, 3.8-3.11 */
#define WALK_RAW_MAX 1024 /* bytes of a non-ASCII str read for transcoding */

/*
 * Scratch per CPU: the LPM key, a non-ASCII file name's raw data, and the
 * transcoder's cursor (kept in the map, not on the stack, so the verifier
 * does not track every value it takes through the loop).
 */
/* What a walk found besides the mask, for the violation record. */
struct walk_result {
	__u64 hit_code; /* innermost frame of a confined module (0: none) */
	__u64 frame; /* the innermost frame, to describe the top of the stack */
	__u64 xmask[SECIMPORT_XSETS]; /* confined modules of the extra sets on the stack */
	__u32 error; /* enum secimport_walk_error: why it failed closed */
	__u32 boundary; /* creation: the walk stopped at a loader's exec_module */
};

struct walk_scratch {
	struct secimport_location_key key;
	struct secimport_trace_file_key tkey;
	__u8 raw[WALK_RAW_MAX];
	__u32 kind;
	__u32 n; /* characters */
	__u32 out; /* bytes written to key data after the set id */
	__u32 full;
	/*
	 * The thread-state search's results and restarts: kept here, not on
	 * the stack, where the verifier would follow every value they take.
	 */
	__u64 found[WALK_MAX_TSTATES];
	__u32 nfound;
	__u32 search_tries;
	__u32 walking; /* which of found[] the frame walk is in */
	/*
	 * A probe's walk result and verdict (judge_at_probe), and the
	 * syscall hook's: here, not on the stack, where with the frame
	 * walk's callbacks they outgrew the 512 bytes that Linux 6.1 allows
	 * a call chain.
	 */
	struct walk_result probe_walk, sys_walk, lsm_walk;
	struct verdict probe_verdict, sys_verdict, lsm_verdict;
	/* plant.bpf.h: the end of a file's name, and its directory's name */
	char name_tail[32], name_parent[12];
	/* plant.bpf.h: modules per set whose write_paths hold each name */
	__u64 wdirs[2][1 + SECIMPORT_XSETS];
	__u32 write_how; /* WRITE_AT_SELF, WRITE_ANYWHERE_OUTSIDE: kept here across the walk */
	__u32 name_failed; /* the last file name could not be read */
	struct secimport_file_cache fc; /* a file cache entry being made */
	struct secimport_code_key ckey; /* a code_owner / file_cache key */
	struct secimport_py_offsets off; /* the build's, for the thread-state search */
	__u64 runtime_head; /* &_PyRuntime.interpreters.head, to search again */
	__u32 id_off; /* where the state's thread id is (thread_key()) */
	__u32 pad2;
};

/*
 * The scratch is the calling thread's, not the CPU's: LSM and uprobe
 * programs run with migration disabled but can be preempted (preempt=full,
 * PREEMPT_RT), and another thread's walk on the same CPU would rewrite a
 * per-CPU scratch under a judgement in progress.
 */
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct walk_scratch);
} walk_scratch SEC(".maps");

/* The calling thread's scratch; NULL (out of memory) is for the caller to fail closed on. */
static __always_inline struct walk_scratch *walk_scratch_get(void)
{
	return bpf_task_storage_get(&walk_scratch, bpf_get_current_task_btf(), NULL,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline int read_user_u64(__u64 addr, __u64 *v)
{
	return bpf_probe_read_user(v, sizeof(*v), (const void *)addr);
}

/* --- finding the calling thread's PyThreadStates ------------------------ */

/*
 * A thread can have more than one thread state: one per interpreter it has
 * run (sub-interpreters), and on 3.8-3.11 the creator of a thread
 * preallocates the new thread's state with its own ids until the new thread
 * starts. The walk covers every state that carries the thread's id, in
 * every interpreter, so that none of them is a place to hide.
 */
struct tstate_search {
	__u64 interp; /* interpreter whose list is being read */
	__u64 tstate; /* next thread state of that list */
	__u64 want; /* the thread's id (thread_key()) */
	int err; /* enum secimport_walk_error */
	__u32 pad;
};

/* The innermost frame of thread state @tstate (0: none yet). */
static __always_inline int tstate_frame(const struct secimport_py_offsets *off, __u64 tstate,
					__u64 *frame)
{
	__u64 cframe;

	*frame = 0;
	if (off->tstate_cframe != SECIMPORT_PY_NONE) {
		if (read_user_u64(tstate + off->tstate_cframe, &cframe) || !cframe ||
		    read_user_u64(cframe + off->cframe_current_frame, frame))
			return -1;
		return 0;
	}
	return read_user_u64(tstate + off->tstate_frame, frame);
}

#define WALK_SEARCH_TRIES 8

/*
 * Other threads add and free thread states while the list is read: a search
 * that met a freed one (unreadable memory: a thread's malloc arena trimmed)
 * starts again, within the same bound, before it fails closed. Three tries
 * failed once in 1.5 million walks of 240 churning threads (a false kill,
 * walk_thread_churn in CI); each try reads the whole list again.
 */
static __always_inline long tstate_search_again(struct tstate_search *c, struct walk_scratch *s)
{
	if (++s->search_tries >= WALK_SEARCH_TRIES) {
		c->err = SECIMPORT_WALK_UNREADABLE;
		return 1;
	}
	count(SECIMPORT_CNT_SEARCH_RETRIED);
	s->nfound = 0;
	if (read_user_u64(s->runtime_head, &c->interp) || !c->interp ||
	    read_user_u64(c->interp + s->off.interp_threads_head, &c->tstate)) {
		c->err = SECIMPORT_WALK_UNREADABLE;
		return 1;
	}
	return 0;
}

/*
 * One thread state of the search (or a step to the next interpreter). The
 * offsets come from the scratch: the callers' stacks have no room for them.
 */
static long tstate_step(__u32 i, struct tstate_search *c)
{
	__u32 n;
	struct walk_scratch *s = walk_scratch_get();
	__u64 id, frame;

	if (!s) {
		c->err = SECIMPORT_WALK_UNREADABLE;
		return 1;
	}
	if (!c->tstate) {
		/* This interpreter's threads are done: the next interpreter's. */
		if (read_user_u64(c->interp + s->off.interp_next, &c->interp))
			goto unreadable;
		if (!c->interp)
			return 1;
		if (read_user_u64(c->interp + s->off.interp_threads_head, &c->tstate))
			goto unreadable;
		return 0;
	}
	if (read_user_u64(c->tstate + s->id_off, &id))
		goto unreadable;
	if (id != c->want)
		goto next;
	/*
	 * A state without a frame runs nothing to walk: on 3.8-3.11 it may be
	 * a thread's state its creator made (with the creator's ids) that has
	 * not started yet; a thread can start many at once.
	 */
	if (tstate_frame(&s->off, c->tstate, &frame))
		goto unreadable;
	if (!frame)
		goto next;
	n = s->nfound;
	if (n >= WALK_MAX_TSTATES) {
		c->err = SECIMPORT_WALK_TSTATES;
		return 1;
	}
	s->found[n & (WALK_MAX_TSTATES - 1)] = c->tstate;
	s->nfound = n + 1;
next:
	if (read_user_u64(c->tstate + s->off.tstate_next, &c->tstate))
		goto unreadable;
	return 0;
unreadable:
	return tstate_search_again(c, s);
}

/*
 * The thread's id in its own PID namespace: what gettid() returned to the
 * interpreter (native_thread_id), whatever namespace the process is in.
 */
static __always_inline __u64 ns_tid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	int nr = 0;
	void *at = (void *)pid + bpf_core_field_offset(struct pid, numbers) +
		   (level & 63) * bpf_core_type_size(struct upid) +
		   bpf_core_field_offset(struct upid, nr);

	bpf_probe_read_kernel(&nr, sizeof(nr), at);
	return (__u64)nr;
}

/*
 * 3.11+: native_thread_id is the tid (in the process's PID namespace).
 * Before: thread_id is pthread_self(), which glibc makes the thread pointer
 * (fsbase on x86_64).
 */
static __always_inline __u64 thread_key(const struct secimport_py_offsets *off,
					struct task_struct *task, __u32 *id_off)
{
	if (off->tstate_native_thread_id != SECIMPORT_PY_NONE) {
		*id_off = off->tstate_native_thread_id;
		return ns_tid(task);
	}
	*id_off = off->tstate_thread_id;
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(task, thread.fsbase);
#else
	return BPF_CORE_READ(task, thread.uw.tp_value);
#endif
}

/*
 * Every thread state of the calling thread into c->found (none: the thread
 * has no Python frames). Returns a walk error, 0 on success. The cache
 * (one state, revalidated by its id) serves only while the process has a
 * single interpreter; a new sub-interpreter means a full search again.
 */
static __always_inline int find_tstates(struct secimport_thread *ts,
					const struct secimport_py_offsets *off,
					struct task_struct *task, struct tstate_search *c)
{
	struct walk_scratch *s = walk_scratch_get();
	__u64 heads[2], id;
	bool single;

	if (!s)
		return SECIMPORT_WALK_UNREADABLE;
	s->nfound = 0;
	s->search_tries = 0;
	c->want = thread_key(off, task, &s->id_off);
	if (!ts->py_runtime)
		return 0; /* the runtime is not initialised yet: no frames */
	/* interpreters.head and .main, adjacent (user space checked the layout) */
	if (bpf_probe_read_user(heads, sizeof(heads),
				(const void *)(ts->py_runtime + off->runtime_interpreters_head)))
		return SECIMPORT_WALK_UNREADABLE;
	single = heads[0] == heads[1];
	if (single && ts->py_tstate && !read_user_u64(ts->py_tstate + s->id_off, &id) &&
	    id == c->want) {
		s->found[0] = ts->py_tstate;
		s->nfound = 1;
		return 0;
	}
	ts->py_tstate = 0;
	if (!heads[0])
		return 0;
	s->off = *off; /* for tstate_step, which has no room for them */
	s->runtime_head = ts->py_runtime + off->runtime_interpreters_head;
	c->interp = heads[0];
	if (read_user_u64(c->interp + off->interp_threads_head, &c->tstate))
		return SECIMPORT_WALK_UNREADABLE;
	bpf_loop(WALK_MAX_SEARCH, tstate_step, c, 0);
	if (c->err)
		return c->err;
	if (c->tstate || c->interp)
		return SECIMPORT_WALK_THREADS_BOUND; /* not done: never a way out */
	if (single && s->nfound == 1)
		ts->py_tstate = s->found[0];
	return 0;
}

/* --- a str object's bytes as the UTF-8 the policy's paths are in ------- */

static long transcode_step(__u32 i, void *unused)
{
	__u32 cp, o;
	struct walk_scratch *s = walk_scratch_get();
	__u8 *d;

	if (!s || i >= s->n)
		return 1;
	if (s->kind == 1) {
		cp = s->raw[i & (WALK_RAW_MAX - 1)];
	} else if (s->kind == 2) {
		__u32 j = (i * 2) & (WALK_RAW_MAX - 2);

		cp = s->raw[j] | (__u32)s->raw[j + 1] << 8;
	} else {
		__u32 j = (i * 4) & (WALK_RAW_MAX - 4);

		cp = s->raw[j] | (__u32)s->raw[j + 1] << 8 | (__u32)s->raw[j + 2] << 16 |
		     (__u32)s->raw[j + 3] << 24;
	}
	o = s->out;
	if (o > SECIMPORT_PATH_MAX - 4) {
		s->full = 1;
		return 1;
	}
	d = &s->key.data[4 + (o & 0xff)];
	if (cp >= 0xdc80 && cp <= 0xdcff) {
		/* surrogateescape: the undecodable byte itself (os.fsencode) */
		d[0] = cp - 0xdc00;
		s->out = o + 1;
	} else if (cp < 0x80) {
		d[0] = cp;
		s->out = o + 1;
	} else if (cp < 0x800) {
		d[0] = 0xc0 | cp >> 6;
		d[1] = 0x80 | (cp & 0x3f);
		s->out = o + 2;
	} else if (cp < 0x10000) {
		d[0] = 0xe0 | cp >> 12;
		d[1] = 0x80 | (cp >> 6 & 0x3f);
		d[2] = 0x80 | (cp & 0x3f);
		s->out = o + 3;
	} else {
		d[0] = 0xf0 | (cp >> 18 & 0x07);
		d[1] = 0x80 | (cp >> 12 & 0x3f);
		d[2] = 0x80 | (cp >> 6 & 0x3f);
		d[3] = 0x80 | (cp & 0x3f);
		s->out = o + 4;
	}
	return 0;
}

/*
 * Put str @obj into s->key as UTF-8 after the set id, NUL-terminated unless
 * truncated; returns the LPM prefix length in bits, 0 if unreadable.
 */
static __always_inline __u32 str_to_key(struct walk_scratch *s,
					const struct secimport_py_offsets *off, __u64 obj)
{
	__u64 len, n;
	__u32 state, kind;

	if (read_user_u64(obj + off->unicode_length, &len) ||
	    bpf_probe_read_user(&state, sizeof(state), (const void *)(obj + off->unicode_state)))
		return 0;
	kind = (state >> 2) & 7;
	if (!((state >> 5) & 1))
		return 0; /* not compact: never the case for code object names */
	if ((state >> 6) & 1) {
		/* ASCII: the bytes are the UTF-8 */
		n = len < SECIMPORT_PATH_MAX ? len : SECIMPORT_PATH_MAX;
		barrier_var(n);
		if (n == 0 || n > SECIMPORT_PATH_MAX)
			return 0;
		if (bpf_probe_read_user(&s->key.data[4], n,
					(const void *)(obj + off->unicode_ascii_data)))
			return 0;
	} else {
		__u64 bytes;

		if (kind != 1 && kind != 2 && kind != 4)
			return 0;
		s->kind = kind;
		s->n = len < WALK_RAW_MAX / kind ? len : WALK_RAW_MAX / kind;
		s->out = 0;
		s->full = 0;
		bytes = (__u64)s->n * kind;
		barrier_var(bytes); /* keep the bounds check on the register used */
		if (bytes == 0 || bytes > WALK_RAW_MAX)
			return 0;
		if (bpf_probe_read_user(s->raw, bytes,
					(const void *)(obj + off->unicode_compact_data)))
			return 0;
		bpf_loop(WALK_RAW_MAX, transcode_step, NULL, 0);
		n = s->out;
		if (s->full || len > s->n)
			n = SECIMPORT_PATH_MAX; /* truncated: prefixes can still match */
		if (n == 0 || n > SECIMPORT_PATH_MAX)
			return 0;
	}
	if (n < SECIMPORT_PATH_MAX) {
		barrier_var(n);
		s->key.data[4 + (n & 0xff)] = 0;
		n++;
	}
	return (4 + n) * 8;
}

/* --- the frame walk ------------------------------------------------------ */

struct frame_walk {
	__u64 frame;
	__u64 mask; /* confined modules seen */
	__u64 hit_code; /* innermost frame of a confined module */
	__u64 xmask[SECIMPORT_XSETS]; /* confined modules of the extra sets seen */
	__u64 sets; /* the thread's sets and generation, packed: the file cache's check */
	__u32 nr; /* the syscall, for learning mode */
	__u32 set;
	__u32 xset[SECIMPORT_XSETS]; /* the thread's extra sets, 0 if none */
	__u32 interp;
	__u32 tgid;
	__s16 err; /* enum secimport_walk_error */
	/*
	 * A walk at a code object's creation: it stops at a stock loader
	 * running a module (boundary then 1), since code a module's load
	 * creates belongs to that module, not to whoever imported it.
	 */
	__u8 creation;
	__u8 boundary;
};

/*
 * Learning mode, every module: a thread of a Python process running no
 * Python yet (thread start, exit, C threads). Whoever created threads needs
 * what these do; user space adds it to the modules seen creating threads.
 */
static __always_inline void trace_threadless(struct task_struct *task, __u32 nr)
{
	struct walk_scratch *s;
	__u64 one = 1;

	if (!cfg_trace_files || task->pid == task->tgid)
		return;
	s = walk_scratch_get();
	if (!s)
		return;
	__builtin_memset(&s->tkey, 0, sizeof(s->tkey));
	s->tkey.nr = nr;
	/* "<thread>" as one store: string constants would land in .rodata */
	*(__u64 *)s->tkey.path = 0x3e6461657268743cULL;
	bpf_map_update_elem(&trace_files, &s->tkey, &one, BPF_NOEXIST);
}

static __always_inline void key_set_id(struct walk_scratch *s, __u32 set)
{
	s->key.data[0] = set >> 24;
	s->key.data[1] = set >> 16;
	s->key.data[2] = set >> 8;
	s->key.data[3] = set;
}

static __always_inline __u64 location_bit(struct walk_scratch *s)
{
	struct secimport_location *loc = bpf_map_lookup_elem(&locations, &s->key);

	return loc ? 1ULL << (loc->module & (SECIMPORT_MAX_MODULES - 1)) : 0;
}

/*
 * The modules of w's set (returned) and of its extra sets (w->xmask) a file
 * is in. A name that cannot be read sets w->err: the walk fails closed
 * (every module of every set), as it would have counted every module for
 * this frame anyway.
 */
static __always_inline __u64 module_of_filename(const struct secimport_py_offsets *off,
						struct frame_walk *w, __u64 fname)
{
	__u32 bits;
	struct walk_scratch *s = walk_scratch_get();
	__u64 m;

	if (!s) {
		w->err = SECIMPORT_WALK_UNREADABLE;
		return 0;
	}
	key_set_id(s, w->set);
	bits = str_to_key(s, off, fname);
	if (!bits) {
		count(SECIMPORT_CNT_UNREADABLE_FILE);
		s->name_failed = 1;
		w->err = SECIMPORT_WALK_UNREADABLE;
		return 0;
	}
	s->key.prefixlen = bits;
	if (cfg_trace_files && !w->creation) {
		/* Learning mode, every module: which files were on the stack. */
		__u64 one = 1;

		/* Zeroed first: bytes after the NUL are part of the hash key. */
		__builtin_memset(&s->tkey, 0, sizeof(s->tkey));
		s->tkey.nr = w->nr;
		bpf_probe_read_kernel_str(s->tkey.path, sizeof(s->tkey.path), &s->key.data[4]);
		bpf_map_update_elem(&trace_files, &s->tkey, &one, BPF_NOEXIST);
	}
	m = location_bit(s);
	/* Extra sets exist only in a loaded system (rodata: `run` verifies less). */
	for (int i = 0; cfg_system && i < SECIMPORT_XSETS; i++) {
		if (!w->xset[i])
			continue;
		/* The same name, looked up again in the extra set. */
		key_set_id(s, w->xset[i]);
		w->xmask[i] |= location_bit(s);
	}
	return m;
}

/*
 * What a file name's modules depend on besides the name: the thread's sets
 * (each below 1024: 10 bits) and, in a loaded system, the generation they
 * were read at (34 bits), packed into one word compared at once.
 */
static __always_inline __u64 file_cache_sets(const struct secimport_thread *ts)
{
	__u64 v = ts->set & 0x3ff;

	if (cfg_system)
		v |= (__u64)(ts->xset[0] & 0x3ff) << 10 | (__u64)(ts->xset[1] & 0x3ff) << 20 |
		     ts->gen << 30;
	return v;
}

/*
 * The modules code object @code's file name @fname is in (returned; its extra
 * sets' into w), through the file cache: transcoding and looking up a name
 * costs most of a frame's walk. Learning mode records every name, so it
 * always looks.
 */
static __always_inline __u64 file_modules(const struct secimport_py_offsets *off,
					  struct frame_walk *w, __u64 code, __u64 fname)
{
	struct secimport_file_cache *c;
	__u64 x0, x1, m;
	struct walk_scratch *s;

	s = walk_scratch_get();
	if (!s) {
		w->err = SECIMPORT_WALK_UNREADABLE;
		return 0;
	}
	/* Key and entry are staged in the scratch: the walk's stack has no room. */
	s->ckey.tgid = w->tgid;
	s->ckey.pad = 0;
	s->ckey.code = code;
	if (!cfg_trace_files) {
		c = bpf_map_lookup_elem(&file_cache, &s->ckey);
		if (c && c->fname == fname && c->sets == w->sets) {
			w->xmask[0] |= c->xmask[0];
			w->xmask[1] |= c->xmask[1];
			return c->mask;
		}
	}
	x0 = w->xmask[0];
	x1 = w->xmask[1];
	s->name_failed = 0;
	w->xmask[0] = w->xmask[1] = 0;
	m = module_of_filename(off, w, fname);
	s->fc.fname = fname;
	s->fc.sets = w->sets;
	s->fc.mask = m;
	s->fc.xmask[0] = w->xmask[0];
	s->fc.xmask[1] = w->xmask[1];
	if (!s->name_failed && !cfg_trace_files)
		bpf_map_update_elem(&file_cache, &s->ckey, &s->fc, BPF_ANY);
	w->xmask[0] |= x0;
	w->xmask[1] |= x1;
	return m;
}

/*
 * The thread's innermost CPython frame (the USDT engine's frame token): the
 * current frame of the first of its thread states that has one (the newest
 * interpreter's first). 0 with *tstate 0 for a thread without a state; -1:
 * unreadable.
 */
static __always_inline int current_frame(struct secimport_thread *ts,
					 const struct secimport_py_offsets *off,
					 struct task_struct *task, __u64 *tstate, __u64 *frame)
{
	struct tstate_search c = {};
	struct walk_scratch *s;

	*frame = 0;
	*tstate = 0;
	if (find_tstates(ts, off, task, &c))
		return -1;
	s = walk_scratch_get();
	if (!s)
		return -1;
	for (int i = 0; i < WALK_MAX_TSTATES; i++) {
		if (i >= s->nfound)
			break;
		*tstate = s->found[i];
		if (tstate_frame(off, *tstate, frame))
			return -1;
		if (*frame)
			break;
	}
	return 0;
}

/*
 * Code identity: the confined modules code object @code was found to belong
 * to when it was created (0 if none). Adds its extra sets' modules to w.
 */
static __always_inline __u64 code_identity(struct frame_walk *w, __u64 code)
{
	struct walk_scratch *s = walk_scratch_get();
	struct secimport_code_owner *o;

	if (!s)
		return 0;
	/* the key in the scratch: the walk's stack has no room for it */
	s->ckey.tgid = w->tgid;
	s->ckey.pad = 0;
	s->ckey.code = code;
	o = bpf_map_lookup_elem(&code_owner, &s->ckey);
	if (!o)
		return 0;
	w->xmask[0] |= o->xmask[0];
	w->xmask[1] |= o->xmask[1];
	return o->mask;
}

/*
 * Is the frame of code @code, whose file name is @fname, a stock loader
 * running a module: exec_module of importlib's frozen bootstrap (its loaders,
 * and the lazy loader's deferred load, go through it) or zipimport's
 * load_module? Code made under it is the module's: its compiled file, and
 * what its body creates. Not _find_and_load: it calls whatever an importer
 * passes as import_, and a finder's loader of any kind. Both names are ASCII
 * (the compact ASCII layout is read); compared as words: string constants
 * would land in .rodata.
 */
static __always_inline bool is_import_boundary(const struct secimport_py_offsets *off, __u64 code,
					       __u64 fname)
{
	__u64 f[5] = {}, name, n[2] = {};
	bool loader;

	if (bpf_probe_read_user(f, 39, (const void *)(fname + off->unicode_ascii_data)))
		return false;
	if (read_user_u64(code + off->code_name, &name) ||
	    bpf_probe_read_user(n, 12, (const void *)(name + off->unicode_ascii_data)))
		return false;
	if (f[0] != 0x206e657a6f72663cULL) /* "<frozen " */
		return false;
	/* "importlib._bootstrap" then ">" and its NUL, or "_external>" and its NUL */
	loader =
	    f[1] == 0x696c74726f706d69ULL && f[2] == 0x73746f6f625f2e62ULL &&
	    ((f[3] & 0xffffffffffffULL) == 0x3e70617274ULL ||
	     (f[3] == 0x7478655f70617274ULL && (f[4] & 0xffffffffffffffULL) == 0x3e6c616e7265ULL));
	/* "exec_module" and its NUL */
	if (loader)
		return n[0] == 0x646f6d5f63657865ULL && (n[1] & 0xffffffffULL) == 0x656c75ULL;
	/* "<frozen zipimport>": its load_module (3.8, 3.9 import zips with it) */
	return f[1] == 0x726f706d6970697aULL && (f[2] & 0xffffffULL) == 0x3e74ULL &&
	       n[0] == 0x646f6d5f64616f6cULL && (n[1] & 0xffffffffULL) == 0x656c75ULL;
}

static long frame_step(__u32 i, struct frame_walk *w)
{
	__u32 interp = w->interp;
	struct secimport_interp *ip = bpf_map_lookup_elem(&interps, &interp);
	const struct secimport_py_offsets *off;
	__u64 prev, code, fname, m, prev_x;
	__u8 owner;

	if (!ip) {
		w->err = SECIMPORT_WALK_UNKNOWN_INTERP;
		return 1;
	}
	off = &ip->off;
	if (!w->frame) {
		/* This state's stack is done: the thread's next state, if any. */
		__u32 n;
		struct walk_scratch *s = walk_scratch_get();

		if (!s)
			goto unreadable;
		n = ++s->walking;
		if (n >= s->nfound)
			return 1;
		if (tstate_frame(off, s->found[n & (WALK_MAX_TSTATES - 1)], &w->frame))
			goto unreadable;
		return 0;
	}
	if (read_user_u64(w->frame + off->frame_previous, &prev) ||
	    read_user_u64(w->frame + off->frame_code, &code))
		goto unreadable;
	/* 3.14+: f_executable is a _PyStackRef, its low bits tags. */
	code &= ~(__u64)off->frame_code_tag_bits;
	if (off->frame_owner != SECIMPORT_PY_NONE && off->frame_owner_cstack != SECIMPORT_PY_NONE) {
		if (bpf_probe_read_user(&owner, 1, (const void *)(w->frame + off->frame_owner)))
			goto unreadable;
		/* C-stack shims (3.12+) and entry frames (3.14+) carry no code of their own. */
		if (owner >= off->frame_owner_cstack)
			goto next;
	}
	if (!code)
		goto next;
	if (read_user_u64(code + off->code_filename, &fname))
		goto unreadable;
	prev_x = w->xmask[0] | w->xmask[1];
	/* Who the code was created for, then what its file name says now. */
	m = code_identity(w, code);
	m |= file_modules(off, w, code, fname);
	if (w->err)
		return 1; /* an unreadable name: fail closed */
	if ((m || (w->xmask[0] | w->xmask[1]) != prev_x) && !w->hit_code)
		w->hit_code = code;
	w->mask |= m;
	if (w->creation && is_import_boundary(off, code, fname)) {
		w->frame = 0; /* the import's caller is not the code's owner */
		w->boundary = 1;
		return 0;
	}
next:
	w->frame = prev;
	return 0;
unreadable:
	w->err = SECIMPORT_WALK_UNREADABLE;
	return 1;
}

/*
 * Confined modules on the calling thread's Python stacks (every thread state
 * it has). Fails closed: unreadable memory, or a bound outgrown, counts as
 * every module of every set, with the reason in res->error.
 */
static __always_inline __u64 walk_stacks(struct secimport_thread *ts, struct task_struct *task,
					 __u32 nr, __u32 *evflags, struct walk_result *res,
					 __u64 new_code)
{
	bool creation = new_code != 0;
	struct frame_walk w = { .set = ts->set,
				.interp = ts->py_interp,
				.nr = nr,
				.tgid = task->tgid,
				.sets = file_cache_sets(ts),
				.creation = creation };
	struct tstate_search c = {};
	struct secimport_interp *ip;
	const struct secimport_py_offsets *off;
	struct walk_scratch *scratch;
	__u32 interp = ts->py_interp, cnt, nfound;
	int err;

	res->hit_code = 0;
	res->frame = 0;
	res->error = 0;
	res->boundary = 0;
	res->xmask[0] = res->xmask[1] = 0;
	for (int i = 0; cfg_system && i < SECIMPORT_XSETS; i++) {
		w.xset[i] = ts->xset[i];
	}
	if (!ts->py_runtime)
		return 0; /* no interpreter running in this process yet */
	count(SECIMPORT_CNT_WALKS);
	ip = bpf_map_lookup_elem(&interps, &interp);
	if (!ip) {
		err = SECIMPORT_WALK_UNKNOWN_INTERP;
		goto fail;
	}
	off = &ip->off;
	if (creation) {
		/* A new code object belongs to the module its own file is in, too. */
		__u64 fname;

		if (read_user_u64(new_code + off->code_filename, &fname)) {
			err = SECIMPORT_WALK_UNREADABLE;
			goto fail;
		}
		w.mask |= module_of_filename(off, &w, fname);
		if (w.err) {
			err = w.err;
			goto fail;
		}
	}
	err = find_tstates(ts, off, task, &c);
	if (err)
		goto fail;
	scratch = walk_scratch_get();
	if (!scratch) {
		err = SECIMPORT_WALK_UNREADABLE;
		goto fail;
	}
	nfound = scratch->nfound;
	if (!nfound) {
		/* a thread without Python state runs no Python frames */
		if (!creation)
			trace_threadless(task, nr);
		res->xmask[0] = w.xmask[0];
		res->xmask[1] = w.xmask[1];
		return w.mask;
	}
	/* One walk over the stacks of all the thread's states, innermost first. */
	if (tstate_frame(off, scratch->found[0], &w.frame)) {
		err = SECIMPORT_WALK_UNREADABLE;
		goto fail;
	}
	res->frame = w.frame;
	scratch->walking = 0;
	bpf_loop(WALK_MAX_FRAMES, frame_step, &w, 0);
	if (w.err) {
		err = w.err;
		goto fail;
	}
	scratch = walk_scratch_get();
	if (!scratch || w.frame || scratch->walking < nfound) {
		err = SECIMPORT_WALK_FRAMES_BOUND; /* not done: never a way out */
		goto fail;
	}
	res->hit_code = w.hit_code;
	res->boundary = w.boundary;
	res->xmask[0] = w.xmask[0];
	res->xmask[1] = w.xmask[1];
	return w.mask;
fail:
	count(SECIMPORT_CNT_WALK_FAILED);
	cnt = SECIMPORT_CNT_WALK_ERR_FIRST + ((__u32)err - 1);
	if (cnt <= SECIMPORT_CNT_WALK_ERR_LAST)
		count(cnt);
	*evflags |= SECIMPORT_EVF_WALK_FAILED;
	res->error = err;
	res->xmask[0] = res->xmask[1] = 0;
	for (int i = 0; cfg_system && i < SECIMPORT_XSETS; i++)
		if (ts->xset[i])
			res->xmask[i] = set_all_modules(ts->xset[i]);
	return set_all_modules(ts->set);
}

/* The confined modules on the calling thread's stacks, at syscall @nr. */
static __always_inline __u64 stackwalk_modules(struct secimport_thread *ts,
					       struct task_struct *task, __u32 nr, __u32 *evflags,
					       struct walk_result *res)
{
	return walk_stacks(ts, task, nr, evflags, res, 0);
}

/*
 * A str object's text for an event record: ASCII as it is; other strings
 * are named, not transcoded (the full transcoder is for verdicts only, and
 * inlining it here would multiply the verifier's work).
 */
static __always_inline void event_str(const struct secimport_py_offsets *off, __u64 obj, char *buf,
				      __u32 len)
{
	__u32 state;

	if (bpf_probe_read_user(&state, sizeof(state), (const void *)(obj + off->unicode_state)))
		return;
	if (((state >> 5) & 1) && ((state >> 6) & 1))
		bpf_probe_read_user_str(buf, len, (const void *)(obj + off->unicode_ascii_data));
	else if (len >= 12)
		__builtin_memcpy(buf, "<non-ascii>", 12);
}

/* File, function and first line of code object @code, for an event. */
static __always_inline void stackwalk_describe(const struct secimport_thread *ts, __u64 code,
					       char *file, __u32 file_len, char *func,
					       __u32 func_len, __u32 *lineno)
{
	__u32 interp = ts->py_interp;
	struct secimport_interp *ip = bpf_map_lookup_elem(&interps, &interp);
	__u64 fname, name;
	int line;

	if (!ip || !code)
		return;
	if (!read_user_u64(code + ip->off.code_filename, &fname))
		event_str(&ip->off, fname, file, file_len);
	if (!read_user_u64(code + ip->off.code_name, &name))
		event_str(&ip->off, name, func, func_len);
	if (!bpf_probe_read_user(&line, sizeof(line),
				 (const void *)(code + ip->off.code_firstlineno)))
		*lineno = line;
}

/*
 * The confined frame and the top of the stack, for an event. The top is
 * read again here, only when there is an event, rather than kept by every
 * walk: recording it in the walk's loop multiplied the verifier's work.
 */
static __always_inline void stackwalk_fill_frame(struct secimport_event *e,
						 const struct secimport_thread *ts,
						 const struct walk_result *res)
{
	__u32 interp = ts->py_interp, n = 0;
	struct secimport_interp *ip = bpf_map_lookup_elem(&interps, &interp);
	__u64 frame = res->frame, code;
	__u8 owner;

	stackwalk_describe(ts, res->hit_code, e->file, sizeof(e->file), e->func, sizeof(e->func),
			   &e->lineno);
	if (!ip)
		return;
	for (int i = 0; i < SECIMPORT_EV_STACK + 2 && frame && n < SECIMPORT_EV_STACK; i++) {
		const struct secimport_py_offsets *off = &ip->off;

		if (read_user_u64(frame + off->frame_code, &code))
			break;
		code &= ~(__u64)off->frame_code_tag_bits;
		owner = 0;
		if (off->frame_owner != SECIMPORT_PY_NONE)
			bpf_probe_read_user(&owner, 1, (const void *)(frame + off->frame_owner));
		if (code && (off->frame_owner_cstack == SECIMPORT_PY_NONE ||
			     owner < off->frame_owner_cstack)) {
			struct secimport_event_frame *f = &e->stack[n & (SECIMPORT_EV_STACK - 1)];

			stackwalk_describe(ts, code, f->file, sizeof(f->file), f->func,
					   sizeof(f->func), &f->lineno);
			e->nr_stack = ++n;
		}
		if (read_user_u64(frame + off->frame_previous, &frame))
			break;
	}
}

#endif /* SECIMPORT_STACKWALK_BPF_H */

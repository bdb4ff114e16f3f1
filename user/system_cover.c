// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Covering an interpreter a loaded system was not pointed at: one found
 * running (in a container, typically: its own files, its own inode). From
 * the running process alone, without running anything of it: its version
 * from its name, the stack walker's description from its ELF, the runtime
 * probe attached through the pinned program, its binary added to those whose
 * execs are covered, and the process itself adopted.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "pyelf.h"
#include "pyruntime.h"
#include "system.h"
#include "system_cover.h"
#include "util.h"

int runtime_in_process(pid_t pid, const char *elf, const struct secimport_interp *w, ino_t ino,
		       __u64 *runtime)
{
	char path[64], line[4096];
	__u64 init_off;
	FILE *f;
	int ret = -1;

	if (pyruntime_file_offset(elf, w->init_vaddr, &init_off))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off, inode;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s %llx %*s %llu", &start, &end, perms, &off,
			   &inode) != 5 ||
		    inode != ino || init_off < off || init_off >= off + (end - start))
			continue;
		/* The runtime probe's arithmetic: the load bias is page aligned. */
		__u64 bias = (start + (init_off - off) - w->init_vaddr) & ~0xfffULL;

		*runtime = bias + w->runtime_vaddr;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * The CPython 3.N a process runs: from its executable's name (python3.N),
 * or, for another python (a container image's python3), from Py_Version
 * in the binary that holds the runtime (3.11+: libpython for shared builds,
 * through the process's root). -1 if it is not one.
 */
static int minor_of(pid_t pid)
{
	char link[64], target[PATH_MAX], lib[PATH_MAX], elf[PATH_MAX + 64];
	const char *base;
	ssize_t n;
	int major, minor, end = 0;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (sscanf(base, "python3.%d%n", &minor, &end) == 1 && !base[end])
		return minor;
	if (strncmp(base, "python", 6))
		return -1;
	if (pyruntime_find_libpython(pid, lib, sizeof(lib)) == 0)
		snprintf(elf, sizeof(elf), "/proc/%d/root%s", pid, lib);
	else
		snprintf(elf, sizeof(elf), "%s", link);
	if (pyruntime_version(elf, &major, &minor) || major != 3)
		return -1;
	return minor;
}

static int uprobe_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "re");
	int type = -1;

	if (f) {
		if (fscanf(f, "%d", &type) != 1)
			type = -1;
		fclose(f);
	}
	return type;
}

/* The bit of perf_event_attr.config that makes a uprobe a return probe. */
static int uprobe_retprobe_bit(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/format/retprobe", "re");
	int bit = -1;

	if (f) {
		if (fscanf(f, "config:%d", &bit) != 1)
			bit = -1;
		fclose(f);
	}
	return bit;
}

/*
 * Pinned program @prog on @elf at @offset (a return probe if @ret), for every
 * process, pinned as link @link.
 */
static int attach_probe(const struct system *s, const char *prog_name, const char *elf,
			__u64 offset, bool ret, __u32 id, const char *link, char *err,
			size_t errlen)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	struct perf_event_attr attr = { .size = sizeof(attr) };
	char path[PATH_MAX];
	int prog, pfd = -1, lfd = -1, rc = -1, bit = uprobe_retprobe_bit();

	snprintf(path, sizeof(path), "%s/progs/%s", s->dir, prog_name);
	prog = bpf_obj_get(path);
	attr.type = uprobe_pmu_type();
	attr.config1 = (__u64)(uintptr_t)elf;
	attr.config2 = offset;
	if (ret && bit >= 0)
		attr.config |= 1ULL << bit;
	if (prog < 0 || (int)attr.type < 0 || (ret && bit < 0)) {
		snprintf(err, errlen, "cannot attach %s: %s", prog_name,
			 prog < 0 ? "the system pinned no such program" : "no uprobe PMU");
		goto out;
	}
	pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	opts.perf_event.bpf_cookie = id;
	if (pfd >= 0)
		lfd = bpf_link_create(prog, pfd, BPF_PERF_EVENT, &opts);
	snprintf(path, sizeof(path), "%s/links/%s", s->dir, link);
	if (pfd < 0 || lfd < 0 || bpf_obj_pin(lfd, path)) {
		snprintf(err, errlen, "cannot attach %s to %s: %s", prog_name, elf,
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (lfd >= 0)
		close(lfd);
	if (pfd >= 0)
		close(pfd);
	if (prog >= 0)
		close(prog);
	return rc;
}

/* The runtime probe, the code identity probe and the interpreter probe of build @id. */
static int attach_build_probes(const struct system *s, const char *elf,
			       const struct secimport_interp *w, __u64 init_offset, __u32 id,
			       char *err, size_t errlen)
{
	char link[64], near[PATH_MAX];
	__u64 ctor, interp_new, ffi;

	if (!w->code_new_vaddr || !w->interp_new_vaddr ||
	    pyruntime_file_offset(elf, w->code_new_vaddr, &ctor) ||
	    pyruntime_file_offset(elf, w->interp_new_vaddr, &interp_new)) {
		snprintf(err, errlen,
			 "%s lacks the code object constructor or interpreter creation symbol "
			 "the stack walker needs",
			 elf);
		return -1;
	}
	snprintf(link, sizeof(link), "runtime_probe_%u", id);
	if (attach_probe(s, "secimport_py_runtime_init", elf, init_offset, false, id, link, err,
			 errlen))
		return -1;
	snprintf(link, sizeof(link), "code_probe_%u", id);
	if (attach_probe(s, "secimport_code_new", elf, ctor, true, id, link, err, errlen))
		return -1;
	snprintf(link, sizeof(link), "interp_probe_%u", id);
	if (attach_probe(s, "secimport_interp_new", elf, interp_new, false, id, link, err, errlen))
		return -1;
	/* 3.14+: code shared between interpreters, through marshal (loader.c). */
	for (int j = 0; w->off.minor >= 14 && j < 4; j++) {
		static const char *const progs[4] = { "secimport_marshal_dump",
						      "secimport_marshal_dumped",
						      "secimport_marshal_load",
						      "secimport_marshal_loaded" };
		__u64 vaddr = j < 2 ? w->marshal_dump_vaddr : w->marshal_load_vaddr, at;

		if (!vaddr || pyruntime_file_offset(elf, vaddr, &at)) {
			snprintf(err, errlen, "%s lacks the marshal symbols the stack walker needs",
				 elf);
			return -1;
		}
		snprintf(link, sizeof(link), "marshal_probe_%u_%d", id, j);
		if (attach_probe(s, progs[j], elf, at, j & 1, id, link, err, errlen))
			return -1;
	}
	/*
	 * ctypes (ctypes.bpf.c): the host's libffi is probed already; a
	 * build's own is not, nor the libffi of a self-contained tree.
	 */
	snprintf(link, sizeof(link), "ffi_probe_%u", id);
	if (!pyruntime_symbol_offset(elf, "ffi_call", &ffi))
		return attach_probe(s, "secimport_ffi_call", elf, ffi, false, id, link, err,
				    errlen);
	if (pyelf_libffi_near(elf, near, sizeof(near)))
		return 0;
	if (pyruntime_symbol_offset(near, "ffi_call", &ffi)) {
		snprintf(err, errlen, "%s (the libffi of %s) has no ffi_call symbol", near, elf);
		return -1;
	}
	return attach_probe(s, "secimport_ffi_call", near, ffi, false, id, link, err, errlen);
}

/* Give the threads of @pid verdict state: the pinned task iterator, twice. */
static int adopt(const struct system *s, pid_t pid, const struct secimport_adopt *a, char *err,
		 size_t errlen)
{
	char path[PATH_MAX], buf[64];
	__u32 tgid = pid;
	int prog, ret = 0;

	snprintf(path, sizeof(path), "%s/progs/secimport_adopt", s->dir);
	prog = bpf_obj_get(path);
	if (prog < 0 || bpf_map_update_elem(s->adopt, &tgid, a, BPF_ANY)) {
		snprintf(err, errlen, "cannot adopt process %d: %s", pid, strerror(errno));
		if (prog >= 0)
			close(prog);
		return -1;
	}
	for (int pass = 0; pass < 2 && !ret; pass++) {
		int link = bpf_link_create(prog, 0, BPF_TRACE_ITER, NULL), it = -1;

		if (link >= 0)
			it = bpf_iter_create(link);
		if (it < 0) {
			snprintf(err, errlen, "cannot run the adoption iterator: %s",
				 strerror(errno));
			ret = -1;
		}
		while (it >= 0 && read(it, buf, sizeof(buf)) > 0)
			;
		if (it >= 0)
			close(it);
		if (link >= 0)
			close(link);
	}
	bpf_map_delete_elem(s->adopt, &tgid);
	close(prog);
	return ret;
}

bool system_process_covered(const struct system *s, pid_t pid)
{
	struct secimport_thread *ts = malloc(sizeof(*ts));
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	bool covered = false;

	if (ts && pidfd >= 0 && bpf_map_lookup_elem(s->threads, &pidfd, ts) == 0)
		covered = ts->flags & SECIMPORT_TS_SYSTEM;
	if (pidfd >= 0)
		close(pidfd);
	free(ts);
	return covered;
}

/* The broker's threads and the agent's scan cover processes one at a time. */
static pthread_mutex_t cover_lock = PTHREAD_MUTEX_INITIALIZER;

static int cover_locked(struct system *s, pid_t pid, char *err, size_t errlen);

int system_cover_process(struct system *s, pid_t pid, char *err, size_t errlen)
{
	int ret;

	pthread_mutex_lock(&cover_lock);
	ret = cover_locked(s, pid, err, errlen);
	pthread_mutex_unlock(&cover_lock);
	return ret;
}

static int cover_locked(struct system *s, pid_t pid, char *err, size_t errlen)
{
	struct secimport_interp_key key = {};
	struct secimport_interp w = {};
	struct secimport_adopt a = {};
	char exe[64], elf[PATH_MAX + 64], lib[PATH_MAX];
	struct stat exe_st, elf_st;
	__u32 one = 1, id = s->sysinfo.nr_interps;
	__u64 offset;
	int minor = minor_of(pid);

	if (minor < 0) {
		snprintf(err, errlen,
			 "process %d does not run CPython (an executable named python3.N, or a "
			 "python of 3.11 or later)",
			 pid);
		return -1;
	}
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	/* Shared builds keep the runtime in libpython, seen through the process's root. */
	if (pyruntime_find_libpython(pid, lib, sizeof(lib)) == 0)
		snprintf(elf, sizeof(elf), "/proc/%d/root%s", pid, lib);
	else
		snprintf(elf, sizeof(elf), "%s", exe);
	if (stat(exe, &exe_st) || stat(elf, &elf_st)) {
		snprintf(err, errlen, "process %d is gone", pid);
		return -1;
	}
	key.dev = ((__u64)major(exe_st.st_dev) << 20) | minor(exe_st.st_dev);
	key.ino = exe_st.st_ino;
	/* A build covered already (another container of the same image): its id. */
	for (__u32 i = 0; i < s->sysinfo.nr_interps && i < SECIMPORT_MAX_INTERPS_INFO; i++)
		if (s->sysinfo.elf_ids[i].dev == elf_st.st_dev &&
		    s->sysinfo.elf_ids[i].ino == elf_st.st_ino)
			id = i;
	if (pyruntime_read(elf, 3, minor, &w, err, errlen))
		return -1;
	if (id == s->sysinfo.nr_interps) {
		if (id >= SECIMPORT_MAX_INTERPS || id >= SECIMPORT_MAX_INTERPS_INFO) {
			snprintf(err, errlen,
				 "%d interpreter builds are covered, the most there can be",
				 SECIMPORT_MAX_INTERPS);
			return -1;
		}
		if (pyruntime_file_offset(elf, w.init_vaddr, &offset)) {
			snprintf(err, errlen, "cannot find _PyRuntime_Initialize in %s", elf);
			return -1;
		}
		if (bpf_map_update_elem(s->interps, &id, &w, BPF_ANY)) {
			snprintf(err, errlen, "cannot describe the build: %s", strerror(errno));
			return -1;
		}
		if (attach_build_probes(s, elf, &w, offset, id, err, errlen))
			return -1;
		snprintf(s->sysinfo.interps[id], sizeof(s->sysinfo.interps[id]),
			 "(found in pid %d) CPython 3.%d", pid, minor);
		s->sysinfo.elf_ids[id].dev = elf_st.st_dev;
		s->sysinfo.elf_ids[id].ino = elf_st.st_ino;
		s->sysinfo.nr_interps = id + 1;
		system_info_write(s);
	}
	/* Its later execs start covered; the running process is adopted. */
	if (bpf_map_update_elem(s->interpreters, &key, &one, BPF_ANY)) {
		snprintf(err, errlen, "cannot register the executable: %s", strerror(errno));
		return -1;
	}
	a.py_interp = id;
	if (runtime_in_process(pid, elf, &w, elf_st.st_ino, &a.py_runtime)) {
		snprintf(err, errlen, "cannot find _PyRuntime in process %d", pid);
		return -1;
	}
	return adopt(s, pid, &a, err, errlen);
}

int system_cover_scan(struct system *s, bool log)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int covered = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);
		char err[512];

		if (pid <= 0 || minor_of(pid) < 0 || system_process_covered(s, pid))
			continue;
		if (system_cover_process(s, pid, err, sizeof(err)) == 0) {
			covered++;
			if (log)
				fprintf(stderr, "secimport-bpf: covering process %d\n", pid);
		} else {
			p_info("not covering process %d: %s", pid, err);
		}
	}
	closedir(d);
	return covered;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "secimport.skel.h"
#include "loader.h"
#include "policy_sets.h"
#include "probe.h"
#include "pyelf.h"
#include "pyruntime.h"
#include "util.h"

/* Every attached process holds up to three USDT links. */
#define USDT_SPECS 4096

/*
 * Releasing a uprobe costs ~100 ms here (an RCU grace period per probe), so
 * links of exited processes are kept and released in batches.
 */
#define DEAD_ENGINES_BATCH 32

struct engine_links {
	pid_t pid;
	bool dead;
	struct bpf_link *links[3];
};

#define MAX_DENY_LINKS 64 /* deny.bpf.c's LSM and cgroup hooks, with room */

struct loader {
	struct secimport_bpf *skel;
	struct bpf_link *deny_links[MAX_DENY_LINKS];
	size_t nr_deny_links;
	struct bpf_link *runtime_probes[SECIMPORT_MAX_INTERPS];
	struct bpf_link *code_probes[SECIMPORT_MAX_INTERPS]; /* code identity */
	struct bpf_link *interp_probes[SECIMPORT_MAX_INTERPS]; /* sub-interpreter creation */
	/* 3.14+: marshal's two ends, entry and return of each (MARSHAL_PROBES) */
	struct bpf_link *marshal_probes[SECIMPORT_MAX_INTERPS][4];
	struct bpf_link *ffi_probe; /* libffi's ffi_call: ctypes' foreign calls */
	struct bpf_link *ffi_probe_own[SECIMPORT_MAX_INTERPS]; /* builds with libffi linked in */
	bool ffi_tried;
	int unix_connect_type; /* BPF_CGROUP_UNIX_CONNECT here, -1 if the kernel has none */
	struct bpf_link *guard_links[2];
	char cgroup_root[256];
	__u32 nr_interps;
	struct engine_links *engines;
	size_t nr_engines, cap_engines, nr_dead;
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's warnings carry whole verifier logs: only on request. */
	if ((level == LIBBPF_DEBUG && !getenv("SECIMPORT_VERIFIER_STATS")) || !verbose)
		return 0;
	fprintf(stderr, "secimport-bpf: ");
	return vfprintf(stderr, fmt, ap);
}

/* Kernel-internal errnos mean nothing to users. */
static const char *errstr(int err)
{
	if (err < 0)
		err = -err;
	if (err == 524)
		return "operation not supported by this kernel";
	return strerror(err);
}

/* Syscalls whose kernel path passes one of the LSM hooks of deny.bpf.c. */
static const char *const lsm_covered[] = {
	"execve",
	"execveat",
	"fork",
	"vfork",
	"clone",
	"clone3",
	"open",
	"openat",
	"openat2",
	"creat",
	"open_by_handle_at",
	/* inode_create, _link, _unlink, _symlink, _mkdir, _rmdir, _mknod, _rename */
	"rename",
	"renameat",
	"renameat2",
	"unlink",
	"unlinkat",
	"rmdir",
	"mkdir",
	"mkdirat",
	"link",
	"linkat",
	"symlink",
	"symlinkat",
	"mknod",
	"mknodat",
	"ptrace",
	"process_vm_writev",
	"process_vm_readv",
	"socket",
	"socketpair",
	"connect",
	"bind",
	"listen",
	"accept",
	"accept4",
	"sendto",
	"sendmsg",
	"sendmmsg",
	"recvfrom",
	"recvmsg",
	"recvmmsg",
	"getsockname",
	"getpeername",
	"setsockopt",
	"getsockopt",
	"shutdown",
};

static bool prog_in_section(const struct bpf_program *p, const char *prefix)
{
	return !strncmp(bpf_program__section_name(p), prefix, strlen(prefix));
}

/* The registration guard's hooks are attached with the system, not for deny. */
static bool is_guard(const struct loader *l, const struct bpf_program *p)
{
	return p == l->skel->progs.secimport_guard_unix || p == l->skel->progs.secimport_lsm_guard;
}

static int open_and_load(struct loader *l, const struct loader_opts *o, bool lsm, bool cgroup)
{
	struct bpf_program *p;

	l->skel = secimport_bpf__open();
	if (!l->skel)
		return -errno;
	/* Room for many interpreter processes at once. */
	bpf_map__set_max_entries(l->skel->maps.__bpf_usdt_specs, USDT_SPECS);
	bpf_object__for_each_program(p, l->skel->obj)
	{
		/* CONFIG_SECURITY_PATH's hooks, where the kernel has them. */
		if (prog_in_section(p, "lsm/path_")) {
			char fn[64];

			snprintf(fn, sizeof(fn), "bpf_lsm_%s", bpf_program__section_name(p) + 4);
			bpf_program__set_autoload(p, lsm && probe_kernel_func(fn));
		} else if (prog_in_section(p, "lsm/"))
			bpf_program__set_autoload(p, lsm);
		else if (prog_in_section(p, "cgroup/"))
			bpf_program__set_autoload(p, cgroup);
	}
	/* The registration guard and adoption belong to a loaded system only. */
	bpf_program__set_autoload(l->skel->progs.secimport_adopt, o->system);
	bpf_program__set_autoload(l->skel->progs.secimport_lsm_guard, o->system && lsm);
	bpf_program__set_autoload(l->skel->progs.secimport_guard_unix,
				  o->system && l->unix_connect_type >= 0);
	if (l->unix_connect_type >= 0)
		bpf_program__set_expected_attach_type(l->skel->progs.secimport_guard_unix,
						      l->unix_connect_type);
	l->skel->rodata->cfg_system = o->system;
	l->skel->rodata->cfg_loader_tgid = getpid();
	for (size_t i = 0; lsm && i < sizeof(lsm_covered) / sizeof(lsm_covered[0]); i++) {
		int nr = o->table ? syscall_lookup(o->table, lsm_covered[i]) : -1;

		if (nr >= 0 && nr < SECIMPORT_SYSCALL_BITS)
			l->skel->rodata->cfg_deny_covered[nr / 64] |= 1ULL << (nr % 64);
	}
	/*
	 * read/write & co. on a socket pass the LSM's socket_sendmsg/recvmsg
	 * hooks; an open that writes passes file_open.
	 */
	if (lsm) {
		l->skel->rodata->cfg_deny_covered[SECIMPORT_NR_FILE_WRITE / 64] |=
		    1ULL << (SECIMPORT_NR_FILE_WRITE % 64);
		l->skel->rodata->cfg_deny_covered[SECIMPORT_NR_SOCKET_SEND / 64] |=
		    1ULL << (SECIMPORT_NR_SOCKET_SEND % 64);
		l->skel->rodata->cfg_deny_covered[SECIMPORT_NR_SOCKET_RECV / 64] |=
		    1ULL << (SECIMPORT_NR_SOCKET_RECV % 64);
	}
	l->skel->rodata->cfg_deny_cgroup = cgroup;
	/* A loaded system's bookkeeping: `run` keeps one set of its own. */
	if (!o->system) {
		bpf_map__set_max_entries(l->skel->maps.policies, 1024);
		bpf_map__set_max_entries(l->skel->maps.module_names, 1024);
		bpf_map__set_max_entries(l->skel->maps.proc_sets, 1);
		bpf_map__set_max_entries(l->skel->maps.adopt, 1);
		bpf_map__set_max_entries(l->skel->maps.guard_tids, 1);
		/* One program's code objects, not a host's. */
		bpf_map__set_max_entries(l->skel->maps.code_owner, 65536);
		bpf_map__set_max_entries(l->skel->maps.file_cache, 8192);
	}
	/* For measuring the verifier's work (PERFORMANCE.md): its statistics. */
	if (getenv("SECIMPORT_VERIFIER_STATS"))
		bpf_object__for_each_program(p, l->skel->obj) bpf_program__set_log_level(p, 4);
	/* Learning mode is the only user of trace_seen: size it for that. */
	if (!o->trace)
		bpf_map__set_max_entries(l->skel->maps.trace_seen, 1);
	if (o->trace_files_max) {
		l->skel->rodata->cfg_trace_files = 1;
		bpf_map__set_max_entries(l->skel->maps.trace_files, o->trace_files_max);
	}
	return secimport_bpf__load(l->skel);
}

static int attach_deny_hooks(struct loader *l, bool lsm, const char *cgroup_root, char *err,
			     size_t errlen)
{
	struct bpf_program *p;
	int cg = -1, ret = 0;

	if (cgroup_root && (cg = open(cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open cgroup root %s: %s", cgroup_root,
			 strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(p, l->skel->obj)
	{
		struct bpf_link *link;

		if (is_guard(l, p))
			continue;
		if (lsm && prog_in_section(p, "lsm/") && bpf_program__autoload(p))
			link = bpf_program__attach(p);
		else if (cg >= 0 && prog_in_section(p, "cgroup/"))
			link = bpf_program__attach_cgroup(p, cg);
		else
			continue;
		if (!link || l->nr_deny_links >= MAX_DENY_LINKS) {
			snprintf(err, errlen, "failed to attach %s: %s",
				 bpf_program__section_name(p),
				 link ? "too many hooks (MAX_DENY_LINKS)" : errstr(errno));
			bpf_link__destroy(link);
			ret = -1;
			break;
		}
		l->deny_links[l->nr_deny_links++] = link;
	}
	if (cg >= 0)
		close(cg);
	return ret;
}

/*
 * Show the syscall hook a socket and a /proc/PID/mem (fcntl F_GETFD on each,
 * from this process: fdio_learn), so that it tells them by their file
 * operations. Without it the hook takes the slower way: nothing to report.
 */
static void teach_fdio(void)
{
	int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);

	if (sock >= 0) {
		fcntl(sock, F_GETFD);
		close(sock);
	}
	if (mem >= 0) {
		fcntl(mem, F_GETFD);
		close(mem);
	}
}

int loader_open(struct loader **out, const struct loader_opts *opts, struct loader_status *st,
		char *err, size_t errlen)
{
	struct loader *l = calloc(1, sizeof(*l));
	bool lsm = false, cgroup = false;
	int ret;

	*out = NULL;
	memset(st, 0, sizeof(*st));
	if (!l)
		return -1;
	libbpf_set_print(libbpf_print);
	l->unix_connect_type = -1;
	if (opts->system) {
		long long v;

		if (probe_kernel_enum("bpf_attach_type", "BPF_CGROUP_UNIX_CONNECT", &v) == 0)
			l->unix_connect_type = v;
	}
	/* A loaded system uses BPF LSM and cgroups for its registration guard too. */
	if (opts->deny || opts->system || opts->code_write) {
		lsm = probe_lsm_bpf_listed(st->lsms, sizeof(st->lsms));
		if (!lsm)
			snprintf(st->lsm_why, sizeof(st->lsm_why),
				 "bpf is not among the active LSMs (%s)", st->lsms);
		if (probe_cgroup2_root(st->cgroup_root, sizeof(st->cgroup_root)) == 0) {
			cgroup = opts->deny;
			snprintf(l->cgroup_root, sizeof(l->cgroup_root), "%s", st->cgroup_root);
		} else {
			l->unix_connect_type = -1;
		}
	}
	ret = open_and_load(l, opts, lsm, cgroup);
	if (ret && lsm) {
		/* Listed is not enough: some kernels still refuse LSM programs. */
		snprintf(st->lsm_why, sizeof(st->lsm_why),
			 "bpf is an active LSM (%s) but its programs do not load here: %s",
			 st->lsms, errstr(ret));
		secimport_bpf__destroy(l->skel);
		lsm = false;
		ret = open_and_load(l, opts, lsm, cgroup);
	}
	if (ret) {
		snprintf(err, errlen,
			 "failed to load the BPF programs: %s (needs root and a kernel with BTF, "
			 "task storage and bpf_loop: Linux 5.17 or later; --verbose shows the "
			 "verifier's log)",
			 errstr(ret));
		goto fail;
	}
	/* The engine's USDT programs are attached per process, later. */
	struct bpf_program *always[] = { l->skel->progs.secimport_sys_enter,
					 l->skel->progs.secimport_fork,
					 l->skel->progs.secimport_exec,
					 l->skel->progs.secimport_exit };
	struct bpf_link **links[] = { &l->skel->links.secimport_sys_enter,
				      &l->skel->links.secimport_fork,
				      &l->skel->links.secimport_exec,
				      &l->skel->links.secimport_exit };

	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		*links[i] = bpf_program__attach(always[i]);
		if (!*links[i]) {
			snprintf(err, errlen, "failed to attach %s: %s",
				 bpf_program__section_name(always[i]), errstr(errno));
			goto fail;
		}
	}
	teach_fdio();
	if ((lsm || cgroup) &&
	    attach_deny_hooks(l, lsm, cgroup ? st->cgroup_root : NULL, err, errlen))
		goto fail;
	st->lsm_live = lsm;
	st->cgroup_live = cgroup;
	*out = l;
	return 0;
fail:
	loader_destroy(l);
	return -1;
}

void loader_destroy(struct loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr_engines; i++)
		for (int k = 0; k < 3; k++)
			bpf_link__destroy(l->engines[i].links[k]);
	for (__u32 i = 0; i < l->nr_interps; i++) {
		bpf_link__destroy(l->runtime_probes[i]);
		bpf_link__destroy(l->code_probes[i]);
		bpf_link__destroy(l->interp_probes[i]);
		for (int j = 0; j < 4; j++)
			bpf_link__destroy(l->marshal_probes[i][j]);
		bpf_link__destroy(l->ffi_probe_own[i]);
	}
	bpf_link__destroy(l->ffi_probe);
	for (size_t i = 0; i < l->nr_deny_links; i++)
		bpf_link__destroy(l->deny_links[i]);
	for (int i = 0; i < 2; i++)
		bpf_link__destroy(l->guard_links[i]);
	free(l->engines);
	secimport_bpf__destroy(l->skel);
	free(l);
}

int loader_set_policy(struct loader *l, __u32 set, const struct policy *p,
		      const struct resolved_module *r, char *err, size_t errlen)
{
	struct resolved_module *const resolved[1] = { (struct resolved_module *)r };
	struct set_maps m = loader_set_maps(l);

	return set_write_policy(&m, set, p, resolved, 1, NULL, 0, err, errlen);
}

struct set_maps loader_set_maps(struct loader *l)
{
	return (struct set_maps){
		.policies = bpf_map__fd(l->skel->maps.policies),
		.locations = bpf_map__fd(l->skel->maps.locations),
		.sets = bpf_map__fd(l->skel->maps.sets),
		.write_dirs = bpf_map__fd(l->skel->maps.write_dirs),
		.names = bpf_map__fd(l->skel->maps.module_names),
	};
}

int loader_add_interpreter(struct loader *l, const char *path, char *err, size_t errlen)
{
	struct secimport_interp_key key = {};
	__u32 one = 1;
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "cannot stat interpreter %s: %s", path, strerror(errno));
		return -1;
	}
	/* The kernel's s_dev encoding, not the one stat() returns. */
	key.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
	key.ino = st.st_ino;
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.interpreters), &key, &one, BPF_ANY)) {
		snprintf(err, errlen, "failed to register interpreter %s: %s", path, errstr(errno));
		return -1;
	}
	return 0;
}

/*
 * libffi, where ctypes makes every foreign call: the one the C library's
 * loader finds for "libffi.so.N", as _ctypes would (0, and @path empty, if
 * none is installed).
 */
static void find_libffi(char *path, size_t len)
{
	static const char *const names[] = { "libffi.so.8", "libffi.so.7", "libffi.so.6" };

	path[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !path[0]; i++) {
		void *h = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
		Dl_info info;
		void *sym;

		if (!h)
			h = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);
		if (!h)
			continue;
		sym = dlsym(h, "ffi_call");
		if (sym && dladdr(sym, &info) && info.dli_fname && info.dli_fname[0] == '/')
			snprintf(path, len, "%s", info.dli_fname);
		dlclose(h);
	}
}

/*
 * ctypes' foreign calls (ctypes.bpf.c): libffi's ffi_call once for every
 * process, and a build's own copy if it links libffi in or brings its own.
 */
/*
 * Code shared between interpreters keeps its identity through marshal
 * (codeident.bpf.c): both ends of PyMarshal_WriteObjectToString and of
 * PyMarshal_ReadObjectFromString, on builds that have them probed (3.14+).
 */
static int attach_marshal_probes(struct loader *l, const char *elf,
				 const struct secimport_interp *interp, __u32 n,
				 struct bpf_uprobe_opts *opts, char *err, size_t errlen)
{
	struct bpf_program *progs[4] = { l->skel->progs.secimport_marshal_dump,
					 l->skel->progs.secimport_marshal_dumped,
					 l->skel->progs.secimport_marshal_load,
					 l->skel->progs.secimport_marshal_loaded };
	__u64 vaddr[4] = { interp->marshal_dump_vaddr, interp->marshal_dump_vaddr,
			   interp->marshal_load_vaddr, interp->marshal_load_vaddr };
	__u64 offset;

	if (interp->off.minor < 14)
		return 0;
	for (int j = 0; j < 4; j++) {
		if (!vaddr[j] || pyruntime_file_offset(elf, vaddr[j], &offset)) {
			snprintf(err, errlen,
				 "%s lacks PyMarshal_%s, which the stack walker probes so that "
				 "code shared between interpreters keeps its identity",
				 elf, j < 2 ? "WriteObjectToString" : "ReadObjectFromString");
			return -1;
		}
		opts->retprobe = j & 1;
		l->marshal_probes[n][j] =
		    bpf_program__attach_uprobe_opts(progs[j], -1, elf, offset, opts);
		if (!l->marshal_probes[n][j]) {
			snprintf(err, errlen, "failed to attach the marshal probes to %s: %s", elf,
				 errstr(errno));
			return -1;
		}
	}
	opts->retprobe = false;
	return 0;
}

static int attach_ctypes_probes(struct loader *l, const char *elf, __u32 n,
				struct bpf_uprobe_opts *opts, char *err, size_t errlen)
{
	char ffi[PATH_MAX], near[PATH_MAX];
	const char *own = NULL;
	__u64 offset;

	if (pyruntime_symbol_offset(elf, "ffi_call", &offset) == 0) {
		own = elf; /* libffi linked into this build: its own copy */
	} else if (!pyelf_libffi_near(elf, near, sizeof(near))) {
		/* A self-contained interpreter tree: the libffi its _ctypes loads. */
		if (pyruntime_symbol_offset(near, "ffi_call", &offset)) {
			snprintf(err, errlen, "%s (the libffi of %s) has no ffi_call symbol", near,
				 elf);
			return -1;
		}
		own = near;
		p_info("ctypes' foreign calls of %s judged at %s", elf, near);
	}
	if (own) {
		l->ffi_probe_own[n] = bpf_program__attach_uprobe_opts(
		    l->skel->progs.secimport_ffi_call, -1, own, offset, opts);
		if (!l->ffi_probe_own[n]) {
			snprintf(err, errlen, "failed to attach the ffi_call probe to %s: %s", own,
				 errstr(errno));
			return -1;
		}
	}
	if (l->ffi_tried)
		return 0;
	l->ffi_tried = true;
	find_libffi(ffi, sizeof(ffi));
	if (!ffi[0]) {
		/* No libffi on this host: no ctypes either, unless a build has its own. */
		p_info("no libffi.so found: ctypes' foreign calls are judged only in builds "
		       "that link libffi in");
		return 0;
	}
	if (pyruntime_symbol_offset(ffi, "ffi_call", &offset)) {
		snprintf(err, errlen, "%s has no ffi_call symbol", ffi);
		return -1;
	}
	l->ffi_probe = bpf_program__attach_uprobe_opts(l->skel->progs.secimport_ffi_call, -1, ffi,
						       offset, opts);
	if (!l->ffi_probe) {
		snprintf(err, errlen, "failed to attach the ffi_call probe to %s: %s", ffi,
			 errstr(errno));
		return -1;
	}
	p_info("ctypes' foreign calls judged at %s", ffi);
	return 0;
}

int loader_add_stackwalk(struct loader *l, const char *elf, const struct secimport_interp *interp,
			 __u32 *id, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts);
	__u32 n = l->nr_interps;
	__u64 offset, interp_offset;

	if (n >= SECIMPORT_MAX_INTERPS) {
		snprintf(err, errlen, "too many interpreter builds (at most %d)",
			 SECIMPORT_MAX_INTERPS);
		return -1;
	}
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.interps), &n, interp, BPF_ANY)) {
		snprintf(err, errlen, "failed to describe interpreter %s: %s", elf, errstr(errno));
		return -1;
	}
	if (pyruntime_file_offset(elf, interp->init_vaddr, &offset)) {
		snprintf(err, errlen, "cannot map address 0x%llx of %s to the file",
			 (unsigned long long)interp->init_vaddr, elf);
		return -1;
	}
	/* Every process of this build, so the ones the program starts too. */
	opts.bpf_cookie = n;
	l->runtime_probes[n] = bpf_program__attach_uprobe_opts(
	    l->skel->progs.secimport_py_runtime_init, -1, elf, offset, &opts);
	if (!l->runtime_probes[n]) {
		snprintf(err, errlen, "failed to attach the runtime probe to %s: %s", elf,
			 errstr(errno));
		return -1;
	}
	/*
	 * Code identity (the constructor's return) and sub-interpreter creation,
	 * for every process of the build.
	 */
	if (!interp->code_new_vaddr || !interp->interp_new_vaddr ||
	    pyruntime_file_offset(elf, interp->code_new_vaddr, &offset) ||
	    pyruntime_file_offset(elf, interp->interp_new_vaddr, &interp_offset)) {
		snprintf(err, errlen, "%s lacks the %s symbol the stack walker needs (%s)", elf,
			 !interp->code_new_vaddr ? "code object constructor"
						 : "interpreter creation",
			 !interp->code_new_vaddr
			     ? "without it, code a confined module creates cannot be told apart; "
			       "SECIMPORT_DEBUG_PYELF=1 says why it was not found"
			     : "without it, a confined module could start interpreters unjudged");
		goto fail;
	}
	opts.retprobe = true;
	l->code_probes[n] = bpf_program__attach_uprobe_opts(l->skel->progs.secimport_code_new, -1,
							    elf, offset, &opts);
	opts.retprobe = false;
	if (l->code_probes[n])
		l->interp_probes[n] = bpf_program__attach_uprobe_opts(
		    l->skel->progs.secimport_interp_new, -1, elf, interp_offset, &opts);
	if (!l->code_probes[n] || !l->interp_probes[n]) {
		snprintf(err, errlen, "failed to attach the stack walker's probes to %s: %s", elf,
			 errstr(errno));
		goto fail;
	}
	if (attach_marshal_probes(l, elf, interp, n, &opts, err, errlen) ||
	    attach_ctypes_probes(l, elf, n, &opts, err, errlen))
		goto fail;
	l->nr_interps++;
	*id = n;
	return 0;
fail:
	bpf_link__destroy(l->ffi_probe_own[n]);
	l->ffi_probe_own[n] = NULL;
	for (int j = 0; j < 4; j++) {
		bpf_link__destroy(l->marshal_probes[n][j]);
		l->marshal_probes[n][j] = NULL;
	}
	bpf_link__destroy(l->interp_probes[n]);
	bpf_link__destroy(l->code_probes[n]);
	bpf_link__destroy(l->runtime_probes[n]);
	l->code_probes[n] = l->runtime_probes[n] = l->interp_probes[n] = NULL;
	return -1;
}

int loader_track(struct loader *l, int pidfd, __u32 set, __u64 inherited, __u32 flags, char *err,
		 size_t errlen)
{
	struct secimport_thread *ts = calloc(1, sizeof(*ts));
	int ret = 0;

	if (!ts)
		return -1;
	ts->set = set;
	ts->inherited_mask = inherited;
	ts->flags = flags;
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.threads), &pidfd, ts, BPF_NOEXIST)) {
		snprintf(err, errlen, "failed to track the process: %s", errstr(errno));
		ret = -1;
	}
	free(ts);
	return ret;
}

static struct engine_links *engine_find(struct loader *l, pid_t pid)
{
	for (size_t i = 0; i < l->nr_engines; i++)
		if (l->engines[i].pid == pid && !l->engines[i].dead)
			return &l->engines[i];
	return NULL;
}

static void engine_release(struct loader *l, size_t i)
{
	for (int k = 0; k < 3; k++)
		bpf_link__destroy(l->engines[i].links[k]);
	l->engines[i] = l->engines[--l->nr_engines];
}

/* Mark the process attached (or not): its verdicts use the stack again. */
static int mark_attached(struct loader *l, int pidfd, char *err, size_t errlen)
{
	struct secimport_thread *ts = calloc(1, sizeof(*ts));
	int fd = bpf_map__fd(l->skel->maps.threads), ret = -1;

	if (!ts)
		return -1;
	/* The process is stopped: nothing else writes its state meanwhile. */
	if (bpf_map_lookup_elem(fd, &pidfd, ts)) {
		snprintf(err, errlen, "process has no verdict state: %s", errstr(errno));
		goto out;
	}
	ts->flags &= ~SECIMPORT_TS_ATTACH_PENDING;
	ts->flags |= SECIMPORT_TS_USDT;
	if (bpf_map_update_elem(fd, &pidfd, ts, BPF_EXIST)) {
		snprintf(err, errlen, "failed to update the verdict state: %s", errstr(errno));
		goto out;
	}
	ret = 0;
out:
	free(ts);
	return ret;
}

int loader_attach_engine(struct loader *l, pid_t pid, int pidfd, const char *interpreter, bool line,
			 char *err, size_t errlen)
{
	static const char *const names[3] = { "function__entry", "function__return", "line" };
	struct bpf_program *progs[3] = { l->skel->progs.secimport_py_entry,
					 l->skel->progs.secimport_py_return,
					 l->skel->progs.secimport_py_line };
	struct engine_links *e = engine_find(l, pid);

	/*
	 * Links are per process and outlive an exec of the same binary (the
	 * kernel re-installs the probes): attach once per pid.
	 */
	if (!e) {
		if (l->nr_engines == l->cap_engines) {
			size_t cap = l->cap_engines ? l->cap_engines * 2 : 16;
			struct engine_links *n = realloc(l->engines, cap * sizeof(*n));

			if (!n)
				return -1;
			l->engines = n;
			l->cap_engines = cap;
		}
		e = &l->engines[l->nr_engines++];
		memset(e, 0, sizeof(*e));
		e->pid = pid;
		for (int k = 0; k < (line ? 3 : 2); k++) {
			e->links[k] = bpf_program__attach_usdt(progs[k], pid, interpreter, "python",
							       names[k], NULL);
			if (!e->links[k]) {
				snprintf(err, errlen,
					 "failed to attach to python:%s in %s (pid %d): %s",
					 names[k], interpreter, pid, errstr(errno));
				engine_release(l, e - l->engines);
				return -1;
			}
		}
	}
	return mark_attached(l, pidfd, err, errlen);
}

void loader_detach_engine(struct loader *l, pid_t pid)
{
	struct engine_links *e = engine_find(l, pid);

	if (!e)
		return;
	e->dead = true;
	if (++l->nr_dead < DEAD_ENGINES_BATCH)
		return;
	for (size_t i = l->nr_engines; i-- > 0;)
		if (l->engines[i].dead)
			engine_release(l, i);
	l->nr_dead = 0;
}

struct ring_buffer *loader_events(struct loader *l, int (*cb)(void *ctx, void *data, size_t len),
				  void *ctx)
{
	return ring_buffer__new(bpf_map__fd(l->skel->maps.events), cb, ctx, NULL);
}

__u64 loader_counter(struct loader *l, unsigned int which)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 sum = 0, *vals;

	if (ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.counters), &which, vals))
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

int loader_trace_modules(struct loader *l, __u32 set, __u64 (*allow)[SECIMPORT_SYSCALL_WORDS],
			 size_t nr_modules)
{
	int fd = bpf_map__fd(l->skel->maps.trace_seen);
	struct secimport_trace_key key, next, *prev = NULL;
	int nr;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (key.set != set || key.module >= nr_modules || key.nr >= SECIMPORT_SYSCALL_BITS)
			continue;
		/* read/write on a socket is allowed by what allows sending (receiving) */
		nr = policy_pseudo_stand_in(syscall_table_native(), key.nr);
		if (nr < 0)
			continue;
		allow[key.module][nr / 64] |= 1ULL << (nr % 64);
	}
	return errno == ENOENT ? 0 : -1;
}

int loader_trace_files(struct loader *l, void (*cb)(void *ctx, const char *path, unsigned int nr),
		       void *ctx)
{
	int fd = bpf_map__fd(l->skel->maps.trace_files);
	struct secimport_trace_file_key key, next, *prev = NULL;
	char path[SECIMPORT_PATH_MAX + 1];
	int nr;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		memcpy(path, key.path, SECIMPORT_PATH_MAX);
		path[SECIMPORT_PATH_MAX] = 0;
		nr = policy_pseudo_stand_in(syscall_table_native(), key.nr);
		if (nr >= 0)
			cb(ctx, path, (unsigned int)nr);
	}
	return errno == ENOENT ? 0 : -1;
}

int loader_map_fd(struct loader *l, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(l->skel->obj, name);

	return m ? bpf_map__fd(m) : -1;
}

int loader_attach_system(struct loader *l, const struct loader_status *st, char *err, size_t errlen)
{
	if (st->lsm_live) {
		l->guard_links[0] = bpf_program__attach(l->skel->progs.secimport_lsm_guard);
		if (!l->guard_links[0]) {
			snprintf(err, errlen,
				 "failed to attach the registration guard (BPF LSM): %s",
				 errstr(errno));
			return -1;
		}
	}
	if (l->unix_connect_type >= 0) {
		int cg = open(l->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (cg >= 0) {
			l->guard_links[1] =
			    bpf_program__attach_cgroup(l->skel->progs.secimport_guard_unix, cg);
			close(cg);
		}
		if (!l->guard_links[1]) {
			snprintf(err, errlen,
				 "failed to attach the registration guard (cgroup connect_unix on "
				 "%s): %s",
				 l->cgroup_root, errstr(errno));
			return -1;
		}
	}
	return 0;
}

bool loader_guard_live(const struct loader *l)
{
	return l->guard_links[0] || l->guard_links[1];
}

/* One pass of the adoption iterator over every task. */
static int adopt_pass(struct loader *l, char *err, size_t errlen)
{
	struct bpf_link *link = bpf_program__attach_iter(l->skel->progs.secimport_adopt, NULL);
	char buf[64];
	int fd, ret = 0;

	if (!link) {
		snprintf(err, errlen, "failed to create the adoption iterator: %s", errstr(errno));
		return -1;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		snprintf(err, errlen, "failed to run the adoption iterator: %s", errstr(errno));
		ret = -1;
	} else {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	bpf_link__destroy(link);
	return ret;
}

int loader_adopt(struct loader *l, const __u32 *tgids, const struct secimport_adopt *a, size_t n,
		 char *err, size_t errlen)
{
	int fd = bpf_map__fd(l->skel->maps.adopt), ret = 0;

	for (size_t i = 0; i < n; i++)
		bpf_map_update_elem(fd, &tgids[i], &a[i], BPF_ANY);
	/* A second pass covers threads started during the first by uncovered ones. */
	for (int pass = 0; pass < 2 && !ret; pass++)
		ret = adopt_pass(l, err, errlen);
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &tgids[i]);
	return ret;
}

static int pin_link(struct bpf_link *link, const char *dir, const char *name, char *err,
		    size_t errlen)
{
	char path[PATH_MAX];

	if (!link)
		return 0;
	snprintf(path, sizeof(path), "%s/links/%s", dir, name);
	if (bpf_link__pin(link, path)) {
		snprintf(err, errlen, "failed to pin %s: %s", path, errstr(errno));
		return -1;
	}
	return 0;
}

int loader_pin(struct loader *l, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX], name[64];
	struct bpf_program *p;
	struct bpf_map *m;

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 (const char *[]){ "maps", "links", "progs" }[i]);
		if (mkdir(path, 0700) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
			return -1;
		}
	}
	bpf_object__for_each_map(m, l->skel->obj)
	{
		if (bpf_map__is_internal(m))
			continue;
		snprintf(path, sizeof(path), "%s/maps/%s", dir, bpf_map__name(m));
		if (bpf_map__pin(m, path)) {
			snprintf(err, errlen, "failed to pin %s: %s", path, errstr(errno));
			return -1;
		}
	}
	/* What covering an interpreter later needs (system_cover.c). */
	struct bpf_program *cover_progs[] = {
		l->skel->progs.secimport_py_runtime_init, l->skel->progs.secimport_adopt,
		l->skel->progs.secimport_code_new,	  l->skel->progs.secimport_interp_new,
		l->skel->progs.secimport_ffi_call,	  l->skel->progs.secimport_marshal_dump,
		l->skel->progs.secimport_marshal_dumped,  l->skel->progs.secimport_marshal_load,
		l->skel->progs.secimport_marshal_loaded
	};

	for (size_t i = 0; i < sizeof(cover_progs) / sizeof(cover_progs[0]); i++) {
		struct bpf_program *p = cover_progs[i];

		snprintf(path, sizeof(path), "%s/progs/%s", dir, bpf_program__name(p));
		if (bpf_program__pin(p, path)) {
			snprintf(err, errlen, "failed to pin %s: %s", path, errstr(errno));
			return -1;
		}
	}
	/* The always-on hooks, by program name. */
	bpf_object__for_each_program(p, l->skel->obj)
	{
		struct bpf_link *link = NULL;

		if (p == l->skel->progs.secimport_sys_enter)
			link = l->skel->links.secimport_sys_enter;
		else if (p == l->skel->progs.secimport_fork)
			link = l->skel->links.secimport_fork;
		else if (p == l->skel->progs.secimport_exec)
			link = l->skel->links.secimport_exec;
		else if (p == l->skel->progs.secimport_exit)
			link = l->skel->links.secimport_exit;
		else if (p == l->skel->progs.secimport_lsm_guard)
			link = l->guard_links[0];
		else if (p == l->skel->progs.secimport_guard_unix)
			link = l->guard_links[1];
		if (pin_link(link, dir, bpf_program__name(p), err, errlen))
			return -1;
	}
	for (size_t i = 0; i < l->nr_deny_links; i++) {
		snprintf(name, sizeof(name), "deny_%zu", i);
		if (pin_link(l->deny_links[i], dir, name, err, errlen))
			return -1;
	}
	for (__u32 i = 0; i < l->nr_interps; i++) {
		snprintf(name, sizeof(name), "runtime_probe_%u", i);
		if (pin_link(l->runtime_probes[i], dir, name, err, errlen))
			return -1;
		snprintf(name, sizeof(name), "code_probe_%u", i);
		if (pin_link(l->code_probes[i], dir, name, err, errlen))
			return -1;
		snprintf(name, sizeof(name), "interp_probe_%u", i);
		if (pin_link(l->interp_probes[i], dir, name, err, errlen))
			return -1;
		snprintf(name, sizeof(name), "ffi_probe_%u", i);
		if (l->ffi_probe_own[i] && pin_link(l->ffi_probe_own[i], dir, name, err, errlen))
			return -1;
		for (int j = 0; j < 4; j++) {
			snprintf(name, sizeof(name), "marshal_probe_%u_%d", i, j);
			if (l->marshal_probes[i][j] &&
			    pin_link(l->marshal_probes[i][j], dir, name, err, errlen))
				return -1;
		}
	}
	if (l->ffi_probe && pin_link(l->ffi_probe, dir, "ffi_probe", err, errlen))
		return -1;
	return 0;
}

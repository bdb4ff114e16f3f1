// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The deny action: the operation is refused (-EPERM) instead of running.
 * The syscall-entry hook decides, as for every action, and arms the thread;
 * these hooks only carry the refusal out, in the kernel path of the
 * syscall: BPF LSM hooks where the kernel has BPF LSM, cgroup socket hooks
 * (inet sockets) everywhere. Cheapest check first; an earlier LSM's refusal
 * stands.
 */
#include "plant.bpf.h"

#ifndef EPERM
#define EPERM 1
#endif

static __always_inline int refused(void)
{
	struct secimport_thread *ts = thread_state(bpf_get_current_task_btf());

	return ts && (ts->flags & SECIMPORT_TS_DENY_ARMED) ? -EPERM : 0;
}

#define DENY_LSM_HOOK(hook, ...)                                 \
	SEC("lsm/" #hook)                                        \
	int BPF_PROG(secimport_lsm_##hook, __VA_ARGS__, int ret) \
	{                                                        \
		if (ret)                                         \
			return ret;                              \
		return refused();                                \
	}

DENY_LSM_HOOK(bprm_check_security, struct linux_binprm *bprm)
DENY_LSM_HOOK(ptrace_access_check, struct task_struct *child, unsigned int mode)
DENY_LSM_HOOK(socket_socketpair, struct socket *a, struct socket *b)
DENY_LSM_HOOK(socket_connect, struct socket *sock, struct sockaddr *addr, int len)
DENY_LSM_HOOK(socket_bind, struct socket *sock, struct sockaddr *addr, int len)
DENY_LSM_HOOK(socket_listen, struct socket *sock, int backlog)
DENY_LSM_HOOK(socket_accept, struct socket *sock, struct socket *newsock)
DENY_LSM_HOOK(socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
DENY_LSM_HOOK(socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags)
DENY_LSM_HOOK(socket_getsockname, struct socket *sock)
DENY_LSM_HOOK(socket_getpeername, struct socket *sock)
DENY_LSM_HOOK(socket_setsockopt, struct socket *sock, int level, int optname)
DENY_LSM_HOOK(socket_getsockopt, struct socket *sock, int level, int optname)
DENY_LSM_HOOK(socket_shutdown, struct socket *sock, int how)
/*
 * The hooks that make or change a file's content or name: a refusal armed
 * at syscall entry (allow_file_write: false), then planting code
 * (plant.bpf.h) and write_paths, judged here on the kernel's dentries.
 * inode_create comes before an O_CREAT open makes the file, file_open and
 * path_truncate before O_TRUNC empties it.
 */
#define FILE_LSM_HOOK(hook, kind_expr, d1, d2, how, ...)          \
	SEC("lsm/" #hook)                                         \
	int BPF_PROG(secimport_lsm_##hook, __VA_ARGS__, int ret)  \
	{                                                         \
		struct secimport_thread *ts;                      \
		struct walk_scratch *s;                           \
                                                                  \
		if (ret)                                          \
			return ret;                               \
		ts = thread_state(bpf_get_current_task_btf());    \
		if (!ts)                                          \
			return 0;                                 \
		if (ts->flags & SECIMPORT_TS_DENY_ARMED)          \
			return -EPERM;                            \
		s = walk_scratch_get();                           \
		if (!s)                                           \
			return -EPERM; /* never: fail closed */   \
		return file_judge(ts, s, kind_expr, d1, d2, how); \
	}

#define FMODE_WRITE_BIT 0x2

/* S_IFBLK or S_IFCHR of a mode, else 0: device nodes are no place to write to. */
static __always_inline __u32 dev_kind(__u32 mode)
{
	__u32 fmt = mode & PLANT_S_IFMT;

	return fmt == PLANT_S_IFBLK || fmt == PLANT_S_IFCHR ? fmt : 0;
}

FILE_LSM_HOOK(file_open,
	      (file->f_mode & FMODE_WRITE_BIT)
		  ? plant_kind(s, file->f_path.dentry) | plant_aliased(file)
		  : PLANT_NONE,
	      (file->f_mode & FMODE_WRITE_BIT) ? file->f_path.dentry : NULL, NULL,
	      dev_kind(BPF_CORE_READ(file, f_inode, i_mode)) == PLANT_S_IFBLK
		  ? WRITE_ANYWHERE_OUTSIDE
		  : 0,
	      struct file *file)
FILE_LSM_HOOK(inode_create, plant_kind(s, dentry), dentry, NULL, 0, struct inode *dir,
	      struct dentry *dentry, umode_t mode)
/* A FIFO or device under a code name blocks or feeds whoever imports it. */
FILE_LSM_HOOK(inode_mknod, plant_kind(s, dentry), dentry, NULL,
	      dev_kind(mode) ? WRITE_ANYWHERE_OUTSIDE : 0, struct inode *dir, struct dentry *dentry,
	      umode_t mode, dev_t dev)
/* Either name: a code file given a second, innocent name is written through it. */
FILE_LSM_HOOK(inode_link, plant_kind(s, new_dentry) | plant_kind(s, old_dentry), new_dentry,
	      old_dentry, 0, struct dentry *old_dentry, struct inode *dir,
	      struct dentry *new_dentry)
FILE_LSM_HOOK(inode_symlink, plant_kind(s, dentry), dentry, NULL, 0, struct inode *dir,
	      struct dentry *dentry, const char *old_name)
/* Either name (RENAME_EXCHANGE swaps them). */
FILE_LSM_HOOK(inode_rename, plant_kind(s, new_dentry) | plant_kind(s, old_dentry), new_dentry,
	      old_dentry, 0, struct inode *old_dir, struct dentry *old_dentry,
	      struct inode *new_dir, struct dentry *new_dentry)
FILE_LSM_HOOK(inode_unlink, PLANT_NONE, dentry, NULL, 0, struct inode *dir, struct dentry *dentry)
FILE_LSM_HOOK(inode_mkdir, PLANT_NONE, dentry, NULL, 0, struct inode *dir, struct dentry *dentry,
	      umode_t mode)
FILE_LSM_HOOK(inode_rmdir, PLANT_NONE, dentry, NULL, 0, struct inode *dir, struct dentry *dentry)
/*
 * Truncating (truncate, O_TRUNC, ftruncate before 6.2), modes and owners,
 * by path: CONFIG_SECURITY_PATH's hooks (Debian's and Ubuntu's kernels;
 * attached where the kernel has them). Emptying a code file is planting
 * too: what imports it runs nothing.
 */
FILE_LSM_HOOK(path_truncate, plant_kind(s, BPF_CORE_READ(path, dentry)),
	      BPF_CORE_READ(path, dentry), NULL, 0, const struct path *path)
FILE_LSM_HOOK(path_chmod, PLANT_NONE, BPF_CORE_READ(path, dentry), NULL, WRITE_AT_SELF,
	      const struct path *path, umode_t mode)
FILE_LSM_HOOK(path_chown, PLANT_NONE, BPF_CORE_READ(path, dentry), NULL, WRITE_AT_SELF,
	      const struct path *path, unsigned int uid, unsigned int gid)

SEC("lsm/socket_create")
int BPF_PROG(secimport_lsm_socket_create, int family, int type, int protocol, int kern, int ret)
{
	if (ret)
		return ret;
	return kern ? 0 : refused();
}

/*
 * Process creation: judged here on the real clone flags, not on what
 * clone3's user memory said at syscall entry.
 */
SEC("lsm/task_alloc")
int BPF_PROG(secimport_lsm_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct secimport_thread *ts;
	struct verdict v = {};
	__u32 evflags = 0, nr;

	if (ret)
		return ret;
	ts = thread_state(bpf_get_current_task_btf());
	if (!ts)
		return 0;
	if (ts->flags & SECIMPORT_TS_DENY_ARMED)
		return -EPERM;
	v.mask = effective_mask(ts, &evflags);
	for (int i = 0; i < SECIMPORT_XSETS; i++)
		v.xmask[i] = extra_mask(ts, i);
	if (!verdict_confined(&v))
		return 0;
	nr = (clone_flags & CLONE_THREAD) ? SECIMPORT_NR_THREAD_CREATE : NR_CLONE;
	if (judge(ts, nr, &v) && (v.action & SECIMPORT_ACT_DENY))
		return -EPERM;
	return 0;
}

static __always_inline int cgroup_verdict(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	/* 1: let it through; 0: -EPERM */
	return bpf_map_lookup_elem(&deny_armed, &tid) ? 0 : 1;
}

SEC("cgroup/sock_create")
int secimport_cg_sock_create(struct bpf_sock *ctx)
{
	return cgroup_verdict();
}

SEC("cgroup/connect4")
int secimport_cg_connect4(struct bpf_sock_addr *ctx)
{
	return cgroup_verdict();
}

SEC("cgroup/connect6")
int secimport_cg_connect6(struct bpf_sock_addr *ctx)
{
	return cgroup_verdict();
}

SEC("cgroup/sendmsg4")
int secimport_cg_sendmsg4(struct bpf_sock_addr *ctx)
{
	return cgroup_verdict();
}

SEC("cgroup/sendmsg6")
int secimport_cg_sendmsg6(struct bpf_sock_addr *ctx)
{
	return cgroup_verdict();
}

SEC("cgroup/bind4")
int secimport_cg_bind4(struct bpf_sock_addr *ctx)
{
	return cgroup_verdict();
}

SEC("cgroup/bind6")
int secimport_cg_bind6(struct bpf_sock_addr *ctx)
{
	return cgroup_verdict();
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * I/O through a file descriptor, judged by what the descriptor is. read(2)
 * on a socket the application opened (not a UNIX one) receives from the
 * network; write(2) on /proc/PID/mem rewrites a process's memory. The fd
 * arguments are registers, and the file they name is read from the
 * kernel's own fd table, not from memory the program controls. Another
 * thread can still replace the descriptor (dup2) between this look and the
 * kernel's: a race against the check, which BPF LSM's socket and file
 * hooks do not have (DESIGN.md, known limits). Such a syscall is judged as
 * a pseudo syscall of its own (SECIMPORT_NR_SOCKET_SEND, _RECV, _PROC_MEM);
 * so is an open whose flags (a register too) write (SECIMPORT_NR_FILE_WRITE).
 * Any other keeps its number.
 */
#ifndef SECIMPORT_FDIO_BPF_H
#define SECIMPORT_FDIO_BPF_H

#include "state.bpf.h"

#define FDIO_S_IFMT 00170000
#define FDIO_S_IFSOCK 0140000
#define FDIO_PROC_SUPER_MAGIC 0x9fa0
#define FDIO_AF_UNIX 1
/* open flags that write: O_WRONLY, O_RDWR, O_CREAT, O_TRUNC (O_TMPFILE needs a write mode) */
#define FDIO_O_WRITES (01 | 02 | 0100 | 01000)

/* How a syscall uses its fd arguments (0: not an fd argument). */
#define FDIO_RECV 1 /* reads from it */
#define FDIO_SEND 2 /* writes to it */
#define FDIO_MOVE 3 /* positions or copies it: matters for process memory only */

#if defined(__TARGET_ARCH_x86)
#define NR_READ 0
#define NR_WRITE 1
#define NR_LSEEK 8
#define NR_PREAD64 17
#define NR_PWRITE64 18
#define NR_READV 19
#define NR_WRITEV 20
#define NR_DUP 32
#define NR_DUP2 33
#define NR_SENDFILE 40
#define NR_FCNTL 72
#define NR_SPLICE 275
#define NR_DUP3 292
#define NR_PREADV 295
#define NR_PWRITEV 296
#define NR_COPY_FILE_RANGE 326
#define NR_PREADV2 327
#define NR_PWRITEV2 328
#define NR_IOCTL 16
#define NR_OPEN 2
#define NR_OPENAT 257
#elif defined(__TARGET_ARCH_arm64)
#define NR_READ 63
#define NR_WRITE 64
#define NR_LSEEK 62
#define NR_PREAD64 67
#define NR_PWRITE64 68
#define NR_READV 65
#define NR_WRITEV 66
#define NR_DUP 23
#define NR_DUP2 (-1) /* arm64 has only dup3 */
#define NR_SENDFILE 71
#define NR_FCNTL 25
#define NR_SPLICE 76
#define NR_DUP3 24
#define NR_PREADV 69
#define NR_PWRITEV 70
#define NR_COPY_FILE_RANGE 285
#define NR_PREADV2 286
#define NR_PWRITEV2 287
#define NR_IOCTL 29
#define NR_OPEN (-2) /* arm64 has only openat; not NR_DUP2's -1: case labels */
#define NR_OPENAT 56
#endif
#define FDIO_TIOCSTI 0x5412
/* ioctls that change a file through a descriptor opened for reading (chattr, reflinks) */
#define FDIO_FS_IOC_SETFLAGS 0x40086602
#define FDIO_FS_IOC32_SETFLAGS 0x40046602
#define FDIO_FS_IOC_FSSETXATTR 0x401c5820
#define FDIO_FICLONE 0x40049409
#define FDIO_FICLONERANGE 0x4020940d
#define FDIO_FIDEDUPERANGE 0xc0189436

/*
 * The file operations of a socket and of procfs's "mem", learned from the
 * loader's own descriptors (fdio_learn): one pointer then tells a file's
 * kind, instead of a walk through its inode. 0 until learned; the slow
 * path decides meanwhile.
 */
#define FDIO_FOP_SOCKET 0
#define FDIO_FOP_PROC_MEM 1
SECIMPORT_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} fdio_fops SEC(".maps");

/*
 * The file of descriptor @fd of @task, or NULL. The kernel takes an fd
 * argument as an unsigned int: the register's upper half is not the fd's.
 */
static __always_inline struct file *fdio_file(struct task_struct *task, __u32 fd)
{
	/* Trusted pointers from the current task: plain loads, no helper calls. */
	struct files_struct *files = task->files;
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = NULL;

	if (!files)
		return NULL;
	fdt = files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return NULL;
	fds = (struct file **)fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

/* procfs's "mem" (/proc/PID/mem, /proc/PID/task/TID/mem): the only "mem" in procfs. */
static __always_inline bool fdio_is_proc_mem(struct file *f, struct inode *inode)
{
	const unsigned char *name;
	char buf[4] = {};

	if (BPF_CORE_READ(inode, i_sb, s_magic) != FDIO_PROC_SUPER_MAGIC)
		return false;
	name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel(buf, sizeof(buf), name))
		return false;
	return buf[0] == 'm' && buf[1] == 'e' && buf[2] == 'm' && buf[3] == 0;
}

/*
 * The pseudo syscall descriptor @fd makes of a syscall that uses it @how,
 * or 0 when the descriptor is an ordinary one.
 */
static __always_inline __u32 fdio_judge_fd(struct task_struct *task, __u32 fd, int how)
{
	__u32 k_sock = FDIO_FOP_SOCKET, k_mem = FDIO_FOP_PROC_MEM;
	struct file *f = fdio_file(task, fd);
	__u64 *sock_fop, *mem_fop, fop;
	struct inode *inode;
	struct socket *sock;

	if (!f)
		return 0;
	sock_fop = bpf_map_lookup_elem(&fdio_fops, &k_sock);
	mem_fop = bpf_map_lookup_elem(&fdio_fops, &k_mem);
	if (sock_fop && mem_fop && *sock_fop && *mem_fop) {
		/* The fast path: the file's kind from its operations alone. */
		fop = (__u64)BPF_CORE_READ(f, f_op);
		if (fop == *mem_fop)
			return SECIMPORT_NR_PROC_MEM;
		if (fop != *sock_fop)
			return 0;
	} else {
		inode = BPF_CORE_READ(f, f_inode);
		if ((BPF_CORE_READ(inode, i_mode) & FDIO_S_IFMT) != FDIO_S_IFSOCK)
			return fdio_is_proc_mem(f, inode) ? SECIMPORT_NR_PROC_MEM : 0;
	}
	/*
	 * A UNIX socket is not the network: stdout under systemd's journal,
	 * multiprocessing.Pipe, asyncio's wakeup socketpair. (Connecting one
	 * is still refused: connect is in the group.)
	 */
	sock = BPF_CORE_READ(f, private_data);
	if (BPF_CORE_READ(sock, sk, __sk_common.skc_family) == FDIO_AF_UNIX)
		return 0;
	if (how == FDIO_SEND)
		return SECIMPORT_NR_SOCKET_SEND;
	if (how == FDIO_RECV)
		return SECIMPORT_NR_SOCKET_RECV;
	return 0;
}

/*
 * The loader calls fcntl(F_GETFD) on a TCP socket and on its own
 * /proc/self/mem right after attaching: learn their file operations (once;
 * only from the loader, whose descriptors are what they say). The kinds
 * are checked the slow way first.
 */
static __always_inline void fdio_learn(struct task_struct *task, struct pt_regs *regs)
{
	struct file *f = fdio_file(task, (__u32)PT_REGS_PARM1_CORE_SYSCALL(regs));
	struct inode *inode;
	__u64 fop, *slot;
	__u32 k;

	if (!f)
		return;
	inode = BPF_CORE_READ(f, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & FDIO_S_IFMT) == FDIO_S_IFSOCK)
		k = FDIO_FOP_SOCKET;
	else if (fdio_is_proc_mem(f, inode))
		k = FDIO_FOP_PROC_MEM;
	else
		return;
	fop = (__u64)BPF_CORE_READ(f, f_op);
	slot = bpf_map_lookup_elem(&fdio_fops, &k);
	if (slot && !*slot)
		*slot = fop;
}

/*
 * The pseudo syscall that fd arguments @a0, @a1, @a2 make of syscall @id,
 * or @id. A global function: the verifier checks it once, on its own,
 * instead of inside every path of the syscall hook (which the 6.1
 * verifier's complexity limit would not take in a loaded system).
 */
#ifndef SECIMPORT_DEFINE_MAPS /* maps.bpf.c takes only the map */
__noinline __u32 fdio_judge_args(long id, __u64 a0, __u64 a1, __u64 a2)
{
	struct task_struct *task = bpf_get_current_task_btf();
	int how0 = 0, how1 = 0, how2 = 0;
	__u32 nr0 = 0, nr1 = 0, nr2 = 0;

	switch (id) {
	case NR_OPEN: /* (path, flags, mode) */
		return a1 & FDIO_O_WRITES ? SECIMPORT_NR_FILE_WRITE : (__u32)id;
	case NR_OPENAT: /* (dirfd, path, flags, mode) */
		return a2 & FDIO_O_WRITES ? SECIMPORT_NR_FILE_WRITE : (__u32)id;
	case NR_IOCTL:
		/* the kernel takes the request as an unsigned int */
		switch ((__u32)a1) {
		case FDIO_TIOCSTI:
			return SECIMPORT_NR_TERMINAL_INPUT;
		case FDIO_FS_IOC_SETFLAGS:
		case FDIO_FS_IOC32_SETFLAGS:
		case FDIO_FS_IOC_FSSETXATTR:
		case FDIO_FICLONE:
		case FDIO_FICLONERANGE:
		case FDIO_FIDEDUPERANGE:
			/* no file hook sees where: refused to modules with write_paths too */
			return SECIMPORT_NR_WRITE_OUTSIDE;
		}
		return (__u32)id;
	case NR_READ:
	case NR_READV:
	case NR_PREAD64:
	case NR_PREADV:
	case NR_PREADV2:
		how0 = FDIO_RECV;
		break;
	case NR_WRITE:
	case NR_WRITEV:
	case NR_PWRITE64:
	case NR_PWRITEV:
	case NR_PWRITEV2:
		how0 = FDIO_SEND;
		break;
	case NR_LSEEK:
	case NR_DUP:
	case NR_DUP2:
	case NR_DUP3:
	case NR_FCNTL:
		how0 = FDIO_MOVE;
		break;
	case NR_SENDFILE: /* (out_fd, in_fd, ...) */
		how0 = FDIO_SEND;
		how1 = FDIO_RECV;
		break;
	case NR_SPLICE: /* (fd_in, off_in, fd_out, ...) */
	case NR_COPY_FILE_RANGE:
		how0 = FDIO_RECV;
		how2 = FDIO_SEND;
		break;
	default:
		return (__u32)id;
	}
	if (how0)
		nr0 = fdio_judge_fd(task, (__u32)a0, how0);
	if (how1)
		nr1 = fdio_judge_fd(task, (__u32)a1, how1);
	if (how2)
		nr2 = fdio_judge_fd(task, (__u32)a2, how2);
	/* Process memory first: it is refused to every confined module. */
	if (nr0 == SECIMPORT_NR_PROC_MEM || nr1 == SECIMPORT_NR_PROC_MEM ||
	    nr2 == SECIMPORT_NR_PROC_MEM)
		return SECIMPORT_NR_PROC_MEM;
	if (nr0)
		return nr0;
	if (nr1)
		return nr1;
	return nr2 ? nr2 : (__u32)id;
}

/* Does syscall @id take an fd (or a terminal request) worth a look? */
static __always_inline bool fdio_syscall(long id)
{
	switch (id) {
	case NR_OPEN:
	case NR_OPENAT:
	case NR_IOCTL:
	case NR_READ:
	case NR_READV:
	case NR_PREAD64:
	case NR_PREADV:
	case NR_PREADV2:
	case NR_WRITE:
	case NR_WRITEV:
	case NR_PWRITE64:
	case NR_PWRITEV:
	case NR_PWRITEV2:
	case NR_LSEEK:
	case NR_DUP:
	case NR_DUP2:
	case NR_DUP3:
	case NR_FCNTL:
	case NR_SENDFILE:
	case NR_SPLICE:
	case NR_COPY_FILE_RANGE:
		return true;
	}
	return false;
}

/*
 * The number syscall @id is judged by, given its fd arguments: a pseudo
 * syscall for I/O on a socket or on a process's memory, else @id.
 */
static __always_inline __u32 fdio_policy_nr(struct task_struct *task, struct pt_regs *regs, long id)
{
	if (!fdio_syscall(id))
		return (__u32)id;
	return fdio_judge_args(id, PT_REGS_PARM1_CORE_SYSCALL(regs),
			       PT_REGS_PARM2_CORE_SYSCALL(regs), PT_REGS_PARM3_CORE_SYSCALL(regs));
}
#endif /* !SECIMPORT_DEFINE_MAPS */

#endif /* SECIMPORT_FDIO_BPF_H */

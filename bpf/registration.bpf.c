// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The registration path's guard. secure_import() registers a module over a
 * UNIX socket connection to the broker; the broker must know who connected
 * and whether a confined module was on that thread's stack. The syscall
 * entry hook walks the stack at every connect of a covered thread and
 * leaves the verdict by tid (guard_tids); these hooks, on the kernel's path
 * of a UNIX connect and so on the kernel's copy of its arguments, move the
 * verdict onto the connecting socket. The client hands that socket to the
 * broker, which checks it is the other end of its connection and reads it.
 *
 * Two hooks, for two kinds of kernel: cgroup connect_unix (Linux 6.7+) and
 * the BPF LSM socket_connect hook. The loader attaches what the kernel has.
 */
#include "state.bpf.h"

#define AF_UNIX 1
/*
 * A verdict is for the connect that made it, microseconds earlier; the next
 * syscall of the thread deletes it, and its age is checked all the same.
 */
#define GUARD_MAX_AGE_NS 1000000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct secimport_peer);
} peers SEC(".maps");

static __always_inline void stamp(struct secimport_peer *peer)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct secimport_guard *g = bpf_map_lookup_elem(&guard_tids, &tid);

	peer->tgid = id >> 32;
	peer->covered = 0;
	peer->confined = 1;
	if (!g)
		return;
	if (g->tgid == peer->tgid && bpf_ktime_get_ns() - g->ts_ns < GUARD_MAX_AGE_NS) {
		peer->covered = 1;
		peer->confined = g->confined;
	}
	bpf_map_delete_elem(&guard_tids, &tid);
}

/* Loaded as cgroup/connect_unix: libbpf may not know that section name. */
SEC("cgroup/connect4")
int secimport_guard_unix(struct bpf_sock_addr *ctx)
{
	struct secimport_peer *peer;

	if (!ctx->sk)
		return 1;
	peer = bpf_sk_storage_get(&peers, ctx->sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (peer)
		stamp(peer);
	return 1;
}

SEC("lsm/socket_connect")
int BPF_PROG(secimport_lsm_guard, struct socket *sock, struct sockaddr *addr, int len, int ret)
{
	struct secimport_peer *peer;
	struct sock *sk = sock->sk;

	if (ret || !sk || sk->__sk_common.skc_family != AF_UNIX)
		return ret;
	peer = bpf_sk_storage_get(&peers, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (peer)
		stamp(peer);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The registration path's guard. secure_import() registers a module by
 * connecting to the broker's UNIX socket; the broker must know who connected
 * and whether a confined module was on that thread's stack. The syscall
 * entry hook walks the stack at every connect of a covered thread
 * (ts->guard_confined); this hook, on the kernel's path of a UNIX stream
 * connect, copies that verdict onto the broker's end of the new connection,
 * where the broker reads it with the accepted socket.
 */
#include "state.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct secimport_peer);
} peers SEC(".maps");

SEC("fentry/security_unix_stream_connect")
int BPF_PROG(secimport_unix_connect, struct sock *sock, struct sock *other, struct sock *newsk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct secimport_thread *ts = thread_state(task);
	struct secimport_peer *peer;

	peer = bpf_sk_storage_get(&peers, newsk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (!peer)
		return 0; /* the broker finds no record and refuses */
	peer->tgid = task->tgid;
	peer->covered = ts && (ts->flags & SECIMPORT_TS_SYSTEM) && ts->py_runtime;
	/* Not walked at this connect (not covered): count as confined. */
	peer->confined = ts ? ts->guard_confined : 1;
	peer->set = ts ? ts->pset : 0;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A BPF LSM probe for the test VM (tests/vm/run.sh): file_open refuses, with
 * EPERM, files named "secimport-lsm-deny" opened by one process; an fentry
 * program counts that process's unlinkat calls. Both need BPF trampolines.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid;
__u64 lsm_calls, lsm_denied, fentry_calls;

static const char deny_name[] = "secimport-lsm-deny";

SEC("lsm/file_open")
int BPF_PROG(check_file_open, struct file *file)
{
	char name[sizeof(deny_name)];
	unsigned int i;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	__sync_fetch_and_add(&lsm_calls, 1);
	if (bpf_probe_read_kernel_str(name, sizeof(name), file->f_path.dentry->d_name.name) !=
	    sizeof(deny_name))
		return 0;
	for (i = 0; i < sizeof(deny_name); i++)
		if (name[i] != deny_name[i])
			return 0;
	__sync_fetch_and_add(&lsm_denied, 1);
	return -EPERM;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(count_unlinkat)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&fentry_calls, 1);
	return 0;
}

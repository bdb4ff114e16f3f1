// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The one definition of the shared maps; the other objects declare them extern. */
#define SECIMPORT_DEFINE_MAPS
#include "stackwalk.bpf.h"
#include "fdio.bpf.h"

/* Loaded system: module names of every set, for events, status and apply. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct secimport_module_name);
} module_names SEC(".maps");

/* Loaded system: what is loaded, by which version, covering what. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct secimport_system_info);
} system_info SEC(".maps");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

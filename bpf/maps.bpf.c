// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The one definition of the shared maps; the other objects declare them extern. */
#define SECIMPORT_DEFINE_MAPS
#include "stackwalk.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

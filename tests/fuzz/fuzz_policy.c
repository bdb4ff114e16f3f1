// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer harness for the policy parser:
 *   clang -fsanitize=fuzzer,address,undefined -I bpf -I user -I .output \
 *     tests/fuzz/fuzz_policy.c user/policy.c user/syscall_table.c -lyaml
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the architecture so both tables get exercised. */
	const char *arch = size && (data[0] & 1) ? "aarch64" : "x86_64";
	struct policy_diag diag;
	struct policy p;

	if (policy_parse_buffer(&p, "fuzz.yaml", data, size, syscall_table_for_arch(arch), &diag)) {
		/* Errors must leave a terminated message and nothing to free. */
		if (!memchr(diag.msg, '\0', sizeof(diag.msg)) || p.source || p.modules)
			__builtin_trap();
		return 0;
	}
	if (!p.source || (p.nr_modules && !p.modules) || !p.process_default.action)
		__builtin_trap();
	for (size_t i = 0; i < p.nr_modules; i++) {
		if (!p.modules[i].name || !p.modules[i].action || !p.modules[i].line)
			__builtin_trap();
	}
	policy_override_action(&p, SECIMPORT_ACT_LOG);
	policy_free(&p);
	return 0;
}

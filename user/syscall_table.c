// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Syscall tables per architecture, over the generated name arrays. */
#include <stddef.h>
#include <string.h>

#include "secimport.h"
#include "syscall_table.h"

/* x86_64_names[] and aarch64_names[], from scripts/gen_syscall_table.sh. */
#include "syscall_names.c"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct syscall_table tables[] = {
	{ .arch = "x86_64", .names = x86_64_names, .nr_count = ARRAY_SIZE(x86_64_names) },
	{ .arch = "aarch64", .names = aarch64_names, .nr_count = ARRAY_SIZE(aarch64_names) },
};

/* Other spellings of the same ABIs (Debian and Go names). */
static const struct {
	const char *alias;
	const char *arch;
} aliases[] = {
	{ "amd64", "x86_64" },
	{ "arm64", "aarch64" },
};

const struct syscall_table *syscall_table_for_arch(const char *arch)
{
	size_t i;

	if (!arch)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (!strcmp(arch, aliases[i].alias)) {
			arch = aliases[i].arch;
			break;
		}
	}
	for (i = 0; i < ARRAY_SIZE(tables); i++) {
		if (!strcmp(arch, tables[i].arch))
			return &tables[i];
	}
	return NULL;
}

const struct syscall_table *syscall_table_native(void)
{
#if defined(__x86_64__)
	return &tables[0];
#elif defined(__aarch64__)
	return &tables[1];
#else
#error "secimport supports x86_64 and aarch64 only"
#endif
}

/* A linear scan: ~450 short names, looked up only while loading policies. */
int syscall_lookup(const struct syscall_table *t, const char *name)
{
	unsigned int nr;

	if (!t || !name)
		return -1;
	for (nr = 0; nr < t->nr_count; nr++) {
		if (t->names[nr] && !strcmp(t->names[nr], name))
			return (int)nr;
	}
	return -1;
}

const char *syscall_pseudo_name(int nr)
{
	switch (nr) {
	case SECIMPORT_NR_THREAD_CREATE:
		return "<thread creation>";
	case SECIMPORT_NR_SOCKET_SEND:
		return "<socket send>";
	case SECIMPORT_NR_SOCKET_RECV:
		return "<socket receive>";
	case SECIMPORT_NR_PROC_MEM:
		return "<process memory>";
	case SECIMPORT_NR_CTYPES:
		return "<ctypes>";
	case SECIMPORT_NR_FILE_WRITE:
		return "<file write>";
	case SECIMPORT_NR_CODE_WRITE:
		return "<code write>";
	case SECIMPORT_NR_THREAD_NAME:
		return "<thread name>";
	case SECIMPORT_NR_WRITE_OUTSIDE:
		return "<write outside write_paths>";
	case SECIMPORT_NR_TERMINAL_INPUT:
		return "<terminal input>";
	}
	return NULL;
}

const char *syscall_name(const struct syscall_table *t, int nr)
{
	if (!t || nr < 0 || (unsigned int)nr >= t->nr_count)
		return NULL;
	return t->names[nr];
}

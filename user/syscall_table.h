/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Syscall names and numbers per architecture, generated from kernel headers. */
#ifndef SECIMPORT_SYSCALL_TABLE_H
#define SECIMPORT_SYSCALL_TABLE_H

struct syscall_table {
	const char *arch; /* "x86_64", "aarch64" */
	const char *const *names; /* names[nr], NULL where no syscall has that number */
	unsigned int nr_count; /* entries in names[] */
};

/* The table of @arch, or NULL when the architecture is not supported. */
const struct syscall_table *syscall_table_for_arch(const char *arch);
/* The table of the architecture this binary was built for. */
const struct syscall_table *syscall_table_native(void);
/* Number of syscall @name, or -1 when @t has no such syscall. */
int syscall_lookup(const struct syscall_table *t, const char *name);
/* Name of syscall @nr, or NULL. */
const char *syscall_name(const struct syscall_table *t, int nr);
/* "<thread creation>", "<socket send>", ... for a pseudo syscall; NULL otherwise. */
const char *syscall_pseudo_name(int nr);

#endif

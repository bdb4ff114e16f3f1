/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Messages and small helpers shared by the commands. */
#ifndef SECIMPORT_UTIL_H
#define SECIMPORT_UTIL_H

#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses of every command. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

extern bool verbose;

/* "secimport-bpf: <message>" on stderr. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with --verbose. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write @s with control bytes, quotes and backslashes escaped for JSON. */
void json_write_string(FILE *f, const char *s);
/* Write @s for a one-line text record: non-printable bytes as \xNN. */
void text_write_safe(FILE *f, const char *s);

/* Write all @len bytes of @buf to @fd, retrying short writes; -errno on error. */
int write_all(int fd, const void *buf, size_t len);

/* Is @pid a live (not zombie) process whose name starts with @comm? */
bool process_alive_as(pid_t pid, const char *comm);

/* Free *ptr; for __attribute__((cleanup)). */
void freep(void *ptr);
#define _cleanup_free_ __attribute__((cleanup(freep)))

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

bool verbose;

/* One message, one write(2), so the confined program's output cannot split it. */
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char line[4096];
	int n = snprintf(line, sizeof(line), "secimport-bpf: %s", prefix);

	if (n >= 0 && (size_t)n < sizeof(line) - 1)
		n += vsnprintf(line + n, sizeof(line) - 1 - n, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2; /* truncated, still one line */
	line[n++] = '\n';
	fflush(stderr);
	write_all(STDERR_FILENO, line, (size_t)n);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

/* Paths and comm names come from the confined program: escape everything. */
void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* Non-ASCII bytes are escaped too: they may not be UTF-8. */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void text_write_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

void freep(void *ptr)
{
	free(*(void **)ptr);
}

bool process_alive_as(pid_t pid, const char *comm)
{
	char path[64], buf[512], *end;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "re")))
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "pid (comm) S ...": comm may hold spaces and parentheses. */
	end = strrchr(buf, ')');
	if (!end || end[1] != ' ' || end[2] == 'Z' || end[2] == 'X')
		return false;
	*end = 0;
	return strchr(buf, '(') && !strncmp(strchr(buf, '(') + 1, comm, strlen(comm));
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The same syscall loop in C, without an interpreter: what the syscall hook
 * alone costs a process.
 *
 *   syscall_loop MODE N
 *
 * MODE is getpid (one syscall per iteration), openclose (open /dev/null and
 * close it: two), socket (an AF_INET stream socket, closed: two) or
 * socket-refused (socket() must fail with EPERM, as a deny policy makes it:
 * one). Prints the seconds one iteration took (the mean of N) and exits 0;
 * exits 1 as soon as a syscall does not do what the mode expects, 2 on a bad
 * command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum mode { GETPID, OPENCLOSE, SOCKET, SOCKET_REFUSED };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int one(enum mode mode)
{
	int fd;

	switch (mode) {
	case GETPID:
		/* syscall(): never a cached or vDSO answer. */
		return syscall(SYS_getpid) > 0 ? 0 : -1;
	case OPENCLOSE:
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		break;
	case SOCKET:
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		break;
	case SOCKET_REFUSED:
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			close(fd);
			errno = 0;
			return -1;
		}
		return errno == EPERM ? 0 : -1;
	default:
		return -1;
	}
	if (fd < 0)
		return -1;
	return close(fd);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "getpid", "openclose", "socket", "socket-refused" };
	enum mode mode = GETPID;
	char *end;
	long n;
	size_t i;

	if (argc != 3)
		goto usage;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(argv[1], names[i]))
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		goto usage;
	mode = (enum mode)i;
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno || *end || n <= 0)
		goto usage;

	/* Warm up: first-touch page faults and lazy binding stay out. */
	for (long k = 0; k < 100; k++)
		if (one(mode))
			goto fail;
	double t0 = now();

	for (long k = 0; k < n; k++)
		if (one(mode))
			goto fail;
	printf("%.12f\n", (now() - t0) / n);
	return 0;
fail:
	fprintf(stderr, "syscall_loop: %s: %s\n", argv[1],
		errno ? strerror(errno) : "succeeded, but should have been refused");
	return 1;
usage:
	fprintf(stderr, "usage: syscall_loop getpid|openclose|socket|socket-refused N\n");
	return 2;
}

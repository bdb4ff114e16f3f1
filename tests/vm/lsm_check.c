// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Loads lsm_check.bpf.c and checks that it works: opening
 * /tmp/secimport-lsm-deny fails with EPERM while attached, other files open,
 * the fentry program counts an unlink. Prints one line per finding; exits 0
 * if everything worked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "lsm_check.skel.h"

static char verifier_log[65536];

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stdout, fmt, ap);
}

static int try_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CREAT, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int main(void)
{
	struct lsm_check *skel;
	struct bpf_link *lsm, *fentry;
	int err, denied, allowed, ok = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);
	/* Created before attaching, so that the denied open is the LSM's doing. */
	if (try_open("/tmp/secimport-lsm-deny") || try_open("/tmp/secimport-lsm-allow")) {
		printf("cannot create the test files: %s\n", strerror(errno));
		return 1;
	}
	skel = lsm_check__open();
	if (!skel) {
		printf("open failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->target_tgid = getpid();
	bpf_program__set_log_buf(skel->progs.check_file_open, verifier_log, sizeof(verifier_log));
	err = lsm_check__load(skel);
	if (err) {
		printf("BPF_PROG_LOAD of lsm/file_open + fentry/do_unlinkat failed: %s\n",
		       strerror(-err));
		printf("verifier log: %.2000s\n", verifier_log);
		return 1;
	}
	printf("lsm/file_open and fentry/do_unlinkat loaded\n");

	lsm = bpf_program__attach(skel->progs.check_file_open);
	if (!lsm) {
		printf("attaching lsm/file_open failed: %s\n", strerror(errno));
		ok = 0;
	} else {
		denied = try_open("/tmp/secimport-lsm-deny");
		allowed = try_open("/tmp/secimport-lsm-allow");
		printf("lsm/file_open attached: open(secimport-lsm-deny) = %s, "
		       "open(secimport-lsm-allow) = %s, "
		       "calls %llu, denied %llu\n",
		       denied ? strerror(-denied) : "ok", allowed ? strerror(-allowed) : "ok",
		       (unsigned long long)skel->bss->lsm_calls,
		       (unsigned long long)skel->bss->lsm_denied);
		if (denied != -EPERM || allowed != 0)
			ok = 0;
		bpf_link__destroy(lsm);
		err = try_open("/tmp/secimport-lsm-deny");
		printf("lsm/file_open detached: open(secimport-lsm-deny) = %s\n",
		       err ? strerror(-err) : "ok");
		if (err)
			ok = 0;
	}

	fentry = bpf_program__attach(skel->progs.count_unlinkat);
	if (!fentry) {
		printf("attaching fentry/do_unlinkat failed: %s\n", strerror(errno));
		ok = 0;
	} else {
		unlink("/tmp/secimport-lsm-allow");
		unlink("/tmp/secimport-lsm-no-such-file");
		printf("fentry/do_unlinkat attached: %llu calls counted (expected 2)\n",
		       (unsigned long long)skel->bss->fentry_calls);
		if (skel->bss->fentry_calls != 2)
			ok = 0;
		bpf_link__destroy(fentry);
	}
	lsm_check__destroy(skel);
	printf("%s\n", ok ? "BPF LSM works: PASS" : "FAIL");
	return ok ? 0 : 1;
}

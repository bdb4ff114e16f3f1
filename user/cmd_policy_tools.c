// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* secimport-bpf policy merge / import-secimport: policies in, one policy out. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import_secimport.h"
#include "policy.h"
#include "policy_tools.h"
#include "policy_writer.h"
#include "util.h"

static void merge_usage(FILE *f)
{
	fprintf(f, "Usage: secimport-bpf policy merge FILE... [-o OUT]\n"
		   "\n"
		   "Write one policy that allows what any FILE allows: for coverage across\n"
		   "several traced runs. A module in several files gets every syscall any of\n"
		   "them allowed it, and the strictest action; a module without a syscalls\n"
		   "list in one file has none in the result (allow_shell / allow_networking\n"
		   "are then true if any file allowed a syscall of that group). process_default\n"
		   "is kept only if every file has one. With one FILE, it is rewritten in the\n"
		   "form trace writes.\n"
		   "\n"
		   "Options:\n"
		   "  -o, --output OUT   write to OUT (replaced whole) instead of stdout\n"
		   "  -h, --help         this help\n");
}

static void import_usage(FILE *f)
{
	fprintf(f, "Usage: secimport-bpf policy import-secimport FILE [-o OUT]\n"
		   "\n"
		   "Convert a YAML policy of the original secimport (modules with destructive\n"
		   "and syscall_allowlist) into a secimport-bpf policy:\n"
		   "  - each module gets a strict syscalls list; a path stays a path, and\n"
		   "    '<frozen NAME>' becomes the import name NAME;\n"
		   "  - destructive: true becomes action kill, false becomes action log;\n"
		   "  - general_requirements is added to every module's list, and so is\n"
		   "    the interpreter baseline, as to any syscalls list.\n"
		   "Unlike the original, code outside the listed modules is not confined, and\n"
		   "a module's callees are. Check the result with 'secimport-bpf policy check'\n"
		   "and try it with 'run --action log' first.\n"
		   "\n"
		   "Options:\n"
		   "  -o, --output OUT   write to OUT (replaced whole) instead of stdout\n"
		   "  -h, --help         this help\n");
}

/*
 * Write @p to @out ("-" or NULL: stdout). A file is written beside OUT and
 * renamed over it, so that OUT may be one of the inputs and a failure
 * leaves no half-written policy.
 */
static int emit(const struct policy *p, const char *const *header, size_t nr_header,
		const char *out)
{
	struct policy_write_opts opts = { .header = header, .nr_header = nr_header };
	char err[512], *tmp = NULL;
	mode_t mask;
	FILE *f;
	int fd;

	if (policy_write_check(p, err, sizeof(err))) {
		p_err("cannot write the policy: %s", err);
		return EXIT_USAGE;
	}
	if (!out || !strcmp(out, "-")) {
		if (policy_write(stdout, p, &opts)) {
			p_err("cannot write the policy: %s", strerror(errno));
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	if (asprintf(&tmp, "%s.XXXXXX", out) < 0) {
		p_err("out of memory");
		return EXIT_FAIL;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		p_err("cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return EXIT_FAIL;
	}
	/* mkstemp makes 0600; a policy is no secret: honour the umask as open(2) would. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || !(f = fdopen(fd, "w"))) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (policy_write(f, p, &opts)) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f)) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, out)) {
		p_err("cannot replace %s: %s", out, strerror(errno));
		goto fail;
	}
	free(tmp);
	return EXIT_OK;
fail:
	unlink(tmp);
	free(tmp);
	return EXIT_FAIL;
}

/* -o and -h; the rest are operands. Returns -1 to continue, else an exit status. */
static int parse_opts(int argc, char **argv, void (*usage)(FILE *), const char **out)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			*out = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

int policy_cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	struct policy dst = {}, src;
	struct policy_diag diag;
	char **header, err[512];
	size_t nr = 0;
	int status = parse_opts(argc, argv, merge_usage, &out);

	if (status >= 0)
		return status;
	if (optind >= argc) {
		p_err("policy merge needs at least one FILE (see 'secimport-bpf policy merge "
		      "--help')");
		return EXIT_USAGE;
	}
	header = calloc((size_t)(argc - optind) + 2, sizeof(*header));
	if (!header || !(header[nr++] = strdup("Written by 'secimport-bpf policy merge' from:")))
		goto oom;
	for (int i = optind; i < argc; i++) {
		struct policy *into = i == optind ? &dst : &src;

		if (policy_parse_file(into, argv[i], syscall_table_native(), &diag)) {
			fprintf(stderr, "%s\n", diag.msg);
			status = EXIT_USAGE;
			goto out;
		}
		if (asprintf(&header[nr], "  %s", argv[i]) < 0) {
			header[nr] = NULL;
			if (into == &src)
				policy_free(&src);
			goto oom;
		}
		nr++;
		if (into == &dst)
			continue;
		status = policy_merge(&dst, &src, err, sizeof(err));
		policy_free(&src);
		if (status) {
			p_err("cannot merge %s: %s", argv[i], err);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (!(header[nr++] = strdup("A module allows what any of them allowed it, with the "
				    "strictest action.")))
		goto oom;
	status = emit(&dst, (const char *const *)header, nr, out);
	goto out;
oom:
	p_err("out of memory");
	status = EXIT_FAIL;
out:
	policy_free(&dst);
	for (size_t i = 0; header && i < nr; i++)
		free(header[i]);
	free(header);
	return status;
}

int policy_cmd_import(int argc, char **argv)
{
	const char *out = NULL;
	struct policy_diag diag;
	struct policy p;
	char *from = NULL;
	int status = parse_opts(argc, argv, import_usage, &out);

	if (status >= 0)
		return status;
	if (optind + 1 != argc) {
		p_err("policy import-secimport needs exactly one FILE (see 'secimport-bpf policy "
		      "import-secimport --help')");
		return EXIT_USAGE;
	}
	if (policy_import_secimport(argv[optind], syscall_table_native(), &p, &diag)) {
		fprintf(stderr, "%s\n", diag.msg);
		return EXIT_USAGE;
	}
	if (asprintf(&from, "Imported by 'secimport-bpf policy import-secimport' from %s,",
		     argv[optind]) < 0) {
		policy_free(&p);
		p_err("out of memory");
		return EXIT_FAIL;
	}
	{
		const char *header[] = {
			from,
			"a policy of the original secimport: destructive: true became action kill,",
			"false became action log, and general_requirements was added to every",
			"module's list. Unlike there, only the listed modules (and what they call)",
			"are confined. Try it with 'secimport-bpf run --action log' first.",
		};

		status = emit(&p, header, sizeof(header) / sizeof(header[0]), out);
	}
	free(from);
	policy_free(&p);
	return status;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interp.h"

/* Look @name up in $PATH the way execvp() will. */
static int find_in_path(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(name, '/')) {
		if (!realpath(name, out))
			return -1;
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? path : ".", name);
		if (access(buf, X_OK) == 0 && realpath(buf, out) && strlen(out) < outlen)
			return 0;
		path += len;
		if (*path == ':')
			path++;
	}
	errno = ENOENT;
	return -1;
}

static bool is_elf(const char *path)
{
	unsigned char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool elf;

	if (fd < 0)
		return false;
	elf = read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4);
	close(fd);
	return elf;
}

/* python, python3, python3.11, python3.11d... */
static bool is_python_name(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strncmp(base ? base + 1 : path, "python", 6);
}

static int add_flag(struct launch *l, const char *flag)
{
	if (l->nr_flags >= INTERP_MAX_FLAGS)
		return 0;
	l->flags[l->nr_flags] = strdup(flag);
	if (!l->flags[l->nr_flags])
		return -1;
	l->nr_flags++;
	return 0;
}

/*
 * Walk the interpreter's own options the way CPython's getopt does, to find
 * the script, -m or -c, and the options that change sys.path.
 */
static int parse_python_args(struct launch *l, char *const args[], char *err, size_t errlen)
{
	bool no_path0 = false;
	char cwd[PATH_MAX];

	for (size_t i = 0; args[i]; i++) {
		const char *a = args[i];

		if (a[0] != '-' || !strcmp(a, "-")) {
			if (!strcmp(a, "-"))
				goto path0_cwd; /* program from stdin */
			/* A script: CPython puts its real directory first. */
			char real[PATH_MAX];

			if (!realpath(a, real)) {
				snprintf(err, errlen, "cannot find the script '%s': %s", a,
					 strerror(errno));
				return -1;
			}
			snprintf(l->script, sizeof(l->script), "%s", real);
			if (!no_path0) {
				snprintf(l->path0, sizeof(l->path0), "%s", dirname(real));
				l->has_path0 = true;
			}
			return 0;
		}
		if (!strcmp(a, "--"))
			continue;
		if (a[1] == '-') {
			/* --check-hash-based-pycs takes a value; the others don't. */
			if (!strcmp(a, "--check-hash-based-pycs"))
				i++;
			if (!args[i])
				break;
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			if (*c == 'c' || *c == 'm')
				goto path0_cwd;
			if (*c == 'W' || *c == 'X') {
				if (!c[1])
					i++; /* value in the next argument */
				break;
			}
			if (strchr("IPEsS", *c)) {
				char flag[3] = { '-', *c, 0 };

				if (*c == 'I' || *c == 'P')
					no_path0 = true;
				if (add_flag(l, flag))
					return -1;
			}
		}
		if (!args[i])
			break;
	}
path0_cwd:
	/* -c, -m, stdin and the REPL put the working directory first. */
	if (!no_path0) {
		if (!getcwd(cwd, sizeof(cwd))) {
			snprintf(err, errlen, "cannot read the working directory: %s",
				 strerror(errno));
			return -1;
		}
		snprintf(l->path0, sizeof(l->path0), "%s", cwd);
		l->has_path0 = true;
	}
	return 0;
}

/* "#!/usr/bin/env python3" or "#!/usr/bin/python3 -I": interpreter and flags. */
static int read_shebang(const char *script, char *interp, size_t len, char *arg, size_t arglen)
{
	char line[512], *p, *end;
	FILE *f = fopen(script, "re");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || strncmp(line, "#!", 2)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = 0;
	p = line + 2;
	p += strspn(p, " \t");
	end = p + strcspn(p, " \t");
	snprintf(interp, len, "%.*s", (int)(end - p), p);
	p = end + strspn(end, " \t");
	snprintf(arg, arglen, "%s", p);
	return 0;
}

int launch_from_argv(struct launch *l, char *const argv[], const char *python, char *err,
		     size_t errlen)
{
	char program[PATH_MAX], interp[PATH_MAX], arg[512];

	memset(l, 0, sizeof(*l));
	if (!argv[0]) {
		snprintf(err, errlen, "no program given");
		return -1;
	}
	if (find_in_path(argv[0], program, sizeof(program))) {
		snprintf(err, errlen, "cannot find the program '%s': %s", argv[0], strerror(errno));
		return -1;
	}
	if (python) {
		if (find_in_path(python, l->interpreter, sizeof(l->interpreter))) {
			snprintf(err, errlen, "cannot find the interpreter '%s': %s", python,
				 strerror(errno));
			return -1;
		}
		/* The program is the interpreter, or a script of it. */
		if (!strcmp(program, l->interpreter))
			return parse_python_args(l, argv + 1, err, errlen);
		char *const script_args[] = { (char *)argv[0], NULL };

		return parse_python_args(l, script_args, err, errlen);
	}
	if (is_elf(program)) {
		if (!is_python_name(program)) {
			snprintf(err, errlen,
				 "'%s' (%s) does not look like a Python interpreter; name the "
				 "interpreter it runs with --python PATH",
				 argv[0], program);
			return -1;
		}
		snprintf(l->interpreter, sizeof(l->interpreter), "%s", program);
		return parse_python_args(l, argv + 1, err, errlen);
	}
	if (read_shebang(program, interp, sizeof(interp), arg, sizeof(arg))) {
		snprintf(err, errlen,
			 "cannot tell which Python interpreter '%s' runs (not an ELF binary, no #! "
			 "line); name it with --python PATH",
			 argv[0]);
		return -1;
	}
	if (!strcmp(basename(interp), "env")) {
		/* "#!/usr/bin/env python3": the first word that is not an option. */
		char *word = arg + strspn(arg, " \t");

		if (!strncmp(word, "-S ", 3))
			word += 3;
		word[strcspn(word, " \t")] = 0;
		snprintf(interp, sizeof(interp), "%s", word);
		arg[0] = 0;
	}
	if (find_in_path(interp, l->interpreter, sizeof(l->interpreter)) ||
	    !is_elf(l->interpreter) || !is_python_name(l->interpreter)) {
		snprintf(err, errlen,
			 "'%s' is run by '%s' (its #! line), which is not a Python interpreter "
			 "binary; name the interpreter with --python PATH",
			 argv[0], interp);
		return -1;
	}
	/* The kernel passes the #! argument as one word, then the script. */
	char *const shebang_args[] = { arg, (char *)argv[0], NULL };

	return parse_python_args(l, arg[0] ? shebang_args : shebang_args + 1, err, errlen);
}

void launch_free(struct launch *l)
{
	for (size_t i = 0; i < l->nr_flags; i++)
		free(l->flags[i]);
	l->nr_flags = 0;
}

static void note_probe(struct usdt_probes *p, const char *provider, const char *name)
{
	if (strcmp(provider, "python"))
		return;
	if (!strcmp(name, "function__entry"))
		p->function_entry = true;
	else if (!strcmp(name, "function__return"))
		p->function_return = true;
	else if (!strcmp(name, "line"))
		p->line = true;
}

int usdt_probes_read(const char *path, struct usdt_probes *probes, char *err, size_t errlen)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd, ret = -1;

	memset(probes, 0, sizeof(*probes));
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		snprintf(err, errlen, "'%s' is not a readable ELF file: %s", path, elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		GElf_Nhdr nhdr;
		size_t off = 0, name_off, desc_off;
		const char *sname;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		sname = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!sname || strcmp(sname, ".note.stapsdt"))
			continue;
		data = elf_getdata(scn, NULL);
		while (data && (off = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
			const char *desc = (const char *)data->d_buf + desc_off;
			size_t words = 3 * (gelf_getclass(elf) == ELFCLASS32 ? 4 : 8);

			/* Descriptor: pc, base, semaphore, then provider\0name\0args\0. */
			if (nhdr.n_type != 3 || nhdr.n_descsz <= words)
				continue;
			const char *provider = desc + words;
			size_t rest = nhdr.n_descsz - words;
			size_t plen = strnlen(provider, rest);

			if (plen + 1 >= rest)
				continue;
			const char *name = provider + plen + 1;

			if (strnlen(name, rest - plen - 1) < rest - plen - 1)
				note_probe(probes, provider, name);
		}
	}
	ret = 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

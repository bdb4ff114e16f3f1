// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pyruntime.h"
#include "system_policy.h"
#include "util.h"

/* python3.N exactly: not python3.N-config, python3.Nm, ... */
static bool interpreter_name(const char *path)
{
	const char *base = strrchr(path, '/');
	int minor, n = 0;

	base = base ? base + 1 : path;
	return sscanf(base, "python3.%d%n", &minor, &n) == 1 && base[n] == 0;
}

/* Describe @path for the walker; -1 with @why if it cannot cover it. */
static int describe(const char *path, struct system_interp *ip, char *why, size_t len)
{
	struct policy empty = { .table = syscall_table_native() };
	struct resolved_module none;
	struct policy_diag diag;

	memset(ip, 0, sizeof(*ip));
	if (!realpath(path, ip->launch.interpreter)) {
		snprintf(why, len, "interpreter %s: cannot resolve its path", path);
		return -1;
	}
	if (resolve_policy(&empty, &ip->launch, NULL, &none, &ip->info, &diag)) {
		snprintf(why, len, "interpreter %s: %s", path, diag.msg);
		return -1;
	}
	snprintf(ip->elf, sizeof(ip->elf), "%s", ip->info.runtime_elf);
	return pyruntime_read(ip->elf, ip->info.major, ip->info.minor, &ip->walk, why, len);
}

static bool same_file(const struct system_interp *ips, size_t nr, const char *path)
{
	struct stat a, b;

	if (stat(path, &a))
		return false;
	for (size_t i = 0; i < nr; i++)
		if (!stat(ips[i].launch.interpreter, &b) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return true;
	return false;
}

int system_interps_find(char *const *given, size_t nr_given, struct system_interp **out, size_t *nr)
{
	struct system_interp *ips = calloc(SECIMPORT_MAX_INTERPS, sizeof(*ips));
	char why[4096];
	glob_t g = {};

	*out = NULL;
	*nr = 0;
	if (!ips) {
		p_err("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < nr_given; i++) {
		if (same_file(ips, *nr, given[i]))
			continue;
		if (*nr == SECIMPORT_MAX_INTERPS) {
			p_err("at most %d interpreters can be covered", SECIMPORT_MAX_INTERPS);
			goto fail;
		}
		if (describe(given[i], &ips[*nr], why, sizeof(why))) {
			p_err("%s; the stack-walking engine covers CPython 3.%d to 3.%d", why,
			      PYRUNTIME_MIN_MINOR, PYRUNTIME_MAX_MINOR);
			goto fail;
		}
		(*nr)++;
	}
	if (!nr_given) {
		glob("/usr/bin/python3.*", 0, NULL, &g);
		glob("/usr/local/bin/python3.*", GLOB_APPEND, NULL, &g);
		for (size_t i = 0; i < g.gl_pathc && *nr < SECIMPORT_MAX_INTERPS; i++) {
			const char *path = g.gl_pathv[i];

			if (!interpreter_name(path) || access(path, X_OK) ||
			    same_file(ips, *nr, path))
				continue;
			if (describe(path, &ips[*nr], why, sizeof(why))) {
				p_info("not covering %s", why);
				interp_info_free(&ips[*nr].info);
				continue;
			}
			(*nr)++;
		}
		globfree(&g);
		if (!*nr) {
			p_err("found no interpreter to cover in /usr/bin or /usr/local/bin; name "
			      "them with --python PATH");
			goto fail;
		}
	}
	for (size_t i = 0; i < *nr; i++)
		p_info("covering %s (CPython %s; _PyRuntime in %s)", ips[i].launch.interpreter,
		       ips[i].info.version, ips[i].elf);
	*out = ips;
	return EXIT_OK;
fail:
	system_interps_free(ips, *nr, NULL);
	*nr = 0;
	return EXIT_USAGE;
}

int system_interps_resolve(struct system_interp *ips, size_t nr, const struct policy *p)
{
	struct policy_diag diag;
	struct interp_info info;

	for (size_t i = 0; i < nr; i++) {
		ips[i].resolved = calloc(p->nr_modules + 1, sizeof(*ips[i].resolved));
		if (!ips[i].resolved) {
			p_err("out of memory");
			return EXIT_FAIL;
		}
		if (resolve_policy(p, &ips[i].launch, NULL, ips[i].resolved, &info, &diag)) {
			fprintf(stderr, "%s\n", diag.msg);
			p_err("(resolving for %s; choose the interpreters to cover with --python "
			      "PATH)",
			      ips[i].launch.interpreter);
			return EXIT_USAGE;
		}
		interp_info_free(&info);
		for (size_t m = 0; m < p->nr_modules; m++)
			for (size_t k = 0; k < ips[i].resolved[m].nr_locs; k++)
				p_info("%s: module %s: %s%s", ips[i].launch.interpreter,
				       p->modules[m].name, ips[i].resolved[m].locs[k].path,
				       ips[i].resolved[m].locs[k].prefix ? "*" : "");
	}
	return EXIT_OK;
}

void system_interps_free(struct system_interp *ips, size_t nr, const struct policy *p)
{
	if (!ips)
		return;
	for (size_t i = 0; i < nr; i++) {
		if (ips[i].resolved && p)
			resolved_free(ips[i].resolved, p->nr_modules);
		free(ips[i].resolved);
		interp_info_free(&ips[i].info);
		launch_free(&ips[i].launch);
	}
	free(ips);
}

int system_policy_parse(char *const *files, size_t nr, struct policy *p)
{
	struct policy_diag diag;

	memset(p, 0, sizeof(*p));
	p->table = syscall_table_native();
	for (size_t i = 0; i < nr; i++) {
		struct policy one;

		if (policy_parse_file(&one, files[i], syscall_table_native(), &diag)) {
			fprintf(stderr, "%s\n", diag.msg);
			goto fail;
		}
		if (i == 0) {
			*p = one;
			continue;
		}
		if (policy_append(p, &one, &diag)) {
			fprintf(stderr, "%s\n", diag.msg);
			policy_free(&one);
			goto fail;
		}
	}
	return EXIT_OK;
fail:
	policy_free(p);
	return EXIT_USAGE;
}

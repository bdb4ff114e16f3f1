// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resolve.h"

/*
 * Runs inside the target interpreter. It finds specs with PathFinder (and
 * the frozen table) directly, so no package __init__ of the module runs
 * unconfined. Output: NUL-terminated fields, "V" record then one "M"
 * record per module: M name kind count path...
 */
static const char resolver_py[] =
    "import sys, os\n"
    "from importlib.machinery import PathFinder, FrozenImporter\n"
    "out = sys.stdout.buffer\n"
    "def emit(*fields):\n"
    "    for f in fields:\n"
    "        out.write(f if isinstance(f, bytes) else str(f).encode())\n"
    "        out.write(b'\\0')\n"
    "path0, names = sys.argv[1], sys.argv[2:]\n"
    "if not (sys.flags.isolated or getattr(sys.flags, 'safe_path', False)):\n"
    "    del sys.path[0]\n"
    "    if path0 != '-':\n"
    "        sys.path.insert(0, path0)\n"
    "lib = '-'\n"
    "try:\n"
    "    with open('/proc/self/maps') as maps:\n"
    "        for line in maps:\n"
    "            f = line.split(None, 5)\n"
    "            if len(f) == 6 and '/libpython3' in f[5]:\n"
    "                lib = f[5].strip()\n"
    "                break\n"
    "except OSError:\n"
    "    pass\n"
    "emit('V', sys.implementation.name, sys.version_info[0], sys.version_info[1],\n"
    "     sys.version.split()[0], lib)\n"
    "import sysconfig\n"
    "sp = [os.path.abspath(p) if p else os.getcwd() for p in sys.path][:64]\n"
    "emit('P', len(sp), *[os.fsencode(p) for p in sp])\n"
    "std = set()\n"
    "for k in ('stdlib', 'platstdlib'):\n"
    "    d = sysconfig.get_paths().get(k)\n"
    "    if d:\n"
    "        std |= {os.path.abspath(d), os.path.realpath(d)}\n"
    "std = sorted(std)[:8]\n"
    "emit('L', len(std), *[os.fsencode(p) for p in std])\n"
    "def sourceless_claims(pyc):\n"
    "    # A sourceless module's code names the file it was compiled from,\n"
    "    # whatever that was: those names are where its frames will say they\n"
    "    # are. marshal only builds objects; nothing of the module runs.\n"
    "    import marshal\n"
    "    with open(pyc, 'rb') as f:\n"
    "        code = marshal.loads(f.read()[16:])\n"
    "    names, todo = set(), [code]\n"
    "    while todo:\n"
    "        c = todo.pop()\n"
    "        names.add(c.co_filename)\n"
    "        todo += [k for k in c.co_consts if type(k) is type(code)]\n"
    "    names.discard(pyc)\n"
    "    for n in sorted(names):\n"
    "        if not os.path.isabs(n) or os.path.exists(n):\n"
    "            return 'claims', [os.fsencode(pyc), os.fsencode(n)]\n"
    "    return sorted(names)\n"
    "def find(name):\n"
    "    parts = name.split('.')\n"
    "    if len(parts) == 1 and name in sys.builtin_module_names:\n"
    "        return 'builtin', []\n"
    "    locs = []\n"
    "    fspec = FrozenImporter.find_spec(name)\n"
    "    if fspec is not None:\n"
    "        locs.append(os.fsencode('<frozen %s>' % name))\n"
    "    path, spec = None, None\n"
    "    for i in range(len(parts)):\n"
    "        spec = PathFinder.find_spec('.'.join(parts[:i + 1]), path)\n"
    "        if spec is None:\n"
    "            return ('frozen', locs) if locs else ('notfound', [])\n"
    "        path = spec.submodule_search_locations\n"
    "        if path is None and i < len(parts) - 1:\n"
    "            return 'notpackage', ['.'.join(parts[:i + 1])]\n"
    "    def both(p):\n"
    "        p = os.path.abspath(p)\n"
    "        r = os.path.realpath(p)\n"
    "        return [os.fsencode(p)] + ([os.fsencode(r)] if r != p else [])\n"
    "    if path is not None:\n"
    "        for d in path:\n"
    "            locs += [x.rstrip(b'/') + b'/' for x in both(d)]\n"
    "        kind = 'package' if spec.origin not in (None, 'namespace') else 'namespace'\n"
    "        return ('frozen' if fspec else kind), locs\n"
    "    origin = spec.origin or ''\n"
    "    if not origin.endswith(('.py', '.pyc', '.pyw')):\n"
    "        return 'extension', [os.fsencode(origin)]\n"
    "    if origin.endswith('.pyc') and os.path.isfile(origin):\n"
    "        claims = sourceless_claims(origin)\n"
    "        if isinstance(claims, tuple):\n"
    "            return claims\n"
    "        locs += [os.fsencode(c) for c in claims]\n"
    "    return ('frozen' if fspec else 'file'), locs + both(origin)\n"
    "for n in names:\n"
    "    try:\n"
    "        kind, locs = find(n)\n"
    "    except Exception as e:\n"
    "        kind, locs = 'error', [os.fsencode('%s: %s' % (type(e).__name__, e))]\n"
    "    emit('M', n, kind, len(locs), *locs)\n";

static void diag_at(struct policy_diag *d, const struct policy *p, const struct policy_module *m,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void diag_at(struct policy_diag *d, const struct policy *p, const struct policy_module *m,
		    const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (m)
		n = snprintf(d->msg, sizeof(d->msg), "%s:%u:%u: error: ", p->source, m->line,
			     m->column);
	else
		n = snprintf(d->msg, sizeof(d->msg), "%s: error: ", p->source);
	if (n < 0 || (size_t)n >= sizeof(d->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(d->msg + n, sizeof(d->msg) - n, fmt, ap);
	va_end(ap);
}

/* Run the resolver; its stdout in *buf (NUL-separated fields). */
static int run_resolver(const struct policy *p, const struct launch *l, const struct run_as *as,
			char **buf, size_t *len, struct policy_diag *d)
{
	size_t argc = 0, cap = 0;
	char **argv = calloc(l->nr_flags + p->nr_modules + 8, sizeof(*argv));
	int pipefd[2], status;
	FILE *out;
	pid_t pid;

	if (!argv)
		return -1;
	argv[argc++] = (char *)l->interpreter;
	for (size_t i = 0; i < l->nr_flags; i++)
		argv[argc++] = l->flags[i];
	argv[argc++] = "-c";
	argv[argc++] = (char *)resolver_py;
	argv[argc++] = l->has_path0 ? (char *)l->path0 : "-";
	for (size_t i = 0; i < p->nr_modules; i++)
		argv[argc++] = p->modules[i].name;

	if (pipe2(pipefd, O_CLOEXEC)) {
		free(argv);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		if (as && run_as_apply(as))
			_exit(126);
		execv(l->interpreter, argv);
		_exit(127);
	}
	free(argv);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return -1;
	}
	*buf = NULL;
	*len = 0;
	out = fdopen(pipefd[0], "r");
	if (out) {
		for (;;) {
			if (*len + 4096 > cap) {
				char *nb = realloc(*buf, cap = cap * 2 + 8192);

				if (!nb)
					break;
				*buf = nb;
			}
			size_t n = fread(*buf + *len, 1, cap - *len - 1, out);

			if (n == 0)
				break;
			*len += n;
		}
		fclose(out);
	} else {
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !*buf) {
		diag_at(d, p, NULL,
			"could not ask the interpreter %s where the policy's modules are (it %s "
			"%d); check that it runs",
			l->interpreter, WIFEXITED(status) ? "exited with status" : "died of signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		free(*buf);
		*buf = NULL;
		return -1;
	}
	(*buf)[*len] = 0;
	return 0;
}

/* Next NUL-terminated field of the resolver output, or NULL at the end. */
static const char *next_field(const char **cur, const char *end)
{
	const char *f = *cur;
	size_t n;

	if (f >= end)
		return NULL;
	n = strnlen(f, end - f);
	if (f + n >= end)
		return NULL;
	*cur = f + n + 1;
	return f;
}

/* Is @path a zip archive (what zipimport reads from sys.path)? */
static bool is_zip_archive(const char *path)
{
	unsigned char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool zip;

	if (fd < 0)
		return false;
	zip = read(fd, magic, 4) == 4 && !memcmp(magic, "PK\3\4", 4);
	close(fd);
	return zip;
}

/*
 * @name is inside a zip archive (archive.zip/pkg/ or archive.zip/pkg/mod.py),
 * which is no path of the file system: the archive's real path into
 * @real, and whether it is one.
 */
static bool inside_zip_archive(const char *name, char *real, size_t len)
{
	char buf[PATH_MAX];
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", name);
	for (char *slash = strrchr(buf, '/'); slash && slash > buf; slash = strrchr(buf, '/')) {
		*slash = 0;
		if (stat(buf, &st) == 0) {
			char archive[PATH_MAX];

			if (!S_ISREG(st.st_mode) || !is_zip_archive(buf) || !realpath(buf, archive))
				return false;
			snprintf(real, len, "%s%s", archive, name + strlen(buf));
			return true;
		}
	}
	return false;
}

/*
 * A module named by its path: a file, a directory, a zip archive (its
 * modules' files are archive.zip/...), or a path inside an archive.
 */
static int resolve_path_module(const struct policy_module *m, struct resolved_module *r)
{
	struct stat st;
	char real[PATH_MAX];
	const char *forms[2] = { m->name, NULL };
	bool prefix;

	if (stat(m->name, &st) == 0) {
		prefix = S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && is_zip_archive(m->name));
		if (realpath(m->name, real) && strcmp(real, m->name))
			forms[1] = real;
	} else if (inside_zip_archive(m->name, real, sizeof(real))) {
		size_t n = strlen(m->name);

		/* a module file, else a package directory of the archive */
		prefix = !(n > 3 && !strcmp(m->name + n - 3, ".py")) &&
			 !(n > 4 && !strcmp(m->name + n - 4, ".pyc"));
		if (strcmp(real, m->name))
			forms[1] = real;
	} else {
		return -1;
	}
	r->locs = calloc(2, sizeof(*r->locs));
	if (!r->locs)
		return -1;
	snprintf(r->kind, sizeof(r->kind), "path");
	for (int i = 0; i < 2 && forms[i]; i++) {
		struct location *loc = &r->locs[r->nr_locs];
		size_t len = strlen(forms[i]);

		loc->prefix = prefix;
		if (loc->prefix && asprintf(&loc->path, "%s%s", forms[i],
					    len && forms[i][len - 1] == '/' ? "" : "/") < 0)
			return -1;
		if (!loc->prefix && !(loc->path = strdup(forms[i])))
			return -1;
		r->nr_locs++;
	}
	return 0;
}

int resolve_policy(const struct policy *p, const struct launch *l, const struct run_as *as,
		   struct resolved_module *out, struct interp_info *info, struct policy_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	const char *cur, *end, *f;
	int ret = -1;

	memset(out, 0, p->nr_modules * sizeof(*out));
	memset(info, 0, sizeof(*info));
	if (run_resolver(p, l, as, &buf, &len, d))
		return -1;
	cur = buf;
	end = buf + len;
	if (!(f = next_field(&cur, end)) || strcmp(f, "V"))
		goto bad;
	if (!(f = next_field(&cur, end)))
		goto bad;
	if (strcmp(f, "cpython")) {
		diag_at(d, p, NULL, "%s is %s, not CPython; only CPython is supported",
			l->interpreter, f);
		goto out;
	}
	if (!(f = next_field(&cur, end)))
		goto bad;
	info->major = atoi(f);
	if (!(f = next_field(&cur, end)))
		goto bad;
	info->minor = atoi(f);
	if (!(f = next_field(&cur, end)))
		goto bad;
	snprintf(info->version, sizeof(info->version), "%s", f);
	if (!(f = next_field(&cur, end)))
		goto bad;
	/* The ELF that holds _PyRuntime: libpython for shared builds. */
	snprintf(info->runtime_elf, sizeof(info->runtime_elf), "%s",
		 strcmp(f, "-") ? f : l->interpreter);
	/* sys.path as the program will have it, and where the stdlib is. */
	for (int rec = 0; rec < 2; rec++) {
		char **dst = rec ? info->stdlib : info->sys_path;
		size_t cap = rec ? INTERP_MAX_STDLIB : INTERP_MAX_SYS_PATH, *nr;

		nr = rec ? &info->nr_stdlib : &info->nr_sys_path;
		if (!(f = next_field(&cur, end)) || strcmp(f, rec ? "L" : "P") ||
		    !(f = next_field(&cur, end)))
			goto bad;
		size_t n = strtoul(f, NULL, 10);

		for (size_t k = 0; k < n; k++) {
			if (!(f = next_field(&cur, end)))
				goto bad;
			if (*nr < cap && (dst[*nr] = strdup(f)))
				(*nr)++;
		}
	}

	for (size_t i = 0; i < p->nr_modules; i++) {
		const struct policy_module *m = &p->modules[i];
		struct resolved_module *r = &out[i];
		const char *name, *kind, *count;
		size_t n;

		if (!(f = next_field(&cur, end)) || strcmp(f, "M") ||
		    !(name = next_field(&cur, end)) || strcmp(name, m->name) ||
		    !(kind = next_field(&cur, end)) || !(count = next_field(&cur, end)))
			goto bad;
		n = strtoul(count, NULL, 10);
		if (n > 64)
			goto bad;
		const char *paths[64];

		for (size_t k = 0; k < n; k++)
			if (!(paths[k] = next_field(&cur, end)))
				goto bad;

		if (m->name[0] == '/') {
			if (resolve_path_module(m, r)) {
				diag_at(d, p, m, "module path '%s' does not exist: %s", m->name,
					strerror(errno));
				goto out;
			}
			continue;
		}
		if (!strcmp(kind, "notfound")) {
			diag_at(d, p, m,
				"module '%s' cannot be found by %s (Python %s) from %s; check the "
				"name, or give the module's absolute path",
				m->name, l->interpreter, info->version,
				l->has_path0 ? l->path0 : "the interpreter's sys.path");
			goto out;
		}
		if (!strcmp(kind, "builtin")) {
			diag_at(
			    d, p, m,
			    "module '%s' is built into the interpreter and has no Python frames "
			    "to attribute; confine the Python module that uses it",
			    m->name);
			goto out;
		}
		if (!strcmp(kind, "extension")) {
			diag_at(d, p, m,
				"module '%s' is a C extension (%s) and has no Python frames to "
				"attribute; confine the Python module that uses it",
				m->name, n ? paths[0] : "?");
			goto out;
		}
		if (!strcmp(kind, "notpackage")) {
			diag_at(d, p, m, "module '%s' cannot be found: '%s' is not a package",
				m->name, n ? paths[0] : "?");
			goto out;
		}
		if (!strcmp(kind, "claims")) {
			diag_at(
			    d, p, m,
			    "module '%s' is a sourceless %s whose code says it is '%s' (%s); "
			    "its frames would be taken for that code's: compile it again under "
			    "its own path (python -m py_compile with dfile=), or ship the source",
			    m->name, n ? paths[0] : "?", n > 1 ? paths[1] : "?",
			    n > 1 && paths[1][0] == '/' ? "an existing file"
							: "not an absolute path");
			goto out;
		}
		if (!strcmp(kind, "error")) {
			diag_at(d, p, m, "module '%s' cannot be resolved: %s", m->name,
				n ? paths[0] : "?");
			goto out;
		}
		snprintf(r->kind, sizeof(r->kind), "%s", kind);
		r->locs = calloc(n ? n : 1, sizeof(*r->locs));
		if (!r->locs)
			goto out;
		for (size_t k = 0; k < n; k++) {
			size_t plen = strlen(paths[k]);

			if (plen + 1 > SECIMPORT_PATH_MAX) {
				diag_at(
				    d, p, m,
				    "module '%s' lives at a path longer than %d bytes (%s), which "
				    "the kernel side cannot match",
				    m->name, SECIMPORT_PATH_MAX - 1, paths[k]);
				goto out;
			}
			r->locs[k].prefix = plen && paths[k][plen - 1] == '/';
			r->locs[k].path = strdup(paths[k]);
			if (!r->locs[k].path)
				goto out;
			r->nr_locs++;
		}
	}
	ret = 0;
	goto out;
bad:
	diag_at(d, p, NULL, "unexpected answer from the module resolver run by %s", l->interpreter);
out:
	free(buf);
	if (ret) {
		resolved_free(out, p->nr_modules);
		interp_info_free(info);
	}
	return ret;
}

void interp_info_free(struct interp_info *info)
{
	for (size_t i = 0; i < info->nr_sys_path; i++)
		free(info->sys_path[i]);
	for (size_t i = 0; i < info->nr_stdlib; i++)
		free(info->stdlib[i]);
	info->nr_sys_path = info->nr_stdlib = 0;
}

void resolved_free(struct resolved_module *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		for (size_t k = 0; k < r[i].nr_locs; k++)
			free(r[i].locs[k].path);
		free(r[i].locs);
		r[i].locs = NULL;
		r[i].nr_locs = 0;
	}
}

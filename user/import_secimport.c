// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Import of the original secimport's YAML policies. That project reads them
 * with PyYAML's safe_load and checks little; this reader accepts what it
 * would have used (YAML 1.1 booleans, names with stray blanks as its trace
 * wrote them, its x86_64 spellings pread/pwrite/timerfd) and refuses, with a
 * position, everything whose meaning it would have to guess.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_secimport.h"
#include "yaml_tree.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_USER_MODULES (SECIMPORT_MAX_MODULES - 1)
#define MAX_PATH POLICY_MAX_PATH
/* bpftrace's default string size: the original's traces cut file names there. */
#define BPFTRACE_STR_CUT 63
#define ACT_KILL (SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL)
#define GENERAL "general_requirements"

/* One module entry of the file. */
struct entry {
	const struct node *key;
	char *name; /* our module name; NULL for general_requirements */
	unsigned int action;
	uint64_t allow[SECIMPORT_SYSCALL_WORDS];
};

struct ctx {
	struct yaml_tree_diag err; /* .line, .column: where the last error is */
	const struct syscall_table *t;
	struct policy *out; /* the result */
	/* Unknown syscall names: the first one's place, and all of them. */
	const struct node *unknown_at;
	char unknown_module[SHOW_BUF + 16];
	char unknown[512];
	bool unknown_truncated;
	size_t nr_unknown;
	bool looks_macos;
};

/* The original's own names for x86_64 syscalls, where the kernel's differ. */
static const char *const renames[][2] = {
	{ "pread", "pread64" },
	{ "pwrite", "pwrite64" },
	{ "timerfd", "timerfd_create" },
};

/* Names of macOS syscalls that DTrace profiles of the original hold. */
static const char *const macos_names[] = { "sysctlbyname", "issetugid",	  "getentropy",
					   "shm_open",	   "csrctl",	  "kqueue",
					   "kevent",	   "sigprocmask", "sigaction",
					   "sigreturn",	   "fgetattrlist" };

/* ---- diagnostics ---- */

/* Diagnostics are "SOURCE:LINE:COL: error: ...", see yaml_tree_error(). */
#define error_at(c, ...) yaml_tree_error(&(c)->err, __VA_ARGS__)
#define error_node(c, n, ...) error_at((c), (n)->line, (n)->column, __VA_ARGS__)

/* ---- checks ---- */

static bool has_nul(const struct node *n)
{
	return memchr(n->value, '\0', n->len) != NULL;
}

/* Keys are strings, once each (PyYAML would silently keep the last). */
static int check_key(struct ctx *c, const struct node *map, size_t i, const char *what)
{
	const struct node *k = map->items[i], *first;
	char buf[SHOW_BUF];

	if (k->kind != NODE_SCALAR || node_is_null(k))
		return error_node(c, k, "%s must be strings", what);
	first = node_earlier_key(map, i);
	if (first)
		return error_node(c, k, "'%s' is there twice (first at line %u): merge them",
				  node_show(k, buf), first->line);
	return 0;
}

/* PyYAML's (YAML 1.1) booleans, unquoted only, as safe_load reads them. */
static int parse_bool(const struct node *n)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes",
					   "YES",  "on",   "On",   "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No",
					  "NO",	   "off",   "Off",   "OFF" };

	if (n->kind != NODE_SCALAR || !n->plain)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (node_is_str(n, yes[i]))
			return 1;
		if (node_is_str(n, no[i]))
			return 0;
	}
	return -1;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* The module name this key means to us, or an error. */
static int map_name(struct ctx *c, const struct node *k, char **out)
{
	const char *s = k->value;
	size_t len = k->len;
	char buf[SHOW_BUF], whole[MAX_PATH * 4 + 8];

	*out = NULL;
	if (has_nul(k))
		return error_node(c, k, "module names cannot hold NUL bytes");
	if (s[0] == '/') {
		if (len > MAX_PATH)
			return error_node(c, k,
					  "module path is %zu bytes long; at most %d are supported",
					  len, MAX_PATH);
		if (!policy_path_valid(s, len))
			return error_node(c, k,
					  "module path '%s' has '.', '..' or empty components: "
					  "write it as the interpreter reports it",
					  show_text(s, len, buf));
		if (len == BPFTRACE_STR_CUT && !ends_with(s, len, ".py") && !ends_with(s, len, "/"))
			return error_node(
			    c, k,
			    "module path '%s' is %d bytes long, where bpftrace cut the "
			    "file names in the original's traces: write the full path (a "
			    "directory with a trailing '/')",
			    show_max(s, len, MAX_PATH, whole), BPFTRACE_STR_CUT);
		*out = strdup(s);
	} else if (len > 9 && !strncmp(s, "<frozen ", 8) && s[len - 1] == '>') {
		/* Frozen stdlib code: its import name confines it (and its file). */
		if (!policy_import_name_valid(s + 8, len - 9))
			return error_node(c, k, "cannot confine '%s': '%.*s' is not an import name",
					  show_text(s, len, buf), (int)(len - 9), s + 8);
		*out = strndup(s + 8, len - 9);
	} else if (s[0] == '<') {
		return error_node(
		    c, k,
		    "'%s' is code without a file (exec(), python -c, the REPL): there "
		    "is no module to confine; remove this entry",
		    show_text(s, len, buf));
	} else if (policy_import_name_valid(s, len)) {
		*out = strdup(s);
	} else if (memchr(s, '/', len)) {
		return error_node(c, k, "module path '%s' is relative: write the absolute path",
				  show_text(s, len, buf));
	} else {
		return error_node(c, k,
				  "invalid module name '%s': write an import name such as "
				  "'pkg.mod' or an absolute path",
				  show_text(s, len, buf));
	}
	return *out ? 0 : error_node(c, k, "out of memory");
}

static bool macos_name(const char *n)
{
	size_t len = strlen(n);

	if (ends_with(n, len, "_nocancel") || ends_with(n, len, "stat64") ||
	    ends_with(n, len, "statfs64") || !strncmp(n, "__", 2) || !strcmp(n, "getdirentries64"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(macos_names); i++)
		if (!strcmp(n, macos_names[i]))
			return true;
	return false;
}

static void note_unknown(struct ctx *c, const struct node *item, const char *name,
			 const char *module)
{
	size_t o = strlen(c->unknown);
	char pat[SHOW_BUF + 4];

	/* Each name once in the message. */
	snprintf(pat, sizeof(pat), " %s,", name);
	if (strstr(c->unknown, pat))
		return;
	if (!c->unknown_at) {
		c->unknown_at = item;
		snprintf(c->unknown_module, sizeof(c->unknown_module), "%s", module);
	}
	c->nr_unknown++;
	c->looks_macos |= macos_name(name);
	if (o + strlen(pat) < sizeof(c->unknown))
		memcpy(c->unknown + o, pat, strlen(pat) + 1);
	else
		c->unknown_truncated = true;
}

/* Syscall name as the original read it: blanks stripped, lower case. */
static int lookup(struct ctx *c, const struct node *item, char *name, size_t size)
{
	size_t b = 0, e = item->len, o = 0;
	int nr;

	while (b < e && strchr(" \t\r\n\f\v", item->value[b]))
		b++;
	while (e > b && strchr(" \t\r\n\f\v", item->value[e - 1]))
		e--;
	for (size_t i = b; i < e && o + 1 < size; i++) {
		char ch = item->value[i];

		name[o++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	name[o] = '\0';
	if (!o || has_nul(item) || e - b >= size)
		return -1;
	nr = syscall_lookup(c->t, name);
	for (size_t i = 0; nr < 0 && i < ARRAY_SIZE(renames); i++)
		if (!strcmp(name, renames[i][0]))
			nr = syscall_lookup(c->t, renames[i][1]);
	return nr;
}

static void set_bit(uint64_t *allow, unsigned int nr)
{
	allow[nr / 64] |= (uint64_t)1 << (nr % 64);
}

static int parse_allowlist(struct ctx *c, const struct node *key, const struct node *val,
			   struct entry *e, const char *module)
{
	char buf[SHOW_BUF], name[64];

	if (val->kind != NODE_SEQUENCE || !val->nr_items)
		return error_node(c, node_is_null(val) ? key : val,
				  "syscall_allowlist of %s must be a non-empty list of syscall "
				  "names (the original refuses an empty one too)",
				  module);
	for (size_t i = 0; i < val->nr_items; i++) {
		const struct node *item = val->items[i];
		int nr;

		if (item->kind != NODE_SCALAR || node_is_null(item))
			return error_node(c, item,
					  "syscall_allowlist entries must be syscall names");
		nr = lookup(c, item, name, sizeof(name));
		if (nr >= 0) {
			set_bit(e->allow, (unsigned int)nr);
			continue;
		}
		if (!name[0])
			return error_node(c, item, "empty syscall name in the list of %s", module);
		note_unknown(c, item, name[0] ? name : node_show(item, buf), module);
	}
	return 0;
}

static int parse_module(struct ctx *c, const struct node *k, const struct node *v, struct entry *e)
{
	const struct node *destructive = NULL, *list_key = NULL, *list = NULL;
	char buf[SHOW_BUF], what[SHOW_BUF + 16];
	bool general = node_is_str(k, GENERAL);

	snprintf(what, sizeof(what), "module '%s'", node_show(k, buf));
	e->key = k;
	if (!general && map_name(c, k, &e->name))
		return -1;
	if (v->kind != NODE_MAPPING)
		return error_node(c, node_is_null(v) ? k : v,
				  "%s must be a mapping with destructive and syscall_allowlist",
				  what);
	for (size_t i = 0; i < v->nr_items; i += 2) {
		const struct node *sk = v->items[i], *sv = v->items[i + 1];

		if (check_key(c, v, i, "keys"))
			return -1;
		if (node_is_str(sk, "destructive")) {
			destructive = sv;
		} else if (node_is_str(sk, "syscall_allowlist")) {
			list_key = sk;
			list = sv;
		} else {
			return error_node(c, sk,
					  "unknown key '%s' in %s: secimport modules have "
					  "destructive and syscall_allowlist",
					  node_show(sk, buf), what);
		}
	}
	if (!destructive)
		return error_node(c, k,
				  "%s has no destructive (true: kill on violation, false: log); "
				  "the original requires it too",
				  what);
	switch (parse_bool(destructive)) {
	case 1:
		e->action = ACT_KILL;
		break;
	case 0:
		e->action = SECIMPORT_ACT_LOG;
		break;
	default:
		return error_node(c, destructive, "destructive must be true or false, not '%s'",
				  node_show(destructive, buf));
	}
	if (!list)
		return error_node(c, k, "%s has no syscall_allowlist", what);
	return parse_allowlist(c, list_key, list, e, what);
}

/* Was an unknown syscall name seen before the place of the error just made? */
static bool unknown_first(const struct ctx *c)
{
	const struct node *u = c->unknown_at;

	return u &&
	       (u->line < c->err.line || (u->line == c->err.line && u->column < c->err.column));
}

static int report_unknown(struct ctx *c)
{
	const struct node *n = c->unknown_at;
	char buf[SHOW_BUF], name[64], more[sizeof(c->unknown) + 64] = "", hint[256] = "";
	const struct syscall_table *x86 = syscall_table_for_arch("x86_64");

	lookup(c, n, name, sizeof(name));
	if (c->nr_unknown > 1) {
		size_t len = strlen(c->unknown);

		/* Drop the trailing comma of the list. */
		snprintf(more, sizeof(more), "; all %zu unknown names:%.*s%s", c->nr_unknown,
			 (int)(len ? len - 1 : 0), c->unknown, c->unknown_truncated ? ", ..." : "");
	}
	if (c->looks_macos)
		snprintf(hint, sizeof(hint),
			 " (these are macOS names: a DTrace profile of the original lists macOS "
			 "syscalls; trace the program on Linux instead)");
	else if (x86 && strcmp(c->t->arch, "x86_64") && syscall_lookup(x86, name) >= 0)
		snprintf(hint, sizeof(hint),
			 " (x86_64 has it, %s does not: the original wrote x86_64 policies)",
			 c->t->arch);
	return error_node(c, n, "unknown syscall '%s' for %s in %s%s%s",
			  name[0] ? name : node_show(n, buf), c->t->arch, c->unknown_module, more,
			  hint);
}

/* ---- building the policy ---- */

static void entries_free(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

static int convert(struct ctx *c, const struct node *root, struct policy *p)
{
	const struct node *modules = NULL, *modules_key = NULL;
	uint64_t general[SECIMPORT_SYSCALL_WORDS] = {};
	char buf[SHOW_BUF], buf2[SHOW_BUF];
	struct entry *e;
	size_t n = 0, nr_modules = 0;
	bool all_log = true;
	int err = 0;

	if (!root || node_is_null(root))
		return error_at(c, 1, 1, "the file is empty: a secimport policy has 'modules:'");
	if (root->kind != NODE_MAPPING)
		return error_node(c, root,
				  "a secimport policy is a mapping with the key 'modules'");
	for (size_t i = 0; i < root->nr_items; i += 2) {
		const struct node *k = root->items[i];

		if (check_key(c, root, i, "keys"))
			return -1;
		if (!node_is_str(k, "modules"))
			return error_node(
			    c, k,
			    "unknown key '%s' at the top level: a secimport policy has "
			    "only 'modules'",
			    node_show(k, buf));
		modules_key = k;
		modules = root->items[i + 1];
	}
	if (!modules)
		return error_node(c, root, "no 'modules:' mapping");
	if (node_is_null(modules) || (modules->kind == NODE_MAPPING && !modules->nr_items))
		return error_node(c, modules_key, "'modules' is empty: there is nothing to import");
	if (modules->kind != NODE_MAPPING)
		return error_node(c, modules, "'modules' must map module names to their settings");

	e = calloc(modules->nr_items / 2 + 1, sizeof(*e));
	if (!e)
		return error_node(c, modules, "out of memory");
	for (size_t i = 0; i < modules->nr_items && !err; i += 2) {
		const struct node *k = modules->items[i];
		struct entry *cur = &e[n];

		err = check_key(c, modules, i, "module names");
		if (!err && !node_is_str(k, GENERAL) && ++nr_modules > MAX_USER_MODULES)
			err = error_node(c, k, "too many modules: a policy holds at most %d",
					 MAX_USER_MODULES);
		if (!err)
			err = parse_module(c, k, modules->items[i + 1], cur);
		n++;
		for (size_t j = 0; !err && cur->name && j + 1 < n; j++)
			if (e[j].name && !strcmp(e[j].name, cur->name))
				err = error_node(c, k,
						 "'%s' is the same module as '%s' (line %u): merge "
						 "the two entries",
						 node_show(k, buf), node_show(e[j].key, buf2),
						 e[j].key->line);
		if (err && unknown_first(c))
			err = report_unknown(c);
	}
	if (!err && c->unknown_at)
		err = report_unknown(c);
	if (!err && !nr_modules)
		err = error_node(c, modules_key,
				 "only " GENERAL ": there is no module to confine (the "
				 "original applied it to the modules listed with it)");
	if (!err) {
		p->modules = calloc(nr_modules, sizeof(*p->modules));
		if (!p->modules)
			err = error_node(c, modules, "out of memory");
	}
	for (size_t i = 0; !err && i < n; i++) {
		if (e[i].name) {
			all_log &= e[i].action == SECIMPORT_ACT_LOG;
			continue;
		}
		/* The original allowed these to whatever module was running. */
		for (size_t w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
			general[w] |= e[i].allow[w];
	}
	for (size_t i = 0; !err && i < n; i++) {
		struct policy_module *m;
		int clone = syscall_lookup(c->t, "clone"), clone3 = syscall_lookup(c->t, "clone3");

		if (!e[i].name)
			continue;
		m = &p->modules[p->nr_modules++];
		m->name = e[i].name;
		e[i].name = NULL;
		m->line = e[i].key->line;
		m->column = e[i].key->column;
		m->allow_shell = m->allow_networking = m->allow_ctypes = m->allow_file_write =
		    POLICY_UNSET;
		m->has_syscalls = true;
		m->action = e[i].action;
		for (size_t w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
			m->allow[w] = e[i].allow[w] | general[w];
		/* As any list written by hand: the interpreter baseline comes with it. */
		m->interpreter_baseline = POLICY_UNSET;
		m->baseline = true;
		policy_baseline_bits(c->t, m->allow);
		/* As policy.c compiles a list: clone or clone3 listed allows threads. */
		if ((clone >= 0 && policy_allows(m->allow, (unsigned int)clone)) ||
		    (clone3 >= 0 && policy_allows(m->allow, (unsigned int)clone3)))
			policy_thread_start_bits(c->t, m->allow);
		/* and open or openat listed allows opening for writing, anywhere */
		policy_file_write_derive(c->t, m->allow);
		if (policy_allows(m->allow, SECIMPORT_NR_FILE_WRITE))
			set_bit(m->allow, SECIMPORT_NR_WRITE_OUTSIDE);
	}
	entries_free(e, n);
	if (err)
		return -1;
	p->action = all_log ? SECIMPORT_ACT_LOG : ACT_KILL;
	return 0;
}

/* Both entry points once the tree is read (yaml_tree_fn). */
static int import_tree(const struct node *root, void *arg)
{
	struct ctx *c = arg;
	struct policy *out = c->out;
	int err;

	out->source = strdup(c->err.source);
	out->table = c->t;
	out->process_default.name = strdup("process_default");
	if (!out->source || !out->process_default.name)
		err = error_at(c, 0, 0, "out of memory");
	else
		err = convert(c, root, out);
	if (err) {
		policy_free(out);
		return -1;
	}
	/* No process_default: slot 0 allows everything, as policy.c leaves it. */
	out->process_default.allow_shell = out->process_default.allow_networking =
	    out->process_default.allow_ctypes = out->process_default.allow_file_write =
		out->process_default.interpreter_baseline = POLICY_UNSET;
	out->process_default.action = out->action;
	memset(out->process_default.allow, 0xff, sizeof(out->process_default.allow));
	return 0;
}

int policy_import_secimport_buffer(const char *source_name, const void *buf, size_t len,
				   const struct syscall_table *t, struct policy *out,
				   struct policy_diag *diag)
{
	struct ctx c = { .t = t ? t : syscall_table_native(), .out = out };

	memset(out, 0, sizeof(*out));
	yaml_tree_diag_init(&c.err, source_name ? source_name : "<policy>", diag ? diag->msg : NULL,
			    POLICY_DIAG_LEN);
	return yaml_tree_read(&c.err, buf, len, import_tree, &c);
}

int policy_import_secimport(const char *path, const struct syscall_table *t, struct policy *out,
			    struct policy_diag *diag)
{
	struct ctx c = { .t = t ? t : syscall_table_native(), .out = out };

	memset(out, 0, sizeof(*out));
	yaml_tree_diag_init(&c.err, path, diag ? diag->msg : NULL, POLICY_DIAG_LEN);
	return yaml_tree_read_file(&c.err, import_tree, &c);
}

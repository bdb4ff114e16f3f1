// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Import of the original secimport's policies, and the policy merge/import commands. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "import_secimport.h"
#include "policy.h"
#include "policy_tools.h"
#include "policy_writer.h"

#ifndef DATA_DIR
#define DATA_DIR "tests/unit/data/secimport-original"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SRC "orig.yaml"
#define LOG SECIMPORT_ACT_LOG
#define KILL (SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL)
#define THREAD SECIMPORT_NR_THREAD_CREATE

static const struct syscall_table *arch(const char *name)
{
	const struct syscall_table *t = syscall_table_for_arch(name);

	assert_non_null(t);
	return t;
}

static void parse(struct policy *p, const char *yaml)
{
	struct policy_diag d;
	int ret = policy_parse_buffer(p, "expected.yaml", yaml, strlen(yaml), arch("x86_64"), &d);

	if (ret)
		print_error("unexpected: %s\n", d.msg);
	assert_int_equal(ret, 0);
}

static void import_file(struct policy *p, const char *name)
{
	char path[256];
	struct policy_diag d;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", DATA_DIR, name);
	ret = policy_import_secimport(path, arch("x86_64"), p, &d);
	if (ret)
		print_error("unexpected: %s\n", d.msg);
	assert_int_equal(ret, 0);
	assert_string_equal(p->source, path);
}

static const struct policy_module *find(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nr_modules; i++)
		if (!strcmp(p->modules[i].name, name))
			return &p->modules[i];
	print_error("no module '%s'\n", name);
	fail();
	return NULL;
}

static void assert_same_module(const struct policy_module *a, const struct policy_module *b)
{
	for (unsigned int nr = 0; nr < SECIMPORT_SYSCALL_BITS; nr++)
		if (policy_allows(a->allow, nr) != policy_allows(b->allow, nr))
			print_error("%s: bit %u differs\n", a->name, nr);
	assert_memory_equal(a->allow, b->allow, sizeof(a->allow));
	assert_int_equal(a->action, b->action);
	assert_int_equal(a->has_syscalls, b->has_syscalls);
}

static void assert_same_policy(const struct policy *a, const struct policy *b)
{
	assert_int_equal(a->action, b->action);
	assert_int_equal(a->has_process_default, b->has_process_default);
	assert_same_module(&a->process_default, &b->process_default);
	assert_string_equal(a->process_default.name, b->process_default.name);
	assert_int_equal(a->nr_modules, b->nr_modules);
	for (size_t i = 0; i < a->nr_modules; i++)
		assert_same_module(&a->modules[i], find(b, a->modules[i].name));
}

/* Write, parse back: the imported policy is one `run` reads the same way. */
static void assert_writes_back(const struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct policy_diag d;
	struct policy q;

	assert_non_null(f);
	assert_int_equal(policy_write(f, p, NULL), 0);
	assert_int_equal(fclose(f), 0);
	if (policy_parse_buffer(&q, "written.yaml", buf, len, p->table, &d))
		print_error("%s\n%s\n", d.msg, buf);
	assert_same_policy(p, &q);
	policy_free(&q);
	free(buf);
}

/* ---- the sample files ---- */

static void test_web_client(void **state)
{
	struct policy p, e;

	(void)state;
	import_file(&p, "web-client.yaml");
	/* general_requirements went into both lists; pread is pread64. */
	parse(&e, "modules:\n"
		  "  requests:\n"
		  "    syscalls: [connect, getsockopt, poll, recvfrom, sendto, socket,\n"
		  "               brk, close, futex, mmap, munmap, read]\n"
		  "  urllib3:\n"
		  "    action: log\n"
		  "    syscalls: [close, connect, pread64, socket,\n"
		  "               brk, close, futex, mmap, munmap, read]\n");
	assert_same_policy(&e, &p);
	assert_int_equal(p.nr_modules, 2);
	assert_string_equal(p.modules[0].name, "requests");
	assert_int_equal(p.modules[0].line, 5);
	assert_int_equal(p.modules[0].column, 3);
	assert_true(p.modules[0].has_syscalls);
	/* As for any list: the interpreter baseline too (the written file omits it). */
	assert_true(p.modules[0].baseline);
	assert_int_equal(p.modules[0].allow_shell, POLICY_UNSET);
	assert_string_equal(p.modules[1].name, "urllib3");
	assert_int_equal(p.modules[1].line, 14);
	assert_int_equal(p.action, KILL);
	assert_false(p.has_process_default);
	assert_writes_back(&p);
	policy_free(&e);
	policy_free(&p);
}

static void test_paths(void **state)
{
	struct policy p, e;

	(void)state;
	import_file(&p, "paths.yaml");
	parse(&e, "modules:\n"
		  "  /srv/app/plugins/: {syscalls: [read, write, lseek, clone, timerfd_create]}\n"
		  "  /srv/app/report.py: {action: log, syscalls: [read, fstat]}\n"
		  "  zipimport: {syscalls: [openat]}\n");
	assert_same_policy(&e, &p);
	/* clone listed: threads allowed, as policy.c compiles a list. */
	assert_true(policy_allows(find(&p, "/srv/app/plugins/")->allow, THREAD));
	assert_false(policy_allows(find(&p, "zipimport")->allow, THREAD));
	assert_int_equal(find(&p, "zipimport")->line, 12);
	assert_writes_back(&p);
	policy_free(&e);
	policy_free(&p);
}

static void test_macos(void **state)
{
	struct policy p;
	struct policy_diag d;

	(void)state;
	assert_int_equal(
	    policy_import_secimport(DATA_DIR "/macos-dtrace.yaml", arch("x86_64"), &p, &d), -1);
	assert_string_equal(d.msg,
			    DATA_DIR "/macos-dtrace.yaml:8:9: error: unknown syscall "
				     "'read_nocancel' for x86_64 in module 'parser'; all 3 "
				     "unknown names: read_nocancel, stat64, sysctlbyname "
				     "(these are macOS names: a DTrace profile of the original "
				     "lists macOS syscalls; trace the program on Linux instead)");
	assert_null(p.modules);
	assert_null(p.source);
}

static void test_all_log(void **state)
{
	static const char yaml[] = "modules:\n"
				   "  a: {destructive: no, syscall_allowlist: [read]}\n"
				   "  b: {destructive: off, syscall_allowlist: [read, clone3]}\n";
	struct policy p;

	(void)state;
	assert_int_equal(
	    policy_import_secimport_buffer(SRC, yaml, strlen(yaml), arch("x86_64"), &p, NULL), 0);
	/* Every module logs: so does the top level, and the written file says it once. */
	assert_int_equal(p.action, LOG);
	assert_int_equal(p.process_default.action, LOG);
	assert_true(policy_allows(p.modules[1].allow, THREAD));
	assert_writes_back(&p);
	policy_free(&p);
}

static void test_aarch64(void **state)
{
	static const char yaml[] = "modules:\n"
				   "  a: {destructive: true, syscall_allowlist: [openat, read]}\n";
	static const char bad[] = "modules:\n"
				  "  a: {destructive: true, syscall_allowlist: [open, read]}\n";
	struct policy_diag d;
	struct policy p;

	(void)state;
	assert_int_equal(
	    policy_import_secimport_buffer(SRC, yaml, strlen(yaml), arch("aarch64"), &p, &d), 0);
	assert_string_equal(p.table->arch, "aarch64");
	assert_writes_back(&p);
	policy_free(&p);
	assert_int_equal(
	    policy_import_secimport_buffer(SRC, bad, strlen(bad), arch("aarch64"), &p, &d), -1);
	assert_string_equal(d.msg, SRC ":2:46: error: unknown syscall 'open' for aarch64 in module "
				       "'a' (x86_64 has it, aarch64 does not: the original wrote "
				       "x86_64 policies)");
}

/* ---- errors, with their positions ---- */

struct error_case {
	const char *name, *yaml, *msg;
};

#define E(n, y, m)      \
	{               \
		n, y, m \
	}

static struct error_case error_cases[] = {
	E("empty", "", "1:1: error: the file is empty: a secimport policy has 'modules:'"),
	E("comments only", "# x\n",
	  "1:1: error: the file is empty: a secimport policy has "
	  "'modules:'"),
	E("list", "- a\n", "1:1: error: a secimport policy is a mapping with the key 'modules'"),
	E("no modules", "destructive: true\n",
	  "1:1: error: unknown key 'destructive' at the top level: a secimport policy has only "
	  "'modules'"),
	E("modules empty", "modules: {}\n",
	  "1:1: error: 'modules' is empty: there is nothing to import"),
	E("modules null", "\nmodules:\n",
	  "2:1: error: 'modules' is empty: there is nothing to "
	  "import"),
	E("modules list", "modules: [a]\n",
	  "1:10: error: 'modules' must map module names to their settings"),
	E("modules twice", "modules: {a: }\nmodules: {b: }\n",
	  "2:1: error: 'modules' is there twice (first at line 1): merge them"),
	E("module null", "modules:\n  a:\n",
	  "2:3: error: module 'a' must be a mapping with destructive and syscall_allowlist"),
	E("module list", "modules:\n  a: [read]\n",
	  "2:6: error: module 'a' must be a mapping with destructive and syscall_allowlist"),
	E("no destructive", "modules:\n  a:\n    syscall_allowlist: [read]\n",
	  "2:3: error: module 'a' has no destructive (true: kill on violation, false: log); the "
	  "original requires it too"),
	E("destructive quoted", "modules:\n  a:\n    destructive: \"true\"\n",
	  "3:18: error: destructive must be true or false, not 'true'"),
	E("destructive number", "modules:\n  a:\n    destructive: 1\n",
	  "3:18: error: destructive must be true or false, not '1'"),
	E("unknown key", "modules:\n  a:\n    destructive: true\n    allow_shell: false\n",
	  "4:5: error: unknown key 'allow_shell' in module 'a': secimport modules have destructive "
	  "and syscall_allowlist"),
	E("duplicate key", "modules:\n  a:\n    destructive: true\n    destructive: false\n",
	  "4:5: error: 'destructive' is there twice (first at line 3): merge them"),
	E("no list", "modules:\n  a:\n    destructive: true\n",
	  "2:3: error: module 'a' has no syscall_allowlist"),
	E("list empty", "modules:\n  a:\n    destructive: true\n    syscall_allowlist: []\n",
	  "4:24: error: syscall_allowlist of module 'a' must be a non-empty list of syscall names "
	  "(the original refuses an empty one too)"),
	E("list null", "modules:\n  a:\n    destructive: true\n    syscall_allowlist:\n",
	  "4:5: error: syscall_allowlist of module 'a' must be a non-empty list of syscall names "
	  "(the original refuses an empty one too)"),
	E("list item mapping",
	  "modules: {a: {destructive: true, syscall_allowlist: [read, {x: 1}]}}\n",
	  "1:60: error: syscall_allowlist entries must be syscall names"),
	E("list item blank", "modules: {a: {destructive: true, syscall_allowlist: [read, ' ']}}\n",
	  "1:60: error: empty syscall name in the list of module 'a'"),
	E("unknown syscall", "modules: {a: {destructive: true, syscall_allowlist: [read, opne]}}\n",
	  "1:60: error: unknown syscall 'opne' for x86_64 in module 'a'"),
	E("unknown syscalls",
	  "modules:\n"
	  "  a: {destructive: true, syscall_allowlist: [' Foo', read, bar]}\n"
	  "  b: {destructive: true, syscall_allowlist: [foo, baz]}\n",
	  "2:46: error: unknown syscall 'foo' for x86_64 in module 'a'; all 3 unknown names: foo, "
	  "bar, baz"),
	/* The first problem in the file is the one reported. */
	E("unknown before structure",
	  "modules:\n"
	  "  a: {destructive: true, syscall_allowlist: [nope]}\n"
	  "  b: {destructive: maybe, syscall_allowlist: [read]}\n",
	  "2:46: error: unknown syscall 'nope' for x86_64 in module 'a'"),
	E("unknown before a bad item",
	  "modules: {a: {destructive: true, syscall_allowlist: [nope, [read]]}}\n",
	  "1:54: error: unknown syscall 'nope' for x86_64 in module 'a'"),
	E("structure before unknown",
	  "modules:\n"
	  "  a: {destructive: maybe, syscall_allowlist: [read]}\n"
	  "  b: {destructive: true, syscall_allowlist: [nope]}\n",
	  "2:20: error: destructive must be true or false, not 'maybe'"),
	E("string module", "modules:\n  <string>: {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:3: error: '<string>' is code without a file (exec(), python -c, the REPL): there is "
	  "no module to confine; remove this entry"),
	E("frozen bad", "modules:\n  <frozen 9x>: {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:3: error: cannot confine '<frozen 9x>': '9x' is not an import name"),
	E("relative path",
	  "modules:\n  lib/foo.py: {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:3: error: module path 'lib/foo.py' is relative: write the absolute path"),
	E("bad name", "modules:\n  my-module: {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:3: error: invalid module name 'my-module': write an import name such as 'pkg.mod' or "
	  "an absolute path"),
	E("dotdot path", "modules:\n  /a/../b.py: {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:3: error: module path '/a/../b.py' has '.', '..' or empty components: write it as "
	  "the interpreter reports it"),
	E("cut path",
	  "modules:\n"
	  "  /workspace/lib/python3.10/site-packages/urllib3/util/connection:\n"
	  "    destructive: false\n"
	  "    syscall_allowlist: [brk]\n",
	  "2:3: error: module path "
	  "'/workspace/lib/python3.10/site-packages/urllib3/util/connection' "
	  "is 63 bytes long, where bpftrace cut the file names in the original's traces: write "
	  "the full path (a directory with a trailing '/')"),
	E("duplicate module",
	  "modules:\n  a: {destructive: true, syscall_allowlist: [brk]}\n"
	  "  a: {destructive: true, syscall_allowlist: [brk]}\n",
	  "3:3: error: 'a' is there twice (first at line 2): merge them"),
	E("same module",
	  "modules:\n  os: {destructive: true, syscall_allowlist: [brk]}\n"
	  "  <frozen os>: {destructive: true, syscall_allowlist: [brk]}\n",
	  "3:3: error: '<frozen os>' is the same module as 'os' (line 2): merge the two entries"),
	E("only general",
	  "modules:\n  general_requirements: {destructive: true, syscall_allowlist: [brk]}\n",
	  "1:1: error: only general_requirements: there is no module to confine (the original "
	  "applied it to the modules listed with it)"),
	E("anchor", "modules:\n  a: &x {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:6: error: aliases are not supported in policies: remove the anchor '&x'"),
	E("alias",
	  "modules:\n  a: {destructive: true, syscall_allowlist: [brk]}\n"
	  "  b: *x\n",
	  "3:6: error: aliases are not supported in policies: write the value out instead of "
	  "'*x'"),
	E("tag", "modules:\n  a: !!map {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:6: error: YAML tags are not supported in policies: remove the tag '!!map'"),
	E("two documents", "modules: {}\n---\nmodules: {}\n",
	  "2:1: error: a policy is a single YAML document: remove this '---' and merge what "
	  "follows into the first document"),
	E("syntax", "modules:\n  a: {destructive: true\n",
	  "3:1: error: did not find expected ',' or '}' (while parsing a flow mapping that "
	  "starts at line 2, column 6)"),
	E("non-string key", "modules:\n  [a]: {destructive: true, syscall_allowlist: [brk]}\n",
	  "2:3: error: module names must be strings"),
};

static void run_error_case(void **state)
{
	const struct error_case *c = *state;
	char expect[1024];
	struct policy_diag d;
	struct policy p;

	snprintf(expect, sizeof(expect), SRC ":%s", c->msg);
	memset(&p, 0xaa, sizeof(p));
	assert_int_equal(
	    policy_import_secimport_buffer(SRC, c->yaml, strlen(c->yaml), arch("x86_64"), &p, &d),
	    -1);
	if (strcmp(d.msg, expect))
		print_error("yaml:\n%s\n", c->yaml);
	assert_string_equal(d.msg, expect);
	/* Nothing to free after an error. */
	assert_null(p.modules);
	assert_null(p.source);
	assert_null(p.process_default.name);
	assert_int_equal(p.nr_modules, 0);
}

static void test_too_many_modules(void **state)
{
	size_t size = 8192, o = 0;
	char *yaml = malloc(size);
	struct policy_diag d;
	struct policy p;

	(void)state;
	assert_non_null(yaml);
	o += (size_t)snprintf(yaml + o, size - o, "modules:\n");
	o += (size_t)snprintf(yaml + o, size - o,
			      "  general_requirements: {destructive: true, "
			      "syscall_allowlist: [brk]}\n");
	for (int i = 0; i < 63; i++)
		o += (size_t)snprintf(yaml + o, size - o,
				      "  m%d: {destructive: true, syscall_allowlist: [brk]}\n", i);
	assert_int_equal(policy_import_secimport_buffer(SRC, yaml, o, arch("x86_64"), &p, &d), 0);
	assert_int_equal(p.nr_modules, 63);
	assert_writes_back(&p);
	policy_free(&p);
	o += (size_t)snprintf(yaml + o, size - o,
			      "  m63: {destructive: true, syscall_allowlist: [brk]}\n");
	assert_int_equal(policy_import_secimport_buffer(SRC, yaml, o, arch("x86_64"), &p, &d), -1);
	assert_string_equal(d.msg, SRC ":66:3: error: too many modules: a policy holds at most 63");
	free(yaml);
}

static void test_file_errors(void **state)
{
	struct policy_diag d;
	struct policy p;

	(void)state;
	assert_int_equal(policy_import_secimport("/nonexistent/x.yaml", NULL, &p, &d), -1);
	assert_string_equal(
	    d.msg, "/nonexistent/x.yaml: error: cannot read policy: No such file or directory");
	assert_int_equal(policy_import_secimport("/", NULL, &p, &d), -1);
	assert_string_equal(d.msg, "/: error: cannot read policy: Is a directory");
	/* No diag is fine. */
	assert_int_equal(policy_import_secimport("/nonexistent/x.yaml", NULL, &p, NULL), -1);
}

/* ---- the commands ---- */

static char tmpdir[64];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int run(int (*cmd)(int, char **), const char *a0, const char *a1, const char *a2,
	       const char *a3, const char *a4)
{
	char *argv[] = { (char *)a0, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 0;
	int saved_out = dup(1), saved_err = dup(2), null = open("/dev/null", O_WRONLY), ret;

	/* Usage and diagnostics are the commands' business, not the test log's. */
	assert_true(saved_out >= 0 && saved_err >= 0 && null >= 0);
	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	while (argv[argc])
		argc++;
	ret = cmd(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(null);
	return ret;
}

static void test_cmd_import(void **state)
{
	char out[128];
	struct policy p, e;
	struct policy_diag d;
	struct stat st;

	(void)state;
	snprintf(out, sizeof(out), "%s/imported.yaml", tmpdir);
	assert_int_equal(run(policy_cmd_import, "import-secimport", DATA_DIR "/web-client.yaml",
			     "-o", out, NULL),
			 0);
	assert_int_equal(policy_parse_file(&p, out, arch("x86_64"), &d), 0);
	import_file(&e, "web-client.yaml");
	assert_same_policy(&e, &p);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666 & ~(mode_t)022);
	policy_free(&p);
	policy_free(&e);

	/* Bad input: status 2, OUT untouched. */
	assert_int_equal(run(policy_cmd_import, "import-secimport", DATA_DIR "/macos-dtrace.yaml",
			     "-o", out, NULL),
			 2);
	assert_int_equal(policy_parse_file(&p, out, arch("x86_64"), &d), 0);
	policy_free(&p);
	assert_int_equal(run(policy_cmd_import, "import-secimport", NULL, NULL, NULL, NULL), 2);
	assert_int_equal(run(policy_cmd_import, "import-secimport", "a", "b", NULL, NULL), 2);
	assert_int_equal(run(policy_cmd_import, "import-secimport", "--bogus", NULL, NULL, NULL),
			 2);
	assert_int_equal(run(policy_cmd_import, "import-secimport", "--help", NULL, NULL, NULL), 0);
	unlink(out);
}

static void test_cmd_merge(void **state)
{
	char a[128], b[128], bad[128], out[128];
	struct policy p, e;
	struct policy_diag d;

	(void)state;
	snprintf(a, sizeof(a), "%s/a.yaml", tmpdir);
	snprintf(b, sizeof(b), "%s/b.yaml", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.yaml", tmpdir);
	snprintf(out, sizeof(out), "%s/merged.yaml", tmpdir);
	write_text(a, "modules: {m: {syscalls: [read]}, n: {action: log}}\n");
	write_text(b, "modules: {m: {syscalls: [write], action: log}, o: }\n");
	write_text(bad, "modules: {m: {syscalls: [opne]}}\n");
	assert_int_equal(run(policy_cmd_merge, "merge", a, b, "-o", out), 0);
	assert_int_equal(policy_parse_file(&p, out, arch("x86_64"), &d), 0);
	parse(&e, "modules: {m: {syscalls: [read, write]}, n: {action: log}, o: }\n");
	assert_same_policy(&e, &p);
	policy_free(&p);
	policy_free(&e);

	/* OUT may be an input: it is replaced whole, after reading. */
	assert_int_equal(run(policy_cmd_merge, "merge", out, a, "--output", out), 0);
	assert_int_equal(policy_parse_file(&p, out, arch("x86_64"), &d), 0);
	assert_int_equal(p.nr_modules, 3);
	policy_free(&p);

	assert_int_equal(run(policy_cmd_merge, "merge", a, bad, "-o", out), 2);
	assert_int_equal(run(policy_cmd_merge, "merge", NULL, NULL, NULL, NULL), 2);
	assert_int_equal(run(policy_cmd_merge, "merge", "-o", NULL, NULL, NULL), 2);
	assert_int_equal(run(policy_cmd_merge, "merge", "-h", NULL, NULL, NULL), 0);
	/* A directory that does not exist: status 1, nothing left behind. */
	assert_int_equal(run(policy_cmd_merge, "merge", a, "-o", "/nonexistent/dir/x.yaml", NULL),
			 1);
	unlink(a);
	unlink(b);
	unlink(bad);
	unlink(out);
}

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/secimport-tools-XXXXXX");
	umask(022);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web_client),  cmocka_unit_test(test_paths),
		cmocka_unit_test(test_macos),	    cmocka_unit_test(test_all_log),
		cmocka_unit_test(test_aarch64),	    cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_file_errors),
	};
	const struct CMUnitTest cmd_tests[] = {
		cmocka_unit_test(test_cmd_import),
		cmocka_unit_test(test_cmd_merge),
	};
	struct CMUnitTest error_tests[ARRAY_SIZE(error_cases)];
	int failed;

	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++)
		error_tests[i] = (struct CMUnitTest){
			.name = error_cases[i].name,
			.test_func = run_error_case,
			.initial_state = &error_cases[i],
		};
	failed = cmocka_run_group_tests_name("import secimport", tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("import secimport errors", error_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("policy merge/import commands", cmd_tests, setup_tmp,
					      teardown_tmp);
	return failed;
}

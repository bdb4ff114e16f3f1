// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyruntime_read() on every CPython this machine has: the offsets it returns
 * equal the generated table (3.8-3.12) or, for 3.13, the header values of
 * py_offsets_check_table; and, run live, each interpreter follows its own
 * _PyRuntime -> thread states -> frames -> code -> str with them.
 *
 * Interpreters: ${PYENV_ROOT:-$HOME/.pyenv}/versions/3.X.* (built
 * --enable-shared) and /usr/bin/python3.11 (Debian, static). One that is
 * missing fails its case: these tests prove the engine's offsets.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "py_offsets_table.h"
#include "pyelf.h"
#include "pyruntime.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DEBIAN_PYTHON "/usr/bin/python3.11"

#define FIELDS SECIMPORT_PY_OFFSETS_FIELDS

/* The walker script, run by each interpreter (see live_check()). */
static const char walk_py[] =
    "# Follow this interpreter's own structures with the offsets given as\n"
    "# name=value arguments; print \"check: ok|FAIL|n/a detail\" lines, then RESULT.\n"
    "import ctypes\n"
    "import os\n"
    "import sys\n"
    "import threading\n"
    "\n"
    "NONE = 0xFFFFFFFF\n"
    "args = dict(a.split(\"=\", 1) for a in sys.argv[1:])\n"
    "O = {k: int(v) for k, v in args.items() if k != \"elf\"}\n"
    "VP = ctypes.c_void_p\n"
    "api = ctypes.pythonapi\n"
    "api.PyThreadState_Get.restype = VP\n"
    "results = []\n"
    "\n"
    "\n"
    "def check(name, ok, detail=\"\"):\n"
    "    results.append((name, \"ok\" if ok else \"FAIL\", detail))\n"
    "\n"
    "\n"
    "def ptr(addr):\n"
    "    return VP.from_address(addr).value or 0\n"
    "\n"
    "\n"
    "def read_str(obj):\n"
    "    if not obj:\n"
    "        return None\n"
    "    length = ctypes.c_ssize_t.from_address(obj + O[\"unicode_length\"]).value\n"
    "    state = ctypes.c_uint32.from_address(obj + O[\"unicode_state\"]).value\n"
    "    kind, compact, ascii = (state >> 2) & 7, (state >> 5) & 1, (state >> 6) & 1\n"
    "    if not compact or length < 0 or length > 4096 or kind not in (1, 2, 4):\n"
    "        return None\n"
    "    data = obj + O[\"unicode_ascii_data\" if ascii else \"unicode_compact_data\"]\n"
    "    raw = ctypes.string_at(data, length * kind)\n"
    "    return raw.decode({1: \"latin-1\", 2: \"utf-16-le\", 4: \"utf-32-le\"}[kind])\n"
    "\n"
    "\n"
    "def walk(frame, who):\n"
    "    \"\"\"(file, name, firstlineno) from @frame down, C-stack shims skipped.\"\"\"\n"
    "    out, shims = [], 0\n"
    "    while frame and len(out) < 200:\n"
    "        code = ptr(frame + O[\"frame_code\"]) & ~O[\"frame_code_tag_bits\"]\n"
    "        if O[\"frame_owner\"] != NONE:\n"
    "            owner = ctypes.c_ubyte.from_address(frame + O[\"frame_owner\"]).value\n"
    "            if owner >= O[\"frame_owner_cstack\"]:\n"
    "                shims += 1\n"
    "                if sys.version_info >= (3, 13):\n"
    "                    check(\"shim_executable_is_None_\" + who, code == id(None))\n"
    "                frame = ptr(frame + O[\"frame_previous\"])\n"
    "                continue\n"
    "        line = ctypes.c_int.from_address(code + O[\"code_firstlineno\"]).value\n"
    "        out.append((read_str(ptr(code + O[\"code_filename\"])),\n"
    "                    read_str(ptr(code + O[\"code_name\"])), line))\n"
    "        frame = ptr(frame + O[\"frame_previous\"])\n"
    "    return out, shims\n"
    "\n"
    "\n"
    "def truth(f):\n"
    "    out = []\n"
    "    while f is not None:\n"
    "        c = f.f_code\n"
    "        out.append((c.co_filename, c.co_name, c.co_firstlineno))\n"
    "        f = f.f_back\n"
    "    return out\n"
    "\n"
    "\n"
    "def current_frame(tstate):\n"
    "    if O[\"tstate_cframe\"] != NONE:\n"
    "        return ptr(ptr(tstate + O[\"tstate_cframe\"]) + O[\"cframe_current_frame\"])\n"
    "    return ptr(tstate + O[\"tstate_frame\"])\n"
    "\n"
    "\n"
    "def walk_from_here(tstate):\n"
    "    # Only C calls until walk(): the frame the reads find is this function's,\n"
    "    # and it stays in place while walk() runs above it.\n"
    "    me = sys._getframe()\n"
    "    if O[\"tstate_cframe\"] != NONE:\n"
    "        cframe = VP.from_address(tstate + O[\"tstate_cframe\"]).value\n"
    "        frame = VP.from_address(cframe + O[\"cframe_current_frame\"]).value\n"
    "    else:\n"
    "        frame = VP.from_address(tstate + O[\"tstate_frame\"]).value\n"
    "    return walk(frame, \"main\") + (truth(me),)\n"
    "\n"
    "\n"
    "def load_base(path):\n"
    "    \"\"\"Where @path is mapped: 0 for ET_EXEC, else its offset-0 mapping.\"\"\"\n"
    "    with open(path, \"rb\") as f:\n"
    "        if int.from_bytes(f.read(18)[16:18], \"little\") == 2:\n"
    "            return 0\n"
    "    real = os.path.realpath(path)\n"
    "    with open(\"/proc/self/maps\") as f:\n"
    "        for line in f:\n"
    "            fields = line.split()\n"
    "            if len(fields) >= 6 and fields[5] == real and fields[2] == \"00000000\":\n"
    "                return int(fields[0].split(\"-\")[0], 16)\n"
    "    return None\n"
    "\n"
    "\n"
    "def check_threads(runtime, info):\n"
    "    tstate = api.PyThreadState_Get()\n"
    "    interp = ptr(runtime + O[\"runtime_interpreters_head\"])\n"
    "    seen, ts = [], ptr(interp + O[\"interp_threads_head\"])\n"
    "    while ts and len(seen) < 64:\n"
    "        seen.append(ts)\n"
    "        ts = ptr(ts + O[\"tstate_next\"])\n"
    "    check(\"tstate_list_has_main\", tstate in seen, \"%d states\" % len(seen))\n"
    "    check(\"tstate_list_has_worker\", info[\"tstate\"] in seen)\n"
    "    mine = (threading.get_ident(), threading.get_native_id())\n"
    "    theirs = (info[\"ident\"], info[\"native\"])\n"
    "    for who, ts, (ident, native) in ((\"main\", tstate, mine),\n"
    "                                     (\"worker\", info[\"tstate\"], theirs)):\n"
    "        got = ctypes.c_ulong.from_address(ts + O[\"tstate_thread_id\"]).value\n"
    "        check(\"thread_id_\" + who, got == ident, \"%#x vs %#x\" % (got, ident))\n"
    "        name = \"native_thread_id_\" + who\n"
    "        if O[\"tstate_native_thread_id\"] == NONE:\n"
    "            results.append((name, \"n/a\", \"not in this version\"))\n"
    "            continue\n"
    "        got = ctypes.c_ulong.from_address(ts + O[\"tstate_native_thread_id\"]).value\n"
    "        check(name, got == native, \"%d vs %d\" % (got, native))\n"
    "    return tstate\n"
    "\n"
    "\n"
    "def run():\n"
    "    runtime = ctypes.addressof(ctypes.c_char.in_dll(api, \"_PyRuntime\"))\n"
    "    base = load_base(args[\"elf\"])\n"
    "    check(\"runtime_vaddr\",\n"
    "          base is not None and runtime - base == O[\"runtime_vaddr\"],\n"
    "          \"_PyRuntime at %#x, ELF loaded at %s\" % (runtime, base))\n"
    "    try:\n"
    "        init = ctypes.cast(api._PyRuntime_Initialize, VP).value\n"
    "        check(\"init_vaddr\", base is not None and init - base == O[\"init_vaddr\"])\n"
    "    except AttributeError:\n"
    "        results.append((\"init_vaddr\", \"n/a\", \"_PyRuntime_Initialize not exported\"))\n"
    "\n"
    "    # A second thread, parked in C inside worker(): a list of two thread\n"
    "    # states, and a stack that is not the reader's own.\n"
    "    gate, ready, info = threading.Lock(), threading.Event(), {}\n"
    "    gate.acquire()\n"
    "\n"
    "    def worker():\n"
    "        info[\"tstate\"] = api.PyThreadState_Get()\n"
    "        info[\"ident\"] = threading.get_ident()\n"
    "        info[\"native\"] = threading.get_native_id()\n"
    "        ready.set()\n"
    "        gate.acquire()\n"
    "\n"
    "    thread = threading.Thread(target=worker)\n"
    "    thread.start()\n"
    "    ready.wait()\n"
    "\n"
    "    def walk_here(_):\n"
    "        tstate = check_threads(runtime, info)\n"
    "        stack, shims, want = walk_from_here(tstate)\n"
    "        check(\"main_stack\", stack == want and stack[0][1] == \"walk_from_here\",\n"
    "              \"%d frames, %d shims skipped: %r\" % (len(stack), shims, stack))\n"
    "        if O[\"frame_owner_cstack\"] != NONE:\n"
    "            check(\"main_shims_skipped\", shims >= 1, \"%d\" % shims)\n"
    "        names = [name for _, name, _ in stack]\n"
    "        want = (\"walk_\\u51fd\\u6570\", \"probe_f\\u00fcnction\", \"<module>\")\n"
    "        check(\"nonascii_names\", all(n in names for n in want), \"%r\" % names)\n"
    "        check(\"script_filename\", stack[-1][0] == sys.argv[0], \"%r\" % stack[-1][0])\n"
    "\n"
    "        wstack, wshims = walk(current_frame(info[\"tstate\"]), \"worker\")\n"
    "        wwant = truth(sys._current_frames()[info[\"ident\"]])\n"
    "        check(\"worker_stack\", wstack == wwant and wstack[0][1] == \"worker\",\n"
    "              \"%d frames, %d shims skipped: %r\" % (len(wstack), wshims, wstack))\n"
    "\n"
    "    # Non-ASCII names: a kind 2 and a kind 1 string (the file name is kind 4).\n"
    "    walk_here.__code__ = walk_here.__code__.replace(co_name=\"walk_\\u51fd\\u6570\")\n"
    "\n"
    "    def probe():\n"
    "        # map() calls back from C: a shim frame in 3.12 and later.\n"
    "        list(map(walk_here, [0]))\n"
    "\n"
    "    probe.__code__ = probe.__code__.replace(co_name=\"probe_f\\u00fcnction\")\n"
    "    try:\n"
    "        probe()\n"
    "    finally:\n"
    "        gate.release()\n"
    "        thread.join()\n"
    "\n"
    "\n"
    "try:\n"
    "    run()\n"
    "except Exception as e:\n"
    "    import traceback\n"
    "    traceback.print_exc(file=sys.stdout)\n"
    "    check(\"no_exception\", False, repr(e))\n"
    "for name, status, detail in results:\n"
    "    print(\"%s: %s %s\" % (name, status, detail))\n"
    "bad = [n for n, s, _ in results if s == \"FAIL\"]\n"
    "print(\"RESULT: %s\" % (\"ok\" if results and not bad else \"FAIL \" + \" \".join(bad)))\n";

/* snprintf() that fails the test rather than cut a path short. */
static void fmt(char *out, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *out, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(out, len, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		fail_msg("%zu bytes are too few for \"%s\"", len, f);
}

static char tmpdir[PATH_MAX];
static char script_dir[PATH_MAX];
static char script[PATH_MAX];
static char stripped[PATH_MAX];

/* $PYENV_ROOT, or pyenv's default: ~/.pyenv. */
static const char *pyenv_root(void)
{
	static char def[PATH_MAX];
	const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");

	if (root && *root)
		return root;
	snprintf(def, sizeof(def), "%s/.pyenv", home && *home ? home : "");
	return def;
}

/* The highest installed 3.@minor.N of pyenv, or fail the test saying so. */
static void pyenv_prefix(int minor, char *out, size_t len)
{
	char dir[PATH_MAX], want[16];
	struct dirent *e;
	long best = -1;
	DIR *d;

	fmt(dir, sizeof(dir), "%s/versions", pyenv_root());
	fmt(want, sizeof(want), "3.%d.", minor);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		const char *patch;
		char *end;
		long n;

		if (strncmp(e->d_name, want, strlen(want)))
			continue;
		patch = e->d_name + strlen(want);
		n = strtol(patch, &end, 10);
		if (end == patch || *end || n <= best)
			continue;
		best = n;
		fmt(out, len, "%s/%s", dir, e->d_name);
	}
	if (d)
		closedir(d);
	if (best < 0)
		fail_msg("CPython 3.%d is missing: no %s/3.%d.* (install it: pyenv install 3.%d)",
			 minor, dir, minor, minor);
}

static void need_file(const char *path, const char *what)
{
	if (access(path, R_OK))
		fail_msg("%s is missing: %s: %s", what, path, strerror(errno));
}

/* pyenv's libpython3.X (3.6 and 3.7 have the m ABI suffix). */
static void pyenv_libpython(int minor, char *out, size_t len)
{
	char prefix[PATH_MAX];

	pyenv_prefix(minor, prefix, sizeof(prefix));
	fmt(out, len, "%s/lib/libpython3.%d%s.so.1.0", prefix, minor, minor < 8 ? "m" : "");
	need_file(out, "libpython");
}

/* Debian sid's CPython 3.X, unpacked by scripts/get-python-sid.sh (make pythons-sid). */
static void sid_python(int minor, char *out, size_t len)
{
	const char *dir = getenv("SECIMPORT_SID_PYTHONS");

	fmt(out, len, "%s/3.%d/usr/bin/python3.%d", dir ? dir : ".output/pythons", minor, minor);
	need_file(out, "Debian sid's CPython (make pythons-sid)");
}

static const struct secimport_py_offsets *expected(int minor)
{
	for (size_t i = 0; i < ARRAY_SIZE(py_offsets_table); i++)
		if (py_offsets_table[i].major == 3 && (int)py_offsets_table[i].minor == minor)
			return &py_offsets_table[i];
	for (size_t i = 0; i < ARRAY_SIZE(py_offsets_check_table); i++)
		if (py_offsets_check_table[i].major == 3 &&
		    (int)py_offsets_check_table[i].minor == minor)
			return &py_offsets_check_table[i];
	fail_msg("no 3.%d entry in user/py_offsets_table.h: run scripts/gen_py_offsets.sh", minor);
	return NULL;
}

static void assert_offsets_equal(const char *what, const struct secimport_py_offsets *got,
				 const struct secimport_py_offsets *want)
{
	int bad = 0;

#define CMP(f)                                                                                \
	if (got->f != want->f) {                                                              \
		print_error("%s: " #f " is %u, the headers say %u\n", what, got->f, want->f); \
		bad++;                                                                        \
	}
	FIELDS(CMP)
#undef CMP
	if (bad)
		fail_msg("%s: %d offsets differ from the headers'", what, bad);
}

struct child {
	pid_t pid;
	int in; /* its stdin, or -1 */
	int out; /* its stdout and stderr */
};

/* Start @argv with pipes on stdin (if @with_stdin) and stdout+stderr. */
static void spawn(char *const argv[], bool with_stdin, struct child *c)
{
	int in[2] = { -1, -1 }, out[2];

	if ((with_stdin && pipe2(in, O_CLOEXEC)) || pipe2(out, O_CLOEXEC))
		fail_msg("pipe: %s", strerror(errno));
	c->pid = fork();
	if (c->pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (!c->pid) {
		int null = open("/dev/null", O_RDONLY);

		dup2(with_stdin ? in[0] : null, 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execv(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (with_stdin)
		close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
}

/* Read what @c prints until EOF or @timeout_ms; NUL-terminated in @buf. */
static size_t collect(struct child *c, char *buf, size_t len, int timeout_ms, const char *until)
{
	size_t n = 0;

	buf[0] = '\0';
	while (n + 1 < len) {
		struct pollfd p = { .fd = c->out, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		r = read(c->out, buf + n, len - 1 - n);
		if (r <= 0)
			break;
		n += r;
		buf[n] = '\0';
		if (until && strstr(buf, until))
			break;
	}
	return n;
}

static int reap(struct child *c)
{
	int status = 0;

	if (c->in >= 0)
		close(c->in);
	close(c->out);
	if (waitpid(c->pid, &status, WNOHANG) == 0) {
		/* Give it a moment after its stdin closed, then stop it. */
		for (int i = 0; i < 100 && waitpid(c->pid, &status, WNOHANG) == 0; i++)
			usleep(50 * 1000);
		if (kill(c->pid, 0) == 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
		}
	}
	return status;
}

static int run_capture(char *const argv[], char *buf, size_t len)
{
	struct child c;

	spawn(argv, false, &c);
	collect(&c, buf, len, 60 * 1000, NULL);
	return reap(&c);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		fail_msg("write %s: %s", path, strerror(errno));
}

static int group_setup(void **state)
{
	(void)state;
	fmt(tmpdir, sizeof(tmpdir), "/tmp/test_pyruntime.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* "walk-<pi>-<snake>": the script's co_filename is a 4-byte-kind str. */
	fmt(script_dir, sizeof(script_dir), "%s/walk-\xcf\x80-\xf0\x9f\x90\x8d", tmpdir);
	fmt(script, sizeof(script), "%s/walk.py", script_dir);
	fmt(stripped, sizeof(stripped), "%s/libpython-stripped.so", tmpdir);
	if (mkdir(script_dir, 0700))
		return -1;
	write_file(script, walk_py);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(script);
	unlink(stripped);
	rmdir(script_dir);
	rmdir(tmpdir);
	return 0;
}

static void test_table_shape(void **state)
{
	(void)state;
	assert_int_equal(ARRAY_SIZE(py_offsets_table), 5);
	for (size_t i = 0; i < ARRAY_SIZE(py_offsets_table); i++) {
		const struct secimport_py_offsets *o = &py_offsets_table[i];
		unsigned int m = 8 + i;

		assert_int_equal(o->major, 3);
		assert_int_equal(o->minor, m);
		/* Which way each version reaches its frames. */
		assert_true((o->tstate_native_thread_id == SECIMPORT_PY_NONE) == (m < 11));
		assert_true((o->tstate_cframe == SECIMPORT_PY_NONE) == (m < 11));
		assert_true((o->cframe_current_frame == SECIMPORT_PY_NONE) == (m < 11));
		assert_true((o->tstate_frame == SECIMPORT_PY_NONE) == (m >= 11));
		assert_true((o->frame_owner == SECIMPORT_PY_NONE) == (m < 11));
		assert_true((o->frame_owner_cstack == SECIMPORT_PY_NONE) == (m < 12));
		assert_int_not_equal(o->tstate_thread_id, SECIMPORT_PY_NONE);
		assert_int_not_equal(o->code_filename, 0);
		assert_true(o->unicode_compact_data > o->unicode_ascii_data);
		assert_int_equal(o->frame_code_tag_bits, 0);
	}
	assert_int_equal(expected(13)->frame_owner_cstack, 3);
	assert_int_equal(expected(13)->tstate_cframe, SECIMPORT_PY_NONE);
}

/* pyruntime_read() of pyenv's libpython3.X equals the headers. */
static void test_pyenv(void **state)
{
	int minor = *(int *)*state;
	struct secimport_interp interp;
	char lib[PATH_MAX], err[512];

	pyenv_libpython(minor, lib, sizeof(lib));
	if (pyruntime_read(lib, 3, minor, &interp, err, sizeof(err)))
		fail_msg("pyruntime_read(%s): %s", lib, err);
	assert_true(interp.runtime_vaddr);
	assert_true(interp.init_vaddr);
	assert_int_not_equal(interp.runtime_vaddr, interp.init_vaddr);
	assert_offsets_equal(lib, &interp.off, expected(minor));
	/* Functions are shared between interpreters from 3.14 only. */
	assert_int_equal(interp.marshal_dump_vaddr, 0);
	assert_int_equal(interp.marshal_load_vaddr, 0);
}

static void test_debian_python(void **state)
{
	struct secimport_interp interp;
	char err[512];

	(void)state;
	need_file(DEBIAN_PYTHON, "Debian's python3.11 (apt-get install python3.11)");
	if (pyruntime_read(DEBIAN_PYTHON, 3, 11, &interp, err, sizeof(err)))
		fail_msg("pyruntime_read(%s): %s", DEBIAN_PYTHON, err);
	assert_true(interp.runtime_vaddr);
	assert_true(interp.init_vaddr);
	assert_offsets_equal(DEBIAN_PYTHON, &interp.off, expected(11));
}

static void expect_unsupported(const char *path, int major, int minor)
{
	struct secimport_interp interp, zero = { 0 };
	char err[512], want[256];

	memset(&interp, 0xa5, sizeof(interp));
	fmt(want, sizeof(want),
	    "CPython %d.%d is not supported by the stack-walking engine (supported: 3.8 to "
	    "3.15)",
	    major, minor);
	assert_int_equal(pyruntime_read(path, major, minor, &interp, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_memory_equal(&interp, &zero, sizeof(zero));
}

static void test_unsupported(void **state)
{
	char lib[PATH_MAX];

	(void)state;
	pyenv_libpython(6, lib, sizeof(lib));
	expect_unsupported(lib, 3, 6);
	pyenv_libpython(7, lib, sizeof(lib));
	expect_unsupported(lib, 3, 7);
	pyenv_libpython(13, lib, sizeof(lib));
	expect_unsupported(lib, 3, 16);
	expect_unsupported(lib, 3, 99);
	expect_unsupported(lib, 2, 7);
	expect_unsupported(lib, 4, 0);
	expect_unsupported("/nonexistent", 3, 5);
}

static void expect_error(const char *path, int minor, const char *want)
{
	struct secimport_interp interp;
	char err[512];

	if (pyruntime_read(path, 3, minor, &interp, err, sizeof(err)) != -1)
		fail_msg("pyruntime_read(%s, 3.%d) succeeded, expected \"%s\"", path, minor, want);
	if (!strstr(err, want))
		fail_msg("pyruntime_read(%s, 3.%d): \"%s\", expected \"%s\"", path, minor, err,
			 want);
}

/* The file is another version than the caller says: Py_Version (3.11+). */
static void test_version_mismatch(void **state)
{
	char lib[PATH_MAX];

	(void)state;
	pyenv_libpython(12, lib, sizeof(lib));
	expect_error(lib, 11, "is CPython 3.12 (Py_Version 0x30c");
	expect_error(lib, 13, "is CPython 3.12 (Py_Version 0x30c");
	expect_error(lib, 10, ", not 3.10");
	pyenv_libpython(13, lib, sizeof(lib));
	expect_error(lib, 12, "is CPython 3.13 (Py_Version 0x30d");
	expect_error(DEBIAN_PYTHON, 12, "is CPython 3.11");
}

static void test_missing_symbols(void **state)
{
	char prefix[PATH_MAX], exe[PATH_MAX], lib[PATH_MAX], want[PATH_MAX + 128];
	char out[4096];

	(void)state;
	/* This test program is no Python. */
	expect_error("/proc/self/exe", 11,
		     "no _PyRuntime symbol in /proc/self/exe: is it a CPython interpreter or "
		     "libpython?");
	/* pyenv's python3.12 links libpython: say so. */
	pyenv_prefix(12, prefix, sizeof(prefix));
	fmt(exe, sizeof(exe), "%s/bin/python3.12", prefix);
	need_file(exe, "pyenv's python3.12");
	fmt(want, sizeof(want),
	    "no _PyRuntime symbol in %s: it loads libpython3.12.so.1.0, read that instead", exe);
	expect_error(exe, 12, want);
	expect_error("/nonexistent/libpython3.12.so", 12,
		     "cannot open '/nonexistent/libpython3.12.so': No such file");
	expect_error(script, 12, "is not an ELF file");

	/* 3.13 keeps _PyRuntime_Initialize in .symtab only: stripped, it is gone. */
	pyenv_libpython(13, lib, sizeof(lib));
	{
		char *argv[] = { "/usr/bin/strip", "--strip-all", "-o", stripped, lib, NULL };
		int status;

		need_file(argv[0], "strip (binutils)");
		status = run_capture(argv, out, sizeof(out));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail_msg("strip %s failed: %s", lib, out);
	}
	/* ...and the exported Py_InitializeFromConfig stands in for it. */
	{
		struct secimport_interp full, bare;
		char err[512];
		__u64 off;

		if (pyruntime_read(lib, 3, 13, &full, err, sizeof(err)) ||
		    pyruntime_read(stripped, 3, 13, &bare, err, sizeof(err)))
			fail_msg("pyruntime_read of 3.13 (stripped or not) failed: %s", err);
		assert_int_equal(full.runtime_vaddr, bare.runtime_vaddr);
		assert_int_not_equal(bare.init_vaddr, 0);
		assert_int_equal(pyruntime_file_offset(stripped, bare.init_vaddr, &off), 0);
		assert_memory_equal(&full.off, &bare.off, sizeof(full.off));
		/* The constructor too: found without its .symtab name. */
		assert_int_not_equal(bare.code_new_vaddr, 0);
		assert_int_equal(full.code_new_vaddr, bare.code_new_vaddr);
	}
}

/* The bytes of _Py_DebugOffsets at the start of _PyRuntime in @path. */
static void read_debug_offsets(const char *path, unsigned char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	GElf_Sym sym = { 0 };
	bool found = false;
	size_t phnum;
	Elf *elf;

	assert_true(fd >= 0);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNSYM)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; !found && i < shdr.sh_size / shdr.sh_entsize; i++) {
			gelf_getsym(data, (int)i, &sym);
			found = sym.st_shndx != SHN_UNDEF &&
				!strcmp(elf_strptr(elf, shdr.sh_link, sym.st_name), "_PyRuntime");
		}
	}
	assert_true(found);
	assert_int_equal(elf_getphdrnum(elf, &phnum), 0);
	found = false;
	for (size_t i = 0; !found && i < phnum; i++) {
		GElf_Phdr ph;

		gelf_getphdr(elf, (int)i, &ph);
		if (ph.p_type != PT_LOAD || sym.st_value < ph.p_vaddr ||
		    sym.st_value + len > ph.p_vaddr + ph.p_filesz)
			continue;
		assert_int_equal(pread(fd, buf, len, ph.p_offset + (sym.st_value - ph.p_vaddr)),
				 len);
		found = true;
	}
	assert_true(found);
	elf_end(elf);
	close(fd);
}

static void expect_parse_error(const unsigned char *buf, size_t len, int minor, const char *want)
{
	struct secimport_py_offsets off;
	char err[512];

	if (pyruntime_parse_debug_offsets(buf, len, 3, minor, &off, err, sizeof(err)) != -1)
		fail_msg("parsing succeeded, expected \"%s\"", want);
	if (!strstr(err, want))
		fail_msg("parse error \"%s\", expected \"%s\"", err, want);
}

/* The 3.13 blob decoded against the headers, and damaged copies refused. */
static void test_debug_offsets(void **state)
{
	unsigned char blob[584], bad[sizeof(blob)];
	struct secimport_py_offsets off;
	char lib[PATH_MAX], err[512];
	uint64_t v;

	(void)state;
	pyenv_libpython(13, lib, sizeof(lib));
	read_debug_offsets(lib, blob, sizeof(blob));
	if (pyruntime_parse_debug_offsets(blob, sizeof(blob), 3, 13, &off, err, sizeof(err)))
		fail_msg("%s: %s", lib, err);
	assert_offsets_equal("3.13 _Py_DebugOffsets", &off, expected(13));

	expect_parse_error(blob, sizeof(blob) - 1, 13, "583 bytes, need 584");
	expect_parse_error(blob, sizeof(blob), 12, "CPython 3.12 is not supported");
	expect_parse_error(blob, sizeof(blob), 16, "CPython 3.16 is not supported");
	/* A 3.13 blob read as 3.14's: too short, then the wrong version. */
	expect_parse_error(blob, sizeof(blob), 14, "584 bytes, need 760");

	memcpy(bad, blob, sizeof(bad));
	bad[0] = 'y';
	expect_parse_error(bad, sizeof(bad), 13, "does not start with the _Py_DebugOffsets cookie");

	memcpy(bad, blob, sizeof(bad));
	v = 0x030c01f0; /* 3.12.1 */
	memcpy(bad + 8, &v, sizeof(v));
	expect_parse_error(bad, sizeof(bad), 13, "describes CPython 3.12 (version 0x30c01f0)");

	memcpy(bad, blob, sizeof(bad));
	v = 1;
	memcpy(bad + 16, &v, sizeof(v));
	expect_parse_error(bad, sizeof(bad), 13, "free-threaded CPython 3.13");

	memcpy(bad, blob, sizeof(bad));
	v = 1ull << 40; /* runtime_state.interpreters_head */
	memcpy(bad + 40, &v, sizeof(v));
	expect_parse_error(bad, sizeof(bad), 13, "implausible interpreters_head");

	memcpy(bad, blob, sizeof(bad));
	memcpy(&v, bad + 48, sizeof(v)); /* interpreter_state.size */
	memcpy(bad + 72, &v, sizeof(v)); /* its threads_head: one past the end */
	expect_parse_error(bad, sizeof(bad), 13, "implausible threads_head");

	memcpy(bad, blob, sizeof(bad));
	memcpy(&v, bad + 536, sizeof(v)); /* unicode_object.size */
	v += 8;
	memcpy(bad + 536, &v, sizeof(v));
	expect_parse_error(bad, sizeof(bad), 13, "sizeof(PyUnicodeObject)");
}

static void test_find_libpython(void **state)
{
	char prefix[PATH_MAX], exe[PATH_MAX], lib[PATH_MAX], found[PATH_MAX], out[256];
	char real_found[PATH_MAX], real_lib[PATH_MAX];
	char *ready = "import sys; print('ready', flush=True); sys.stdin.read()";
	char found_short[8];
	struct child c;
	int short_r, e;

	(void)state;
	errno = 0;
	assert_int_equal(pyruntime_find_libpython(getpid(), found, sizeof(found)), -1);
	assert_int_equal(errno, ENOENT);

	pyenv_prefix(12, prefix, sizeof(prefix));
	fmt(exe, sizeof(exe), "%s/bin/python3.12", prefix);
	fmt(lib, sizeof(lib), "%s/lib/libpython3.12.so.1.0", prefix);
	need_file(exe, "pyenv's python3.12");
	{
		char *argv[] = { exe, "-I", "-c", ready, NULL };
		int r;

		spawn(argv, true, &c);
		collect(&c, out, sizeof(out), 30 * 1000, "ready\n");
		r = pyruntime_find_libpython(c.pid, found, sizeof(found));
		short_r = pyruntime_find_libpython(c.pid, found_short, sizeof(found_short));
		e = errno;
		reap(&c);
		assert_int_equal(short_r, -1);
		assert_int_equal(e, ENAMETOOLONG);
		if (r)
			fail_msg("no libpython in the maps of %s (it printed \"%s\")", exe, out);
	}
	assert_non_null(realpath(found, real_found));
	assert_non_null(realpath(lib, real_lib));
	assert_string_equal(real_found, real_lib);

	need_file(DEBIAN_PYTHON, "Debian's python3.11");
	{
		char *argv[] = { DEBIAN_PYTHON, "-I", "-c", ready, NULL };
		int r;

		spawn(argv, true, &c);
		collect(&c, out, sizeof(out), 30 * 1000, "ready\n");
		assert_string_equal(out, "ready\n");
		r = pyruntime_find_libpython(c.pid, found, sizeof(found));
		e = errno;
		reap(&c);
		assert_int_equal(r, -1);
		assert_int_equal(e, ENOENT);
	}
}

struct live {
	int minor;
	bool debian;
	bool sid; /* Debian sid's, unpacked (make pythons-sid) */
};

/*
 * Run the interpreter on walk_py with the offsets pyruntime_read() gave:
 * from its own _PyRuntime it must reach its thread states, their thread
 * ids, and every frame of two stacks with file, function and line.
 */
static void test_live(void **state)
{
	const struct live *l = *state;
	char prefix[PATH_MAX], exe[PATH_MAX], elf[PATH_MAX], err[512];
	char args[32][96], *argv[48], out[64 * 1024];
	struct secimport_interp interp;
	const char *result;
	int status, argc = 0, n = 0;

	if (l->sid) {
		sid_python(l->minor, exe, sizeof(exe));
		fmt(elf, sizeof(elf), "%s", exe);
	} else if (l->debian) {
		fmt(exe, sizeof(exe), "%s", DEBIAN_PYTHON);
		fmt(elf, sizeof(elf), "%s", DEBIAN_PYTHON);
		need_file(exe, "Debian's python3.11");
	} else {
		pyenv_prefix(l->minor, prefix, sizeof(prefix));
		fmt(exe, sizeof(exe), "%s/bin/python3.%d", prefix, l->minor);
		pyenv_libpython(l->minor, elf, sizeof(elf));
		need_file(exe, "the interpreter");
	}
	if (pyruntime_read(elf, 3, l->minor, &interp, err, sizeof(err)))
		fail_msg("pyruntime_read(%s): %s", elf, err);

	argv[argc++] = exe;
	argv[argc++] = "-I";
	argv[argc++] = "-X";
	argv[argc++] = "utf8";
	argv[argc++] = script;
	fmt(args[n], sizeof(args[n]), "runtime_vaddr=%llu",
	    (unsigned long long)interp.runtime_vaddr);
	argv[argc++] = args[n++];
	fmt(args[n], sizeof(args[n]), "init_vaddr=%llu", (unsigned long long)interp.init_vaddr);
	argv[argc++] = args[n++];
#define ARG(f)                                                               \
	fmt(args[n], sizeof(args[n]), #f "=%u", (unsigned int)interp.off.f); \
	argv[argc++] = args[n++];
	FIELDS(ARG)
#undef ARG
	{
		char *e = malloc(strlen(elf) + 5);

		assert_non_null(e);
		sprintf(e, "elf=%s", elf);
		argv[argc++] = e;
		argv[argc] = NULL;
		status = run_capture(argv, out, sizeof(out));
		free(e);
	}
	result = strstr(out, "RESULT: ");
	if (getenv("TEST_PYRUNTIME_VERBOSE") || !result || strncmp(result, "RESULT: ok\n", 11) ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("--- %s -I -X utf8 %s ...\n%s---\n", exe, script, out);
		fflush(stdout);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("%s exited with status 0x%x", exe, status);
	if (!result || strncmp(result, "RESULT: ok\n", 11))
		fail_msg("%s did not walk its own structures with these offsets", exe);
	/* One line per version for the log: how many checks passed. */
	{
		int ok = 0, na = 0;

		for (const char *p = out; (p = strstr(p, ": ")); p += 2) {
			ok += !strncmp(p, ": ok ", 5);
			na += !strncmp(p, ": n/a ", 6);
		}
		print_message("live %s (%s): %d checks ok, %d n/a\n", exe, elf, ok, na);
	}
}

/*
 * Debian sid's 3.14 and 3.15: stripped (no _PyCode_New), non-PIE, their
 * layout from _Py_DebugOffsets; the values the walker depends on, from
 * their headers (docs/notes/cpython-314-315-layout.md).
 */
static void test_sid(void **state)
{
	int minor = *(int *)*state;
	struct secimport_interp interp;
	char exe[PATH_MAX], err[512];

	sid_python(minor, exe, sizeof(exe));
	if (pyruntime_read(exe, 3, minor, &interp, err, sizeof(err)))
		fail_msg("pyruntime_read(%s): %s", exe, err);
	assert_true(interp.runtime_vaddr);
	assert_true(interp.init_vaddr);
	assert_true(interp.interp_new_vaddr);
	/* Not named in the file: found from what it exports. */
	assert_true(interp.code_new_vaddr);
	assert_int_equal(interp.off.frame_code_tag_bits, 3);
	assert_int_equal(interp.off.frame_owner_cstack, 3);
	assert_int_equal(interp.off.frame_owner, 74);
	assert_int_equal(interp.off.frame_previous, 8);
	assert_int_equal(interp.off.frame_code, 0);
	assert_int_equal(interp.off.tstate_frame, 72);
	assert_int_equal(interp.off.tstate_native_thread_id, minor == 14 ? 160 : 184);
	assert_int_equal(interp.off.runtime_interpreters_head, minor == 14 ? 808 : 936);
	assert_int_equal(interp.off.code_filename, 112);
	assert_int_equal(interp.off.unicode_ascii_data, 40);
	assert_int_equal(interp.off.unicode_compact_data, 56);
	assert_int_equal(interp.off.tstate_cframe, SECIMPORT_PY_NONE);
	/* Code shared between interpreters: marshal's two ends are probed. */
	assert_true(interp.marshal_dump_vaddr);
	assert_true(interp.marshal_load_vaddr);
	assert_int_not_equal(interp.marshal_dump_vaddr, interp.marshal_load_vaddr);
}

/* The marshal probes read PyBytesObject: a build that moved it is refused. */
static void test_sid_bytes_layout(void **state)
{
	int minor = *(int *)*state;
	size_t size = minor == 14 ? 760 : 888, sval = minor == 14 ? 608 : 704;
	unsigned char blob[888];
	struct secimport_py_offsets off;
	char exe[PATH_MAX], err[512];
	uint64_t v = 40;

	sid_python(minor, exe, sizeof(exe));
	read_debug_offsets(exe, blob, size);
	if (pyruntime_parse_debug_offsets(blob, size, 3, minor, &off, err, sizeof(err)))
		fail_msg("%s: %s", exe, err);
	memcpy(blob + sval, &v, sizeof(v));
	expect_parse_error(blob, size, minor,
			   "PyBytesObject keeps ob_size at 16 and ob_sval at 40");
}

/* The constructor found without its name is the one the name gives. */
static void test_code_ctor(void **state)
{
	char lib[PATH_MAX], why[256];
	GElf_Sym sym;
	uint64_t found;
	int fd;
	Elf *elf;

	(void)state;
	pyenv_libpython(13, lib, sizeof(lib));
	fd = open(lib, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(pyelf_symbol(elf, "_PyCode_New", &sym), 0);
	if (pyelf_code_ctor(elf, fd, &found, why, sizeof(why)))
		fail_msg("%s: %s", lib, why);
	assert_int_equal(found, sym.st_value);
	elf_end(elf);
	close(fd);
	/* This test program has no code objects: refused, with the reason. */
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_int_equal(pyelf_code_ctor(elf, fd, &found, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "PyCode_Type"));
	elf_end(elf);
	close(fd);
}

/*
 * The libffi an interpreter brings: sid's (its DT_RPATH), by path and
 * through a running process's /proc/PID/exe; none for Debian's python3.11
 * (the host's, probed already), by path or through a process.
 */
static void test_libffi_near(void **state)
{
	char exe[PATH_MAX], want[PATH_MAX], got[PATH_MAX], proc[64], out[256];
	char *ready = "import sys; print('ready', flush=True); sys.stdin.read()";
	struct stat a, b;
	struct child c;

	(void)state;
	sid_python(14, exe, sizeof(exe));
	assert_int_equal(pyelf_libffi_near(exe, got, sizeof(got)), 0);
	fmt(want, sizeof(want), "%s", exe);
	*strstr(want, "/usr/bin/") = 0;
	strcat(want, "/usr/lib/x86_64-linux-gnu/libffi.so.8");
	assert_int_equal(stat(got, &a), 0);
	assert_int_equal(stat(want, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	{
		char *argv[] = { exe, "-I", "-c", ready, NULL };

		spawn(argv, true, &c);
		collect(&c, out, sizeof(out), 30 * 1000, "ready\n");
		fmt(proc, sizeof(proc), "/proc/%d/exe", c.pid);
		assert_int_equal(pyelf_libffi_near(proc, got, sizeof(got)), 0);
		assert_non_null(strstr(got, "/root/"));
		assert_int_equal(stat(got, &a), 0);
		assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
		reap(&c);
	}
	need_file(DEBIAN_PYTHON, "Debian's python3.11");
	assert_int_equal(pyelf_libffi_near(DEBIAN_PYTHON, got, sizeof(got)), -1);
	{
		char *argv[] = { DEBIAN_PYTHON, "-I", "-c", ready, NULL };

		spawn(argv, true, &c);
		collect(&c, out, sizeof(out), 30 * 1000, "ready\n");
		fmt(proc, sizeof(proc), "/proc/%d/exe", c.pid);
		assert_int_equal(pyelf_libffi_near(proc, got, sizeof(got)), -1);
		reap(&c);
	}
}

/* The version a binary says it is, whatever its name. */
static void test_version_of_binary(void **state)
{
	char exe[PATH_MAX];
	int major = 0, minor = 0;

	(void)state;
	sid_python(15, exe, sizeof(exe));
	assert_int_equal(pyruntime_version(exe, &major, &minor), 0);
	assert_int_equal(major, 3);
	assert_int_equal(minor, 15);
	assert_int_equal(pyruntime_version(DEBIAN_PYTHON, &major, &minor), 0);
	assert_int_equal(minor, 11);
	assert_int_equal(pyruntime_version("/proc/self/exe", &major, &minor), -1);
	assert_int_equal(pyruntime_version("/nonexistent", &major, &minor), -1);
}

static int minors[] = { 8, 9, 10, 11, 12, 13, 14, 15 };
static const struct live lives[] = {
	{ 8, false, false },  { 9, false, false },  { 10, false, false },
	{ 11, false, false }, { 12, false, false }, { 13, false, false },
	{ 11, true, false },  { 14, false, true },  { 15, false, true },
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_shape),
		{ "pyruntime_read 3.8 (pyenv)", test_pyenv, NULL, NULL, &minors[0] },
		{ "pyruntime_read 3.9 (pyenv)", test_pyenv, NULL, NULL, &minors[1] },
		{ "pyruntime_read 3.10 (pyenv)", test_pyenv, NULL, NULL, &minors[2] },
		{ "pyruntime_read 3.11 (pyenv)", test_pyenv, NULL, NULL, &minors[3] },
		{ "pyruntime_read 3.12 (pyenv)", test_pyenv, NULL, NULL, &minors[4] },
		{ "pyruntime_read 3.13 (pyenv, _Py_DebugOffsets)", test_pyenv, NULL, NULL,
		  &minors[5] },
		cmocka_unit_test(test_debian_python),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_missing_symbols),
		cmocka_unit_test(test_debug_offsets),
		cmocka_unit_test(test_find_libpython),
		cmocka_unit_test(test_code_ctor),
		cmocka_unit_test(test_libffi_near),
		cmocka_unit_test(test_version_of_binary),
		{ "pyruntime_read 3.14 (Debian sid, stripped)", test_sid, NULL, NULL, &minors[6] },
		{ "pyruntime_read 3.15 (Debian sid, stripped)", test_sid, NULL, NULL, &minors[7] },
		{ "3.14 PyBytesObject layout checked", test_sid_bytes_layout, NULL, NULL,
		  &minors[6] },
		{ "3.15 PyBytesObject layout checked", test_sid_bytes_layout, NULL, NULL,
		  &minors[7] },
		{ "live 3.8 (pyenv)", test_live, NULL, NULL, (void *)&lives[0] },
		{ "live 3.9 (pyenv)", test_live, NULL, NULL, (void *)&lives[1] },
		{ "live 3.10 (pyenv)", test_live, NULL, NULL, (void *)&lives[2] },
		{ "live 3.11 (pyenv)", test_live, NULL, NULL, (void *)&lives[3] },
		{ "live 3.12 (pyenv)", test_live, NULL, NULL, (void *)&lives[4] },
		{ "live 3.13 (pyenv)", test_live, NULL, NULL, (void *)&lives[5] },
		{ "live 3.11 (" DEBIAN_PYTHON ", static)", test_live, NULL, NULL,
		  (void *)&lives[6] },
		{ "live 3.14 (Debian sid, static)", test_live, NULL, NULL, (void *)&lives[7] },
		{ "live 3.15 (Debian sid, static)", test_live, NULL, NULL, (void *)&lives[8] },
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

# Attribution the confined code cannot forge or outgrow (sourced by run.sh).
# Each case is an escape a confined module tried: it must be killed, and the
# application's own os.system, run first, must still work.
# shellcheck shell=bash
# shellcheck disable=SC2034 # RC, ATTRIBUTION_TESTS: read by run.sh

# Code identity and sub-interpreter creation are the stack walker's: the
# USDT engine sees only names (DESIGN.md, known limits).
IDENTITY_WALKER_ONLY="the USDT engine attributes by file name only; code identity is the stack walker's"
walker_only() {
	if [ "$ENGINE" = usdt ]; then
		skip "${1:-$IDENTITY_WALKER_ONLY}"
		return 1
	fi
}

# escape_case SCENARIO: app.py of cases/escape runs plugin's SCENARIO.
escape_case() {
	fresh escape
	confine policy.yaml -- "$M" "$1"
	expect_rc 137
	# thread_*: the application's command comes after, and is never reached
	case $1 in
	thread_*) ;;
	*) expect_file main_ran "the application's own os.system must work" ;;
	esac
	expect_no_file escaped "the plugin's command ran: it got out ($1)"
	expect_err 'kill .* module=plugin syscall='
}

# Does this interpreter have the sub-interpreter module the case needs?
has_subinterpreters() {
	"$PY" -c 'import importlib.util as u, sys
sys.exit(not (u.find_spec("_interpreters") or u.find_spec("_xxsubinterpreters")))'
}

t_escape_thread_timer() { escape_case thread_timer; }
t_escape_thread_builtin() { escape_case thread_builtin; }
t_escape_many_threads() { escape_case many_threads; }

t_escape_subinterp_run() {
	has_subinterpreters || {
		skip "$PY has no sub-interpreter module"
		return
	}
	escape_case subinterp_run
}

t_escape_subinterp_import() {
	has_subinterpreters || {
		skip "$PY has no sub-interpreter module"
		return
	}
	escape_case subinterp_import
}

t_escape_fix_co_filename() { escape_case fix_co_filename; }
t_escape_compile_forged() { walker_only && escape_case compile_forged; }
t_escape_code_replace() { walker_only && escape_case code_replace; }
t_escape_code_plain_exec() { walker_only && escape_case code_plain_exec; }

# The program in a PID namespace of its own: CPython's thread ids are the
# namespace's, not the kernel's global ones.
t_escape_pid_namespace() {
	fresh escape
	(cd "$T" && timeout 120 "$BIN" run --engine "$ENGINE" --policy policy.yaml -- \
		"$PY" pidns.py "$M" >"$T/out" 2>"$T/err")
	RC=$?
	expect_rc 0
	expect_out '^child status ([1-9]|-9|137)$'
	expect_file main_ran "the application's own os.system must work"
	expect_no_file escaped "the plugin's command ran in a PID namespace"
	expect_err 'kill .* module=plugin syscall='
}

# Code identity must never confine what is not the plugin's.
t_identity_import_not_owned() {
	fresh escape
	confine policy.yaml -- "$M" import_not_owned
	expect_rc 0
	expect_file helper_ran "the application's module, imported first by the plugin, must work"
	expect_file helper_subprocess_ran "subprocess, imported first by the plugin, must work for main"
	expect_file main_subprocess_ran "the application's subprocess.run must work"
	expect_no_violation
}

t_identity_address_reuse() {
	fresh escape
	confine policy.yaml -- "$M" address_reuse
	expect_rc 0
	expect_file reuse_ran "code at addresses the plugin's code had must not be the plugin's"
	expect_no_violation
}

t_escape_fork_forged() {
	walker_only || return
	fresh escape
	confine policy.yaml -- "$M" fork_forged
	expect_rc 0
	expect_out '^child status -9$'
	expect_no_file escaped "a forked worker ran the plugin's forged code unconfined"
	expect_err 'kill .* module=plugin syscall='
}

# Modules without a plain source file. The plugin as a sourceless .pyc
# compiled under another name: its frames say that name.
make_sourceless() {
	"$PY" -c 'import py_compile, sys
py_compile.compile("plugin.py", cfile="plugin.pyc", dfile=sys.argv[1], doraise=True)' "$1" &&
		rm plugin.py
}

t_escape_sourceless_pyc() {
	fresh escape
	(cd "$T" && make_sourceless /nonexistent/build/plugin.py) || fail "cannot make plugin.pyc"
	confine policy.yaml -- "$M" attack
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file escaped "a sourceless plugin ran its command"
	expect_err 'kill .* module=plugin syscall=.* frame=/nonexistent/build/plugin.py:attack:'
}

t_sourceless_claims_refused() {
	fresh escape
	local json
	json=$("$PY" -c 'import json; print(json.__file__)')
	(cd "$T" && make_sourceless "$json") || fail "cannot make plugin.pyc"
	confine policy.yaml -- "$M" attack
	expect_rc 2
	expect_no_file main_ran "nothing may run when the policy cannot be enforced"
	expect_err "error: module 'plugin' is a sourceless .*plugin.pyc whose code says it is '$json'" 1
}

# The plugin in a zip archive: named by import name (the archive on
# PYTHONPATH), by the archive's path, and by its path inside the archive.
zip_plugin() {
	(cd "$T" && "$PY" -c 'import zipfile
with zipfile.ZipFile("plugins.zip", "w") as z:
    z.write("plugin.py")' && rm plugin.py) || fail "cannot make plugins.zip"
}

t_escape_zip_archive() {
	local policy
	for policy in import archive inside; do
		fresh escape
		zip_plugin
		case $policy in
		archive) printf 'modules:\n  %s/plugins.zip:\n    allow_shell: false\n' "$T" >"$T/p.yaml" ;;
		inside) printf 'modules:\n  %s/plugins.zip/plugin.py:\n    allow_shell: false\n' "$T" >"$T/p.yaml" ;;
		*) cp "$T/policy.yaml" "$T/p.yaml" ;;
		esac
		PYTHONPATH=$T/plugins.zip confine p.yaml -- "$M" attack
		expect_rc 137
		expect_no_file escaped "the plugin in a zip archive ran its command (named by $policy)"
		expect_err "kill .* syscall=.* frame=$T/plugins.zip/plugin.py:attack:"
	done
}

t_subinterp_create_refused() {
	walker_only "judging interpreter creation is the stack walker's" || return
	has_subinterpreters || {
		skip "$PY has no sub-interpreter module"
		return
	}
	fresh escape
	confine nothreads.yaml -- "$M" subinterp_create
	expect_rc 137
	expect_no_file escaped "a module without threads created a sub-interpreter"
	expect_err 'kill .* module=plugin syscall=<thread creation> frame=.*plugin.py:subinterp_create:'
}

# No false kills: threads starting and ending while others make syscalls
# that are walked. A failed walk counts every module: it must not happen.
t_walk_thread_churn() {
	fresh thread_churn
	confine policy.yaml --verbose -- "${SECIMPORT_TEST_CHURN_SECONDS:-5}"
	expect_rc 0
	expect_out '^threads [0-9]+, calls [0-9]+$'
	expect_no_violation
	expect_err 'walks: [0-9]+ \(0 failed closed\)$' 1
}

# The import boundary (code created under _find_and_load is the imported
# module's) must not be a way to make the plugin's own code nobody's.
t_escape_import_boundary_exec() { walker_only && escape_case import_boundary_exec; }
# Known escapes (DESIGN.md): code a stock loader compiles from bytes a
# confined module forged (a loader subclass's get_data), or from an archive
# it wrote, is taken for the imported module's.
LOADER_ESCAPE="a stock loader compiling bytes a confined module supplied"
t_escape_import_boundary_loader() {
	known_escape "$LOADER_ESCAPE"
	escape_case import_boundary_loader
}
t_escape_import_boundary_zip() {
	known_escape "$LOADER_ESCAPE (an archive it wrote)"
	escape_case zipimport_forged
}
# Paths already confined: keep them so.
t_escape_loader_direct() {
	known_escape "$LOADER_ESCAPE"
	escape_case loader_direct
}
t_escape_marshal_forged() { walker_only && escape_case marshal_forged; }
t_escape_generator_later() { escape_case generator_later; }
t_escape_profile_hook() { walker_only && escape_case profile_hook; }
# The plugin's frame under more frames than a walk reads (fails closed).
# Before 3.11 that depth of Python recursion overflows the C stack.
t_escape_deep_stack() {
	walker_only "a walk's frame bound is the stack walker's" || return
	"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
		skip "$PY recurses on the C stack"
		return
	}
	escape_case deep_stack
	expect_err 'walk_failed=frame_bound'
}
# Code compiled on a thread that inherited the plugin's confinement.
t_escape_exec_in_thread() { walker_only && escape_case exec_in_thread; }
# Another module's code object run with the plugin's globals and defaults.
t_escape_foreign_code() {
	known_escape "code identity is per code object; a function is also its globals and defaults"
	escape_case foreign_code
}

# A lazily imported module of the application (importlib.util.LazyLoader)
# whose body the plugin happened to trigger is still the application's.
t_identity_lazy_import() {
	fresh escape
	confine policy.yaml -- "$M" lazy_import
	expect_rc 0
	expect_file helper_ran "the application's lazily imported helper must work"
	expect_file helper_subprocess_ran "the application's lazily imported helper must work"
	expect_no_violation
}

# The application alone starting threads back to back (_thread), then
# spawning: 3.8-3.11 give each not yet started thread its creator's ids.
t_identity_pending_threads() {
	fresh escape
	confine policy.yaml -- "$M" pending_threads
	expect_rc 0
	expect_file after_threads "the application's thread that started threads must spawn"
	expect_file threads_done "the application's threads must spawn"
	expect_no_violation
}

# --- what CPython 3.13-3.15 added (cases/escape314) -------------------------

# py_at_least MINOR: the interpreter is 3.MINOR or newer.
py_at_least() {
	"$PY" -c 'import sys; sys.exit(sys.version_info < (3, int(sys.argv[1])))' "$1" || {
		skip "$PY is older than 3.$1"
		return 1
	}
}

# e314_case SCENARIO: the plugin tries SCENARIO and is killed for it; the
# application's own os.system, run first, works.
e314_case() {
	fresh escape314
	confine policy.yaml -- "$M" "$1"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file escaped "the plugin's command ran: it got out ($1)"
	expect_err 'kill .* module=plugin syscall='
}

# Sharing a function between interpreters marshals its code: the receiving
# interpreter makes a new code object, on the stack of whoever receives it.
# A stateless function of the plugin's under json's name, run by the
# application in a sub-interpreter (call, a queue, InterpreterPoolExecutor),
# stays the plugin's: the identity follows the marshalled bytes.
t_escape_xi_call() {
	py_at_least 14 || return
	walker_only || return
	e314_case xi_call
}
t_escape_xi_queue() {
	py_at_least 14 || return
	walker_only || return
	e314_case xi_queue
}
t_escape_xi_pool() {
	py_at_least 14 || return
	walker_only || return
	e314_case xi_pool
}
# No false kill: the application's own function shared the same ways, after
# the plugin's went through a queue, spawns.
t_identity_xi_app_own() {
	py_at_least 14 || return
	walker_only || return
	fresh escape314
	confine policy.yaml -- "$M" xi_app_own
	expect_rc 0
	expect_file app_xi_ran "the application's own function, shared with a sub-interpreter, must spawn"
	expect_no_violation
}
# No false kill: records of shared code go when it is read back (70,000
# shares of different lengths outgrow run's code_owner otherwise). 3.14 only:
# one interpreter is enough for a 30-second case.
t_identity_xi_many() {
	py_at_least 14 || return
	walker_only || return
	if "$PY" -c 'import sys; sys.exit(sys.version_info >= (3, 15))'; then :; else
		skip "run on 3.14 (one sid interpreter is enough for a long case)"
		return
	fi
	fresh escape314
	confine policy.yaml -- "$M" xi_many
	expect_rc 0
	expect_file after_many "the application must live through sharing the plugin's code"
	expect_no_violation
}
# Anything else crosses by pickle, unpickled on the receiver's stack: what a
# confined object's __reduce__ returns (a builtin, or exec of code rebuilt by
# Python's marshal.loads) runs there with no frame of the module. Receiving
# is enough: a result or an exception coming back from a sub-interpreter.
XI_PICKLE="objects crossing interpreters by pickle are rebuilt by what their __reduce__ returns, on the receiver's stack"
t_escape_xi_pickle_reduce() {
	py_at_least 14 || return
	known_escape "$XI_PICKLE"
	e314_case xi_pickle_reduce
}
t_escape_xi_pickle_result() {
	py_at_least 14 || return
	known_escape "$XI_PICKLE"
	e314_case xi_pickle_result
}
t_escape_xi_pickle_exception() {
	py_at_least 14 || return
	known_escape "$XI_PICKLE"
	e314_case xi_pickle_exception
}
t_escape_xi_pickle_code() {
	py_at_least 14 || return
	known_escape "$XI_PICKLE"
	e314_case xi_pickle_code
}
# The plain function (its own file name) run the same way is confined.
t_escape_xi_call_plain() { py_at_least 14 && e314_case xi_call_plain; }

# A string annotation of the plugin's, evaluated by the application's
# typing.get_type_hints: compiled on the application's stack (every version).
t_escape_annotation_string() {
	known_escape "a string the confined module wrote, compiled and run by the application"
	e314_case annotation_string
}
# A deferred annotation (3.14: the module's __annotate__) is the module's code.
t_escape_lazy_annotation() { e314_case lazy_annotation; }

# PEP 768: sys.remote_exec writes into the process (process_vm_*), the
# shell group.
t_escape_remote_exec_self() { py_at_least 14 && e314_case remote_exec_self; }
t_escape_remote_exec_thread() { py_at_least 14 && e314_case remote_exec_thread; }

t_escape_interp_exec() { py_at_least 14 && e314_case interp_exec; }
t_escape_interp_call() { py_at_least 14 && e314_case interp_call; }
t_escape_interp_call_in_thread() { py_at_least 14 && e314_case interp_call_in_thread; }
t_escape_interp_kept() { py_at_least 14 && e314_case interp_kept; }
t_escape_interp_pool() { py_at_least 14 && e314_case interp_pool; }
t_escape_joinable_thread() { py_at_least 13 && e314_case joinable_thread; }
t_escape_copy_replace() { py_at_least 13 && walker_only && e314_case copy_replace; }
t_escape_codetype() { py_at_least 11 && walker_only && e314_case codetype; }
t_escape_jit_hot() {
	py_at_least 13 || return
	fresh escape314
	PYTHON_JIT=1 confine policy.yaml -- "$M" jit_hot
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file escaped "the plugin's command ran from JIT-compiled code"
	expect_err 'kill .* module=plugin syscall=.* frame=.*plugin.py:_hot:'
}

# No false kills. The application's signal handler runs at the next safe
# point of whatever code runs then: here the plugin's, so it is taken for
# the plugin's callee (every version).
t_identity_signal_handler() {
	known_escape "false kill: the application's signal handler runs on top of the plugin's frame"
	fresh escape314
	confine policy.yaml -- "$M" signal_handler
	expect_rc 0
	expect_file handler_ran "the application's signal handler must spawn"
	expect_no_violation
}

# The same with a debugger's script (sys.remote_exec from outside, PEP 768).
t_identity_remote_debugger() {
	py_at_least 14 || return
	known_escape "false kill: a debugger's script runs on top of the plugin's frame"
	fresh escape314
	printf "import os; os.system('touch %s/debugger_ran')\n" "$M" >"$M/debugger.txt"
	chmod 644 "$M/debugger.txt"
	(cd "$T" && timeout 120 "$BIN" run --engine "$ENGINE" --policy policy.yaml -- \
		"$PY" app.py "$M" debugger >"$T/out" 2>"$T/err") &
	local i
	for i in $(seq 100); do
		[ -s "$M/pid" ] && break
		sleep 0.1
	done
	sleep 0.5
	"$PY" -c 'import sys; sys.remote_exec(int(sys.argv[1]), sys.argv[2])' "$(cat "$M/pid")" "$M/debugger.txt" ||
		fail "sys.remote_exec failed"
	wait $!
	RC=$?
	expect_rc 0
	expect_file debugger_ran "the debugger's script must run"
	expect_no_violation
}

# 3.15's lazy import (PEP 810) of the application's module, reified by the
# plugin: the module's code stays the module's.
t_identity_lazy_syntax() {
	py_at_least 15 || return
	fresh escape314
	confine policy.yaml -- "$M" lazy_syntax
	expect_rc 0
	expect_file helper_ran "the application's lazily imported helper must work"
	expect_file helper_subprocess_ran "the application's lazily imported helper must work"
	expect_no_violation
}

ATTRIBUTION_TESTS="walk_thread_churn subinterp_create_refused escape_sourceless_pyc sourceless_claims_refused escape_zip_archive identity_import_not_owned identity_address_reuse escape_fork_forged escape_thread_timer escape_thread_builtin escape_many_threads
escape_subinterp_run escape_subinterp_import escape_pid_namespace escape_fix_co_filename
escape_compile_forged escape_code_replace escape_code_plain_exec
escape_import_boundary_exec escape_import_boundary_loader escape_import_boundary_zip
escape_loader_direct escape_marshal_forged escape_generator_later escape_profile_hook escape_deep_stack escape_exec_in_thread escape_foreign_code
identity_lazy_import identity_pending_threads
escape_xi_call escape_xi_queue escape_xi_pool escape_xi_call_plain identity_xi_app_own identity_xi_many escape_xi_pickle_reduce escape_xi_pickle_result escape_xi_pickle_exception escape_xi_pickle_code escape_annotation_string escape_lazy_annotation escape_remote_exec_self escape_remote_exec_thread escape_interp_exec escape_interp_call escape_interp_call_in_thread escape_interp_kept escape_interp_pool escape_joinable_thread escape_copy_replace escape_codetype escape_jit_hot identity_signal_handler identity_remote_debugger identity_lazy_syntax"

DESC+=(
	[walk_thread_churn]="threads starting and ending under walked syscalls: no walk fails closed"
	[subinterp_create_refused]="a module without threads creating a sub-interpreter is killed"
	[escape_sourceless_pyc]="a sourceless .pyc compiled under another name is confined"
	[sourceless_claims_refused]="a sourceless .pyc claiming to be json: exit 2, nothing runs"
	[escape_zip_archive]="a module in a zip archive, named by import name, archive or inner path"
	[escape_sourceless_pyc]="a sourceless .pyc compiled under another name is confined"
	[sourceless_claims_refused]="a sourceless .pyc claiming to be json: exit 2, nothing runs"
	[escape_zip_archive]="a module in a zip archive, named by import name, archive or inner path"
	[identity_import_not_owned]="modules a confined module imports first are not confined for main"
	[identity_address_reuse]="main's code at addresses of the plugin's freed code is not confined"
	[escape_fork_forged]="a forked worker calling code the plugin forged is confined"
	[escape_thread_timer]="a Timer with a builtin target started by a confined module is confined"
	[escape_thread_builtin]="a Thread with target=os.system started by a confined module is confined"
	[escape_many_threads]="300 newer threads do not hide the confined module on an older worker"
	[escape_subinterp_run]="code a confined module runs in a sub-interpreter is confined"
	[escape_subinterp_import]="a confined module running inside a sub-interpreter is confined"
	[escape_pid_namespace]="a program in its own PID namespace is attributed"
	[escape_fix_co_filename]="rewriting co_filename in place (_imp._fix_co_filename) does not unconfine"
	[escape_compile_forged]="code compiled by a confined module under json's file name stays confined"
	[escape_code_replace]="code.replace(co_filename=...) by a confined module stays confined"
	[escape_code_plain_exec]="code exec'd from a string by a confined module, called later, is confined"
	[escape_import_boundary_exec]="code exec'd by _find_and_load as a confined module's import_ stays confined"
	[escape_import_boundary_loader]="source forged by a confined module's loader (get_data), imported, stays confined"
	[escape_import_boundary_zip]="a module a confined module wrote into a zip and imported stays confined"
	[escape_loader_direct]="a confined module running a forging loader itself is confined"
	[escape_marshal_forged]="code unmarshalled by a confined module under json's name stays confined"
	[escape_generator_later]="a confined module's generator resumed later by main is confined"
	[escape_profile_hook]="a profile function made by a confined module, called for main's calls, is confined"
	[escape_deep_stack]="a confined frame under 18000 frames of copy's recursion fails closed"
	[escape_exec_in_thread]="code compiled on a thread a confined module started (target=exec) stays confined"
	[escape_foreign_code]="another module's code run with a confined module's globals and defaults is confined"
	[identity_lazy_import]="a lazily imported module of main, first touched by the plugin, is not confined"
	[escape_xi_call]="a confined module's task run by main in a sub-interpreter (interp.call) is confined"
	[escape_xi_queue]="a confined module's task taken by main from a cross-interpreter queue is confined"
	[escape_xi_pool]="a confined module's task run by main in an InterpreterPoolExecutor is confined"
	[identity_xi_many]="70,000 shares of a confined module's code, none kept: no false kill"
	[escape_xi_pickle_reduce]="a confined object handed to a sub-interpreter: its __reduce__ runs on unpickling"
	[escape_xi_pickle_result]="a confined function's result coming back from a sub-interpreter runs its __reduce__"
	[escape_xi_pickle_exception]="a confined task's exception coming back from InterpreterPoolExecutor runs its __reduce__"
	[escape_xi_pickle_code]="a confined object unpickles to the module's code rebuilt by marshal.loads"
	[identity_xi_app_own]="the application's own function shared with a sub-interpreter after the plugin's is not confined"
	[escape_xi_call_plain]="a confined module's plain function run by main in a sub-interpreter is confined"
	[escape_annotation_string]="a string annotation of a confined module evaluated by main's get_type_hints is confined"
	[escape_lazy_annotation]="a confined module's deferred annotation evaluated by main is confined"
	[escape_remote_exec_self]="a confined module's sys.remote_exec on its own process is confined"
	[escape_remote_exec_thread]="a confined module's sys.remote_exec from a Timer is confined"
	[escape_interp_exec]="code a confined module runs with concurrent.interpreters exec is confined"
	[escape_interp_call]="os.system a confined module runs with interp.call is confined"
	[escape_interp_call_in_thread]="os.system a confined module runs with interp.call_in_thread is confined"
	[escape_interp_kept]="a sub-interpreter a confined module prepared, run later by main, is confined"
	[escape_interp_pool]="os.system a confined module submits to its InterpreterPoolExecutor is confined"
	[escape_joinable_thread]="a confined module's _thread.start_joinable_thread with a builtin target is confined"
	[escape_copy_replace]="copy.replace(code, co_filename=...) by a confined module stays confined"
	[escape_codetype]="types.CodeType(...) under json's name by a confined module stays confined"
	[escape_jit_hot]="a confined module's command reached from JIT-compiled code (PYTHON_JIT=1) is confined"
	[identity_signal_handler]="main's signal handler, run while a confined module computes, is not killed"
	[identity_remote_debugger]="a debugger's sys.remote_exec script, run while a confined module computes, is not killed"
	[identity_lazy_syntax]="main's module imported with 3.15's lazy import, first used by the plugin, is not confined"
	[identity_pending_threads]="main starting threads back to back (_thread) is not killed"
)

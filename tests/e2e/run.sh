#!/usr/bin/env bash
# End-to-end tests: real Python programs run under the real BPF programs by
# `secimport-bpf run`. Needs root. Prints TAP; exits 1 if any test fails.
#
#   tests/e2e/run.sh BINARY [TEST...]
#
# SECIMPORT_TEST_PYTHON selects the interpreter (default /usr/bin/python3.11).
set -u

BIN=$(realpath "$1")
shift
PY=${SECIMPORT_TEST_PYTHON:-/usr/bin/python3.11}
# SECIMPORT_TEST_ENGINE: auto (default), stackwalk or usdt, for every run
ENGINE=${SECIMPORT_TEST_ENGINE:-auto}
# SECIMPORT_TEST_SLOW=1 (the VM suite, under software emulation): tests that
# repeat a workload do less of it.
PYFLAGS=() # interpreter options for the next confine
HERE=$(cd "$(dirname "$0")" && pwd)
CASES=$HERE/cases
WORK=$(mktemp -d /tmp/secimport-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK" # some cases run the program as nobody

if [ "$(id -u)" != 0 ]; then
	echo "Bail out! the end-to-end tests load BPF programs: run them as root"
	exit 1
fi

# Can this kernel refuse through BPF LSM (deny)? The VM suite has it; most hosts don't.
LSM_LIVE=false
"$BIN" features --json 2>/dev/null | grep -q '"bpf_lsm":true' && LSM_LIVE=true

# shellcheck source=tests/e2e/tap.sh
. "$HERE/tap.sh"

# --- helpers ---------------------------------------------------------------

# fresh CASE: copy a case into a scratch dir; T is the dir, M its marker dir.
fresh() {
	T=$WORK/$1.$ntests
	rm -rf "$T"
	cp -r "$CASES/$1" "$T"
	M=$T/markers
	mkdir -p "$M"
	chmod 777 "$M"
}

# confine POLICY [RUN-OPTIONS...] -- ARGS...: run app.py of $T confined.
# Sets RC; stdout in $T/out, stderr (violation records) in $T/err.
confine() {
	local policy=$1
	shift
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	# SECIMPORT_TEST_VERBOSE=1: run says what it does (the verifier's log on a failed load)
	[ "${SECIMPORT_TEST_VERBOSE:-0}" = 1 ] && opts+=(--verbose)
	(cd "$T" && timeout 120 "$BIN" run --engine "$ENGINE" "${opts[@]}" --policy "$policy" -- \
		"$PY" "${PYFLAGS[@]}" app.py "$@" >"$T/out" 2>"$T/err")
	RC=$?
	PYFLAGS=()
}

# can_run_as_nobody: the interpreter is reachable for user nobody.
can_run_as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$PY" 2>/dev/null
}

# --- the foundation's cases ------------------------------------------------

t_quickstart() {
	fresh quickstart
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_file main_ran "the main program's own os.system must work"
	expect_no_file module_ran "the module's command must never run"
	expect_err 'kill pid=[0-9]+ .* module=example syscall=(clone3|clone|vfork|fork) frame=.*example\.py' 1
}

t_subprocess() {
	fresh subprocess_confined
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_file main_ps "main's os.system(\"ps\") must work"
	expect_err 'kill .* module=subprocess syscall=(clone3|clone|vfork|fork|execve)'
	! grep -qE '^ *PID' "$T/out" || fail "the confined ps printed its output"
}

t_network_denied() {
	fresh network
	confine deny.yaml -- "$M"
	expect_rc 137
	expect_err 'kill .* module=netmod syscall=socket frame=.*netmod\.py:open_socket:' 1
}

t_network_allowed() {
	fresh network
	confine allow.yaml -- "$M"
	expect_rc 0
	expect_out 'socket ok'
	expect_no_violation
}

t_benign() {
	fresh benign
	confine policy.yaml -- "$M"
	expect_rc 0
	expect_out 'benign ok 8'
	expect_no_violation
}

t_helper_spawn() {
	fresh helper_spawn
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_file main_helper_ran "the helper called from main must work"
	expect_no_file helper_ran "the helper called from the confined module must not run"
	expect_err 'kill .* module=plugin syscall=(clone3|clone|vfork|fork)'
}

t_thread_later() {
	fresh thread_later
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_file main_ran "main may spawn after the module returned"
	expect_no_file thread_ran "the module's thread keeps its confinement"
	expect_err 'kill .* module=plugin syscall=(clone3|clone|vfork|fork)'
}

t_fork_confined() {
	fresh fork_confined
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_no_file child_ran "os.fork() in a no-shell module must not create a child"
	expect_err 'kill .* module=plugin syscall=(clone|clone3|fork)'
}

t_child_exec() {
	fresh child_exec
	confine policy.yaml -- "$M"
	expect_rc 0
	expect_file child_started "the module may spawn programs"
	expect_no_file child_socket "the child inherits no-network across fork and exec"
	grep -qx -- '-9' "$M/child_rc" 2>/dev/null || fail "child status $(cat "$M/child_rc" 2>/dev/null), expected -9 (SIGKILL)"
	expect_err 'kill .* module=launcher syscall=socket' 1
}

t_after_return() {
	fresh after_return
	confine policy.yaml -- "$M"
	expect_rc 0
	expect_file main_ran "main is unconstrained once the confined call returned"
	expect_out 'after return ok'
	expect_no_violation
}

t_logmode() {
	fresh logmode
	confine policy.yaml -- "$M"
	expect_rc 0
	expect_out 'logmode done'
	expect_err 'secimport-bpf: (kill|log) ' 6
	expect_err 'log .* module=lm syscall=socket ' 6
	# The USDT engine reports the module's outermost frame, the stack walker
	# its innermost one.
	expect_err 'frame=.*lm\.py:(recurse|raiser|gen|_touch_network):[0-9]+( |$)' 6
}

t_stress() {
	fresh stress
	confine policy.yaml --verbose -- "$M"
	expect_rc 0
	expect_out 'stress done'
	expect_err 'log .* module=lm2 syscall=socket ' 92
	expect_err 'secimport-bpf: (kill|log) ' 92
	expect_err 'events dropped: 0; stack resyncs: 0; returns kept: 0; walks: [0-9]+ \(0 failed closed\)$' 1
}

t_logmode_json() {
	fresh logmode
	confine policy.yaml --json -- "$M"
	expect_rc 0
	# Every record must be valid JSON with the documented fields.
	"$PY" - "$T/err" <<'EOF' || fail "JSON records invalid"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
assert len(recs) == 6, len(recs)
for r in recs:
    assert r["event"] == "violation" and r["action"] == "log", r
    assert r["modules"] == ["lm"] and r["syscall"] == "socket", r
    assert isinstance(r["pid"], int) and isinstance(r["tid"], int), r
    assert r["frame"]["file"].endswith("lm.py"), r
    assert r["frame"]["function"] in ("recurse", "raiser", "gen", "_touch_network"), r
    # The stack walker adds the top of the stack, innermost first.
    if r["stack"]:
        assert r["stack"][0]["file"].endswith("socket.py"), r
        assert any(f["function"] == "_touch_network" for f in r["stack"]), r
EOF
}

# --- ways around it that a confined module could try ------------------------

t_compat_syscall() {
	fresh compat
	# Some kernels run 64-bit user code only (ia32_emulation off): int 0x80
	# then kills the caller itself, and there is nothing to get through.
	if ! (cd "$T" && timeout 30 "$PY" -c 'import int80; int80.ia32_socket()') >/dev/null 2>&1; then
		skip "this kernel has no IA-32 emulation: int 0x80 faults without any sandbox"
		return
	fi
	confine policy.yaml -- "$M"
	expect_rc 137
	# The technique works (unconfined main gets a socket), so the kill is real.
	if ! grep -qE '^[0-9]+$' "$M/main_fd" 2>/dev/null; then
		fail "unconfined ia32 socket() did not work: $(cat "$M/main_fd" 2>/dev/null)"
	fi
	expect_err 'kill .* module=plugin syscall=ia32:359 .*compat_syscall' 1
}

t_raw_clone() {
	fresh raw_clone
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_file main_child "raw clone from main must work"
	expect_no_file plugin_child "raw clone from the confined module must not"
	expect_err 'kill .* module=plugin syscall=clone ' 1
}

t_callback_callee() {
	fresh callbacks
	confine policy.yaml -- "$M" callee
	expect_rc 137
	expect_no_file callback_ran "a callback called by the confined module is confined"
	expect_err 'kill .* module=plugin '
}

t_callback_closure() {
	fresh callbacks
	confine policy.yaml -- "$M" closure
	expect_rc 137
	expect_file main_ran "main may spawn"
	expect_no_file closure_ran "the module's closure called later by main is confined"
	expect_err 'kill .* module=plugin .*frame=.*plugin\.py:closure:'
}

# A confined module makes CPython report returns without their entries (a
# tracer or signal handler raising as a function starts), hoping one passes
# for the return of its own frame; then it spawns. See cases/unbalanced.
t_unbalanced_returns() {
	fresh unbalanced
	local s
	for s in settrace settrace_builtin setprofile many recursion same_name reentry generator \
		throw extra_entries signal_resume; do
		confine policy.yaml -- "$M" "$s"
		[ "$RC" = 137 ] || fail "$s: exit status $RC, expected 137"
		[ ! -e "$M/plugin_ran" ] || fail "$s: the module's os.system ran"
		rm -f "$M/plugin_ran"
		grep -qE "kill .* module=plugin syscall=(clone3|clone|vfork|fork) .*frame=.*plugin\.py:$s:" \
			"$T/err" || fail "$s: no kill of the module's spawn, by its own frame"
	done
}

# The same tricks, then the module's frame ends for real (a return, an
# exception, a yield): main is free again.
t_unbalanced_benign() {
	fresh unbalanced
	local s
	for s in benign_tracer benign_recursion benign_extra_entries benign_raise benign_generator; do
		confine policy.yaml -- "$M" "$s"
		[ "$RC" = 0 ] || fail "$s: exit status $RC, expected 0"
		[ -e "$M/main_ran" ] || fail "$s: main's os.system did not run"
		rm -f "$M/main_ran"
		expect_no_violation
	done
}

t_fork_then_call() {
	fresh mp_fork
	confine policy.yaml -- "$M"
	expect_rc 0
	expect_out 'parent done'
	expect_no_file plugin_ran "a forked child calling the confined module is confined"
	grep -qx 'signal 9' "$M/child_status" 2>/dev/null || fail "child status $(cat "$M/child_status" 2>/dev/null), expected signal 9"
}

t_process_default() {
	fresh process_default
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_err 'kill .* module=<process_default> syscall=socket'
}

t_run_as_user() {
	can_run_as_nobody || { skip "user nobody cannot execute $PY"; return; }
	fresh quickstart
	confine policy.yaml --user nobody -- "$M"
	expect_rc 137
	expect_file main_ran "the program runs as nobody"
	[ "$(stat -c %U "$M/main_ran" 2>/dev/null)" = nobody ] || fail "main_ran not created by nobody"
	expect_no_file module_ran "the module's command must never run"
}

t_supervisor_kill() {
	can_run_as_nobody || { skip "user nobody cannot execute $PY"; return; }
	fresh supervisor_kill
	confine policy.yaml --user nobody -- "$M"
	expect_rc 137
	expect_file kill_refused "an unprivileged program cannot kill run"
	expect_no_file module_ran "confinement holds after the attempt"
	expect_err 'kill .* module=plugin syscall=(clone3|clone|vfork|fork)'
}

# --- frame walking (any engine must pass these) -----------------------------

walk_case() {
	fresh walk
	confine policy.yaml -- "$M" "$1"
	expect_rc 0
	local n
	n=$(sed -n 's/^expected //p' "$T/out")
	[ -n "$n" ] || fail "the program did not finish"
	expect_err 'log .* module=plugin syscall=socket ' "${n:-x}"
	expect_err 'secimport-bpf: (kill|log) ' "${n:-x}"
}

t_walk_generator() { walk_case gen_resumed_by_main; }
t_walk_generator_reverse() { walk_case main_gen_driven_by_plugin; }
t_walk_c_calls_main() { walk_case c_calls_main; }
t_walk_c_calls_plugin() { walk_case c_calls_plugin; }

t_flag_optimize() {
	fresh quickstart
	PYFLAGS=(-O)
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_file main_ran "main works under -O"
	expect_no_file module_ran "confined under -O"
}

t_flag_importtime() {
	fresh quickstart
	PYFLAGS=(-X importtime)
	confine policy.yaml -- "$M"
	expect_rc 137
	expect_no_file module_ran "confined under -X importtime"
}

t_pythonpath() {
	fresh pathtricks
	PYTHONPATH=$T/lib:$T/decoy confine policy.yaml -- "$M"
	expect_rc 137
	expect_file main_ran "main works"
	expect_no_file module_ran "the module PYTHONPATH selects is the one confined"
	expect_err "frame=$T/lib/example\.py"
}

# --- deny: the operation is refused, the program goes on ---------------------

needs_lsm() {
	if ! $LSM_LIVE; then
		# The VM suite's kernel has BPF LSM: there a skip would hide a failure.
		if [ "${SECIMPORT_TEST_REQUIRE_LSM:-0}" = 1 ]; then
			fail "BPF LSM should be live here: $("$BIN" features 2>&1 | tr '\n' ' ')"
		else
			skip "needs BPF LSM, which this kernel does not allow; the VM suite (tests/vm) runs it"
		fi
	fi
	$LSM_LIVE
}

t_deny_socket() {
	# BPF LSM where it is live, the cgroup socket hooks everywhere else.
	fresh deny
	confine net.yaml --fallback kill -- "$M" socket
	expect_rc 0
	expect_out '^module refused$'
	expect_out '^main created$'
	expect_err 'deny .* module=plugin syscall=socket ' 1
}

t_deny_without_lsm() {
	if $LSM_LIVE; then
		skip "BPF LSM is live here: deny_shell covers it"
		return
	fi
	fresh deny
	confine shell.yaml -- "$M" shell
	expect_rc 2
	expect_err 'the policy asks for deny, which needs BPF LSM: .* or pass --fallback kill'
	expect_no_file main_ran "nothing runs"
	confine shell.yaml --fallback kill -- "$M" shell
	expect_rc 137
	expect_no_file shell_ran "killed instead"
	expect_err 'kill .* module=plugin syscall=(clone3|clone|vfork|fork) .*deny_uncovered' 1
}

t_deny_shell() {
	needs_lsm || return
	fresh deny
	confine shell.yaml -- "$M" shell
	expect_rc 0
	# glibc's system() reports a failed spawn as status 127 (32512).
	expect_out '^module system=(-1|32512) spawn=refused$'
	expect_no_file shell_ran "os.system's command must not run"
	expect_no_file spawn_ran "subprocess's command must not run"
	expect_file main_ran "main may spawn"
	expect_err 'deny .* module=plugin syscall=(clone3|clone|vfork|fork) '
	expect_err 'kill .* module=plugin' 0
}

t_deny_connect() {
	needs_lsm || return
	fresh deny
	# The module gets a socket from main: only its connect() is refused.
	confine net.yaml -- "$M" connect
	expect_rc 0
	expect_out '^module refused$'
	expect_out '^listener saw nothing$'
	expect_out '^main connected$'
	expect_err 'deny .* module=plugin syscall=connect ' 1
}

t_deny_open() {
	needs_lsm || return
	fresh deny
	confine open.yaml -- "$M" open
	expect_rc 0
	expect_out '^module refused$'
	expect_out '^file original$'
	expect_out '^main wrote$'
	# an open whose flags write is judged as <file write> (allowed with open or openat)
	expect_err 'deny .* module=plugin syscall=(openat|open|<file write>) ' 1
}

t_deny_kill() {
	needs_lsm || return
	fresh deny
	confine denykill.yaml -- "$M" shell
	expect_rc 137
	expect_no_file shell_ran "refused and killed"
	expect_err 'deny\+kill .* module=plugin syscall=(clone3|clone|vfork|fork) ' 1
}

# --- learning mode: trace writes a policy that run accepts -------------------

trace_to() {
	local out=$1
	shift
	(cd "$T" && timeout 120 "$BIN" trace --engine "$ENGINE" -o "$out" "$@" >"$T/out" 2>"$T/err")
	RC=$?
}

t_trace_run() {
	fresh trace
	trace_to p.yaml --module tmod -- "$PY" app.py "$M" good
	expect_rc 0
	expect_out '^tmod good$'
	[ -s "$T/p.yaml" ] || { fail "no policy written"; return; }
	"$BIN" policy check "$T/p.yaml" >"$T/check.out" 2>&1 || fail "policy check rejects the traced policy: $(cat "$T/check.out")"
	grep -q '^# Written by secimport-bpf trace' "$T/p.yaml" || fail "the policy does not say how it was made"
	# The traced run passes under the written policy...
	confine p.yaml -- "$M" good
	expect_rc 0
	expect_out '^app done$'
	expect_no_violation
	# ...and the module turning bad does not.
	confine p.yaml -- "$M" shell
	expect_rc 137
	expect_no_file tmod_shell_ran "the traced module may not spawn"
	expect_err 'kill .* module=tmod syscall=(clone3|clone|vfork|fork) '
	confine p.yaml -- "$M" net
	expect_rc 137
	expect_err 'kill .* module=tmod syscall=socket '
	confine p.yaml --action log -- "$M" net
	expect_rc 0
	expect_err 'log .* module=tmod syscall=socket ' 1
}

t_trace_fork() {
	# A traced fork is allowed by the written policy (clone with threads).
	fresh fork_confined
	trace_to p.yaml --module plugin -- "$PY" app.py "$M"
	expect_rc 0
	expect_file child_ran "the child ran during the trace"
	rm -f "$M/child_ran"
	confine p.yaml -- "$M"
	expect_rc 0
	expect_file child_ran "the traced fork is allowed"
	expect_no_violation
}

t_trace_merge() {
	fresh trace
	trace_to a.yaml --module tmod -- "$PY" app.py "$M" good
	trace_to ab.yaml --module tmod --merge a.yaml -- "$PY" app.py "$M" net
	expect_rc 0
	confine ab.yaml -- "$M" good
	expect_rc 0
	confine ab.yaml -- "$M" net
	expect_rc 0
	expect_no_violation
	confine ab.yaml -- "$M" shell
	expect_rc 137
	# policy merge gives the same coverage from two separate traces.
	trace_to n.yaml --module tmod -- "$PY" app.py "$M" net
	"$BIN" policy merge "$T/a.yaml" "$T/n.yaml" -o "$T/m.yaml" >/dev/null 2>"$T/merge.err" ||
		fail "policy merge failed: $(cat "$T/merge.err")"
	confine m.yaml -- "$M" net
	expect_rc 0
	confine m.yaml -- "$M" good
	expect_rc 0
}

# A hand-written list that allows threads (clone, clone3) and nothing else
# of its own: starting the process's first thread (glibc's rt_sigaction) and
# what 3.14+ does in each new thread (sched_getaffinity, prctl PR_SET_NAME:
# the baseline's <thread name>) are not violations.
t_baseline_hand_threads() {
	fresh handlist
	confine policy.yaml -- 20
	expect_rc 0
	expect_out '^threads done 20$'
	expect_no_violation
}

# A strict allowlist traced once replays every time: what the interpreter
# does by itself (locks, memory, signal returns, threads starting and ending)
# is the interpreter baseline's, not the luck of one run.
t_trace_baseline_replay() {
	# 8 rounds of 18 threads, each of 16 workers taking the lock 100 times.
	# Where every step costs more (the USDT engine traps on every Python
	# line; the VM suite runs under software emulation), less work per
	# thread and fewer rounds.
	local steps=100 rounds=8 want
	[ "$ENGINE" = usdt ] && steps=25 rounds=4
	[ "${SECIMPORT_TEST_SLOW:-0}" = 1 ] && steps=25 rounds=2
	want="workers done $((rounds * 16 * steps))"
	fresh baseline
	trace_to p.yaml --module workers -- "$PY" app.py "$steps" "$rounds"
	expect_rc 0
	expect_out "^$want\$"
	[ -s "$T/p.yaml" ] || {
		fail "no policy written"
		return
	}
	grep -q 'the interpreter baseline allows it' "$T/p.yaml" ||
		fail "the header does not say the policy relies on the interpreter baseline"
	! grep -qE '^ *- (futex|mmap|munmap|madvise|mprotect|rt_sigreturn|gettid|exit)$' "$T/p.yaml" ||
		fail "baseline syscalls are listed: $(grep -E '^ *- ' "$T/p.yaml" | tr -d ' ' | tr '\n' ' ')"
	local i
	for i in $(seq 20); do
		confine p.yaml -- "$steps" "$rounds"
		if [ "$RC" != 0 ] || ! grep -qx "$want" "$T/out" ||
			grep -qE 'secimport-bpf: (kill|log)' "$T/err"; then
			fail "replay $i of 20: exit status $RC: $(grep -m1 -E 'secimport-bpf: (kill|log)' "$T/err")"
			break
		fi
	done
	# The same lists without the baseline are not enough.
	sed 's/^action: kill$/action: kill\ninterpreter_baseline: false/' "$T/p.yaml" >"$T/nobase.yaml"
	confine nobase.yaml -- "$steps" "$rounds"
	expect_rc 137
	expect_err 'kill .* module=workers syscall=(futex|brk|mmap|munmap|mremap|madvise|mprotect|rt_sigreturn|rt_sigprocmask|restart_syscall|gettid|set_robust_list|rseq|exit|uretprobe|uprobe|clock_gettime) '
}

# trace --runs N: N runs merged, and what only some of them did is said.
t_trace_runs() {
	fresh trace
	trace_to v.yaml --runs 3 --module tmod -- "$PY" app.py "$M" vary
	expect_rc 0
	expect_err '^secimport-bpf: trace run [123]/3$' 3
	expect_err '^secimport-bpf: tmod: seen in 1/3 runs: uname$' 1
	expect_err '^secimport-bpf: tmod: seen in 2/3 runs: getcwd$' 1
	expect_err '^secimport-bpf: 3 runs merged: the lines above are what only some runs did' 1
	grep -q '^# runs: 3, merged$' "$T/v.yaml" || fail "the header does not say 3 runs were merged"
	grep -qE '^ *- uname$' "$T/v.yaml" || fail "uname (run 2 only) missing from the merged policy"
	grep -qE '^ *- getcwd$' "$T/v.yaml" || fail "getcwd (runs 1 and 3) missing from the merged policy"
	# Each run's path passes under the merged policy; other changes do not.
	confine v.yaml -- "$M" vary2
	expect_rc 0
	expect_no_violation
	confine v.yaml -- "$M" vary1
	expect_rc 0
	expect_no_violation
	confine v.yaml -- "$M" net
	expect_rc 137
	# The same runs: nothing to report but that they agree.
	trace_to same.yaml --runs 2 --module tmod -- "$PY" app.py "$M" vary2
	expect_rc 0
	expect_err '^secimport-bpf: 2 runs merged: every run made the same syscalls$' 1
	expect_err 'seen in' 0
	# N must be a whole number from 1 to 100; nothing runs otherwise.
	local bad
	for bad in 0 101 x 2.5 -1 ''; do
		trace_to bad.yaml --runs "$bad" --module tmod -- "$PY" app.py "$M" good
		expect_rc 2
		expect_err "^secimport-bpf: --runs needs a whole number of runs from 1 to 100, not '" 1
	done
	expect_no_file tmod-good.json "nothing may run when --runs is bad"
}

t_trace_all_modules() {
	fresh trace
	trace_to all.yaml --all-modules -- "$PY" app.py "$M" good
	if [ "$RC" = 2 ] && grep -q 'needs the stackwalk engine' "$T/err"; then
		skip "--all-modules needs the stackwalk engine (engine $ENGINE)"
		return
	fi
	expect_rc 0
	grep -q '^  tmod:' "$T/all.yaml" || fail "tmod missing from the --all-modules policy"
	grep -q '^  json:' "$T/all.yaml" && fail "stdlib module json listed without --stdlib"
	confine all.yaml -- "$M" good
	expect_rc 0
	expect_no_violation
	confine all.yaml -- "$M" shell
	expect_rc 137
}

t_import_secimport() {
	# An original-format policy, imported, enforces the same allowlist.
	fresh network
	local f
	for f in allow deny; do
		"$BIN" policy import-secimport "$T/original/$f.yaml" -o "$T/$f-imported.yaml" \
			>/dev/null 2>"$T/import.err" || fail "import of $f.yaml failed: $(cat "$T/import.err")"
	done
	confine allow-imported.yaml -- "$M"
	expect_rc 0
	expect_out 'socket ok'
	expect_no_violation
	confine deny-imported.yaml -- "$M"
	expect_rc 137
	expect_err 'kill .* module=netmod syscall=socket ' 1
}

# --- the command line ------------------------------------------------------

t_exit_status() {
	fresh exitcode
	confine policy.yaml -- exit
	expect_rc 3
	confine policy.yaml -- term
	expect_rc 143
}

t_bad_policy() {
	fresh quickstart
	printf 'modules:\n  example:\n    allow_shel: false\n' >"$T/bad.yaml"
	confine bad.yaml -- "$M"
	expect_rc 2
	expect_err '^bad\.yaml:3:5: error: .*allow_shel'
	expect_no_file main_ran "nothing may run when the policy is bad"
}

t_unknown_module() {
	fresh quickstart
	printf 'modules:\n  no_such_module_xyz:\n    allow_shell: false\n' >"$T/unk.yaml"
	confine unk.yaml -- "$M"
	expect_rc 2
	expect_err '^unk\.yaml:2:3: error: module .no_such_module_xyz. cannot be found'
	expect_no_file main_ran "nothing may run when a module cannot be resolved"
}

t_no_probes() {
	fresh quickstart
	# The same interpreter with its USDT notes removed: a build without dtrace.
	# From 3.12 the version alone says no (and sid's 3.14 and 3.15 are
	# patched by patchelf, which objcopy does not rewrite faithfully).
	local noprobes=$T/bin/python3-noprobes
	mkdir -p "$T/bin"
	if "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
		noprobes=$PY
	else
		objcopy --remove-section=.note.stapsdt "$PY" "$noprobes"
	fi
	(cd "$T" && "$BIN" run --engine usdt --policy policy.yaml -- "$noprobes" app.py "$M" \
		>"$T/out" 2>"$T/err")
	RC=$?
	expect_rc 2
	expect_err 'has no python:function__entry/function__return USDT probes|the usdt engine needs CPython 3\.6 to 3\.11'
	expect_no_file main_ran "nothing may run without attribution"
}

t_usage() {
	T=$WORK/usage.$ntests
	mkdir -p "$T"
	"$BIN" run --policy x.yaml >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	expect_err 'needs a program to run'
	"$BIN" frobnicate >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	"$BIN" run --action block --policy x.yaml -- true >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	expect_err "unknown action 'block': use kill, log, deny or deny\+kill"
	"$BIN" run --fallback log --action deny --policy x.yaml -- true >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	expect_err "unknown fallback 'log'"
	"$BIN" --version >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0
	expect_out '^secimport-bpf [0-9]+\.[0-9]+'
}

t_policy_check() {
	T=$WORK/policy.$ntests
	mkdir -p "$T"
	local f
	for f in "$HERE"/../../policies/*.yaml "$CASES"/*/*.yaml; do
		"$BIN" policy check "$f" >"$T/out" 2>"$T/err" || fail "policy check rejects $f: $(cat "$T/err")"
	done
	"$BIN" policy check --json "$CASES/logmode/policy.yaml" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0
	"$PY" - "$T/out" <<'EOF' || fail "policy check --json output invalid"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["valid"] is True, doc
(m,) = doc["modules"]
assert m["name"] == "lm" and m["action"] == "log", m
assert m["allow_shell"] is False and m["allow_networking"] is False, m
assert "socket" in m["refused_syscalls"] and "execve" in m["refused_syscalls"], m
assert "read" not in m["refused_syscalls"], m
EOF
	printf 'modules:\n  x:\n    syscalls: [opne]\n' >"$T/bad.yaml"
	"$BIN" policy check "$T/bad.yaml" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	expect_err "bad\.yaml:3:16: error: unknown syscall 'opne'"
	# The interpreter baseline: shown apart; the key takes true or false, with a list.
	printf 'modules:\n  x:\n    syscalls: [read, futex]\n  y:\n    syscalls: [read]\n    interpreter_baseline: false\n' >"$T/base.yaml"
	"$BIN" policy check "$T/base.yaml" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0
	expect_out '^  interpreter baseline \(every syscalls list allows it'
	expect_out '^    allowed syscalls: read, and the interpreter baseline$'
	expect_out '^    allowed syscalls: read \(interpreter_baseline: false\)$'
	printf 'modules:\n  x:\n    syscalls: [read]\n    interpreter_baseline: yes\n' >"$T/bad.yaml"
	"$BIN" policy check "$T/bad.yaml" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	expect_err "bad\.yaml:4:27: error: interpreter_baseline must be true or false, not 'yes'"
	printf 'modules:\n  x:\n    interpreter_baseline: false\n' >"$T/bad.yaml"
	"$BIN" policy check "$T/bad.yaml" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	expect_err "bad\.yaml:3:5: error: interpreter_baseline goes with a syscalls list"
}

ALL_TESTS="policy_check quickstart subprocess network_denied network_allowed benign helper_spawn
thread_later fork_confined child_exec after_return logmode stress logmode_json compat_syscall
raw_clone callback_callee callback_closure unbalanced_returns unbalanced_benign fork_then_call process_default walk_generator walk_generator_reverse walk_c_calls_main walk_c_calls_plugin
flag_optimize flag_importtime pythonpath deny_socket deny_without_lsm deny_shell deny_connect
deny_open deny_kill trace_run trace_fork trace_merge trace_baseline_replay baseline_hand_threads trace_runs trace_all_modules import_secimport run_as_user supervisor_kill exit_status
bad_policy unknown_module no_probes usage"

declare -A DESC=(
	[policy_check]="policy check: templates valid, --json parses, baseline apart, errors exit 2"
	[quickstart]="a no-shell module's os.system is killed, main's works"
	[subprocess]="confined subprocess.check_call is killed, main's os.system works"
	[network_denied]="a no-network module opening a socket is killed"
	[network_allowed]="the same module with networking allowed works"
	[benign]="json, files, threads and exceptions in a confined module are not killed"
	[helper_spawn]="an unconfined helper called by a confined module is confined"
	[thread_later]="a thread started by a confined module stays confined after it returns"
	[fork_confined]="os.fork() in a no-shell module is killed"
	[child_exec]="a child program of a no-network module is killed when it opens a socket"
	[after_return]="main is unconstrained after a confined call returns"
	[logmode]="log mode: recursion, exceptions and generators give exactly the expected events"
	[stress]="coroutines, 16 threads, 900- and 300-deep stacks: exact events, no resyncs"
	[logmode_json]="log mode with --json: valid records"
	[compat_syscall]="an ia32 (int 0x80) socket from a no-network module is killed"
	[raw_clone]="a raw clone syscall from a no-shell module is killed"
	[callback_callee]="main's callback called by a confined module is confined"
	[callback_closure]="a confined module's closure called later by main is confined"
	[unbalanced_returns]="returns whose entries CPython never reported do not end a confined frame"
	[unbalanced_benign]="after those tricks, a confined frame that really ends frees main"
	[fork_then_call]="a child forked by main that calls the confined module is confined"
	[process_default]="process_default applies to the whole program"
	[walk_generator]="a confined generator resumed from main is confined only while it runs"
	[walk_generator_reverse]="main's generator resumed inside confined code is confined"
	[walk_c_calls_main]="C code (sorted, _json) called by a confined module calls main: confined"
	[walk_c_calls_plugin]="C code called by main calls a confined function: confined"
	[flag_optimize]="python -O"
	[flag_importtime]="python -X importtime"
	[pythonpath]="the module PYTHONPATH selects is the one confined"
	[deny_socket]="deny: socket() from a no-network module fails with EPERM, main's works"
	[deny_without_lsm]="deny without BPF LSM: exit 2 unless --fallback kill, then killed"
	[deny_shell]="deny (BPF LSM): os.system and subprocess refused, the program goes on"
	[deny_connect]="deny (BPF LSM): connect() refused, the listener sees nothing"
	[deny_open]="deny (BPF LSM): opening a file refused, the file unchanged"
	[deny_kill]="deny+kill (BPF LSM): refused, then killed"
	[trace_run]="trace writes a policy: the traced run passes, spawning or sockets are killed"
	[trace_fork]="a traced os.fork() is allowed under the written policy"
	[trace_merge]="trace --merge and policy merge cover several runs"
	[trace_baseline_replay]="a thread-heavy program traced once replays 20 times under its strict policy"
	[baseline_hand_threads]="a hand-written list allowing threads: thread start and 3.14+ thread naming are not violations"
	[trace_runs]="trace --runs 3 merges the runs and says what only some made; bad N exits 2"
	[trace_all_modules]="trace --all-modules finds the program's own top-level modules"
	[import_secimport]="an imported original secimport policy enforces the same allowlist"
	[run_as_user]="--user runs the program unprivileged, still confined"
	[supervisor_kill]="a confined module cannot kill run when it runs unprivileged"
	[exit_status]="run exits with the program's status, 128+N on a signal"
	[bad_policy]="a bad policy: file:line:col, exit 2, nothing runs"
	[unknown_module]="an unresolvable module: file:line:col, exit 2, nothing runs"
	[no_probes]="an interpreter without USDT probes: clear error, exit 2, nothing runs"
	[usage]="usage errors exit 2; --version"
)

# shellcheck source=tests/e2e/attribution.sh
. "$HERE/attribution.sh"
ALL_TESTS="$ALL_TESTS $ATTRIBUTION_TESTS"
# shellcheck source=tests/e2e/sidedoor.sh
. "$HERE/sidedoor.sh"
ALL_TESTS="$ALL_TESTS $SIDEDOOR_TESTS"
# shellcheck source=tests/e2e/filewrite.sh
. "$HERE/filewrite.sh"
ALL_TESTS="$ALL_TESTS $FILEWRITE_TESTS"
# shellcheck source=tests/e2e/plant.sh
. "$HERE/plant.sh"
ALL_TESTS="$ALL_TESTS $PLANT_TESTS"
# shellcheck source=tests/e2e/ctypesdoor.sh
. "$HERE/ctypesdoor.sh"
ALL_TESTS="$ALL_TESTS $CTYPES_TESTS"

selected=${*:-$ALL_TESTS}
# SECIMPORT_TEST_EXCLUDE: tests reported as skipped here (the VM suite
# leaves out the slowest, which the host suites run).
exclude=" ${SECIMPORT_TEST_EXCLUDE:-} "
echo "# secimport-bpf end-to-end tests, interpreter $PY, engine $ENGINE, BPF LSM $LSM_LIVE"
for t in $selected; do
	if [[ $exclude == *" $t "* ]]; then
		ntests=$((ntests + 1))
		nskipped=$((nskipped + 1))
		echo "ok $ntests - $t: ${DESC[$t]:-} # SKIP left out here (SECIMPORT_TEST_EXCLUDE)"
		continue
	fi
	run_test "$t" "${DESC[$t]:-}"
done
tap_finish end-to-end

#!/usr/bin/env bash
# End-to-end tests of a loaded system: `secimport-bpf load` with pinned
# programs, the Python secure_import() hook through libsecimport and the
# broker, status, events, policy apply, unload. Needs root. Prints TAP.
#
#   tests/e2e/system.sh BINARY LIBRARY [TEST...]
#
# The system is pinned at a directory of its own with a socket of its own,
# so a system loaded on the machine is left alone. SECIMPORT_TEST_PYTHON is
# the covered interpreter (default /usr/bin/python3.11).
set -u

BIN=$(realpath "$1")
LIB=$(realpath "$2")
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${SECIMPORT_TEST_PYTHON:-/usr/bin/python3.11}
CASES=$HERE/system
WORK=$(mktemp -d /tmp/secimport-sys.XXXXXX)
chmod 755 "$WORK"
export SECIMPORT_PIN_DIR=/sys/fs/bpf/secimport-e2e
SOCK=/run/secimport-e2e/secimport.sock
export SECIMPORT_SOCKET=$SOCK SECIMPORT_LIBRARY=$LIB PYTHONPATH=$ROOT/python
PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv}

cleanup() {
	"$BIN" unload >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	echo "Bail out! the system tests load BPF programs: run them as root"
	exit 1
fi

LSM_LIVE=false
"$BIN" features --json 2>/dev/null | grep -q '"bpf_lsm":true' && LSM_LIVE=true

# shellcheck source=tests/e2e/tap.sh
. "$HERE/tap.sh"

# fresh NAME: a scratch copy of the cases; T the dir, M its marker dir.
fresh() {
	T=$WORK/$1.$ntests
	rm -rf "$T"
	cp -r "$CASES" "$T"
	M=$T/markers
	mkdir -p "$M"
	chmod 777 "$M" "$T"
}

# load [ARGS...]: load the system for the covered interpreter; RC, $T/load.err.
load() {
	"$BIN" load --python "$PY" --socket "$SOCK" "$@" >"$T/load.out" 2>"$T/load.err"
	RC=$?
	[ "$RC" = 0 ] || fail "load failed ($RC): $(cat "$T/load.err")"
}

unload() {
	"$BIN" unload >/dev/null 2>&1 || fail "unload failed"
}

# py SCRIPT [ARGS...]: run a case with the covered interpreter; RC, out, err.
py() {
	(cd "$T" && exec timeout 60 "$PY" "$@" >"$T/out" 2>"$T/err")
	RC=$?
}

# events: the system's violation records so far, appended to $T/events.
events() {
	"$BIN" events >>"$T/events" 2>&1
}

expect_event() {
	local n
	n=$(grep -cE -- "$1" "$T/events")
	if [ $# -ge 2 ]; then
		[ "$n" = "$2" ] || fail "$n event lines match /$1/, expected $2"
	else
		[ "$n" -gt 0 ] || fail "no event line matches /$1/"
	fi
}

# --- the seed's examples, through secure_import() ----------------------------

t_quickstart() {
	fresh quickstart
	load
	py quickstart.py "$M"
	events
	expect_rc 137
	expect_file main_ran "main's own os.system must work"
	expect_no_file module_ran "the module's shell must never run"
	expect_no_file imported "nothing after the import may run"
	expect_event 'kill pid=[0-9]+ .* module=example syscall=(clone3|clone|vfork|fork) frame=.*example\.py' 1
	unload
}

t_subprocess() {
	fresh subprocess
	load
	py subprocess_case.py "$M"
	events
	expect_rc 137
	expect_file main_ps "main's os.system(\"ps\") must work"
	expect_no_file confined_ps "subprocess.check_call must not return"
	expect_event 'kill .* module=subprocess syscall=(clone3|clone|vfork|fork|execve)'
	unload
}

t_network() {
	fresh network
	load
	py network_case.py "$M" kill
	events
	expect_rc 137
	! grep -q shipped "$T/out" || fail "the record was shipped"
	expect_event 'kill .* module=netlog syscall=(socket|connect)'
	unload
}

t_network_deny() {
	if ! $LSM_LIVE; then
		skip "BPF LSM is not live on this kernel (the VM suite runs this)"
		return
	fi
	fresh network_deny
	load
	py network_case.py "$M" deny
	events
	expect_rc 0
	expect_out 'refused:'
	expect_file listener_saw_nothing "the listener must see nothing"
	expect_event 'deny .* module=netlog syscall=(socket|connect)'
	"$BIN" status --json | grep -qE '"denied":[1-9]' || fail "status counts no denied violation"
	unload
}

# --- the registration path -------------------------------------------------

t_nothing_loaded() {
	fresh nothing_loaded
	"$BIN" unload >/dev/null 2>&1
	py nothing_loaded.py "$M"
	expect_rc 0
	expect_out 'raised: .*no secimport-bpf system is loaded'
	expect_out 'in sys.modules: False'
	expect_no_file module_ran "the module must not have run"
}

t_nonroot() {
	fresh nonroot
	load
	(cd "$T" && exec timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env PYTHONPATH="$PYTHONPATH" SECIMPORT_LIBRARY="$LIB" SECIMPORT_SOCKET="$SOCK" \
		"$PY" quickstart.py "$M" >"$T/out" 2>"$T/err")
	RC=$?
	events
	expect_rc 137
	expect_file main_ran "main (nobody) must run"
	expect_no_file module_ran "the module's shell must never run"
	# An unprivileged process cannot reach the pinned maps to write anything itself.
	if setpriv --reuid=nobody --regid=nogroup --clear-groups \
		bpftool map update pinned "$SECIMPORT_PIN_DIR/maps/proc_sets" key 1 0 0 0 value 3 0 0 0 \
		>/dev/null 2>&1; then
		fail "nobody could write the pinned proc_sets map"
	fi
	unload
}

t_loosen() {
	fresh loosen
	load
	py loosen.py "$M"
	events
	expect_rc 137
	expect_out 'refused: .*can only make that stricter'
	expect_out 'tightened'
	expect_out 'alias: -4 .*already confined in this process by module shellmod'
	expect_no_file shellmod_ran "the first registration still holds"
	expect_event 'kill .* module=shellmod syscall=(clone3|clone|vfork|fork)' 1
	unload
}

t_confined_registers() {
	fresh confined_registers
	load
	py confined_registers.py
	expect_rc 0
	expect_out 'refused: .*confined module is on the caller.s stack'
	expect_out 'main registered'
	unload
}

t_confined_bpf() {
	fresh confined_bpf
	load
	py bpf_case.py "$M"
	events
	expect_rc 137
	expect_no_file bpf_returned "bpf() must not return to confined code"
	expect_event 'kill .* module=bpfcall syscall=bpf' 1
	unload
}

t_secure_import_ctypes() {
	fresh secure_import_ctypes
	load
	py ctypes_case.py "$M" default
	events
	expect_rc 137
	expect_no_file poked "ctypes.memmove by a module registered without allow_ctypes ran"
	expect_event 'kill .* module=ctmod syscall=<ctypes> ' 1
	py ctypes_case.py "$M" allowed
	expect_rc 0
	expect_file poked "secure_import(..., allow_ctypes=True) allows ctypes"
	unload
}

t_secure_import_file_write() {
	fresh secure_import_file_write
	load
	py file_write_case.py "$M" refused
	events
	expect_rc 137
	expect_no_file returned "a module registered with allow_file_write=False opened a file for writing"
	[ ! -s "$M/stored" ] || fail "its write reached the file"
	expect_event 'kill .* module=fwmod syscall=<file write> ' 1
	rm -f "$M/stored"
	py file_write_case.py "$M" default
	expect_rc 0
	expect_file returned "secure_import without allow_file_write allows file writes"
	expect_file stored "the module's file"
	unload
}

# A request on one connection that hands over another connection's socket,
# as something forging who is asking would.
t_forged_socket() {
	fresh forged
	load
	cat >"$T/forge.py" <<-'PYEOF'
		import os, socket, struct, sys
		path = os.environ["SECIMPORT_SOCKET"]
		a = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); a.connect(path)
		b = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); b.connect(path)
		loc = os.path.abspath("shellmod.py").encode().ljust(252, b"\0") + struct.pack("<I", 0)
		req = (struct.pack("<II", 0x53454349, 1) + b"shellmod".ljust(128, b"\0")
		       + struct.pack("<II", 2, 1) + b"\0" * 128 + loc + b"\0" * 256 * 7)
		assert len(req) == 2320, len(req)
		# b's request, with a's socket: not the other end of b's connection.
		b.sendmsg([req], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", a.fileno()))])
		reply = b.recv(1024)
		print("status", struct.unpack("<i", reply[:4])[0], reply[16:].split(b"\0")[0].decode())
	PYEOF
	py forge.py
	expect_rc 0
	grep -qE 'status [1-9]' "$T/out" || fail "a forged request was accepted"
	unload
}

# Clients that connect and say nothing hold up no one's registration (a
# serial broker would make the last registration wait 2 s for each).
t_silent_clients() {
	fresh silent_clients
	load
	cat >"$T/silent.py" <<-'PYEOF'
		import os, socket, subprocess, sys
		held = []
		for _ in range(10):
		    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
		    s.connect(os.environ["SECIMPORT_SOCKET"])
		    held.append(s)
		r = subprocess.run([sys.executable, "quickstart.py", sys.argv[1]])
		print("registrar exit", r.returncode)
	PYEOF
	py silent.py "$M"
	expect_out 'registrar exit -9'
	expect_no_file module_ran "the module's shell must never run"
	unload
}

t_two_processes() {
	fresh two_processes
	load
	(cd "$T" && exec timeout 60 "$PY" two_procs.py "$M" deny "$T/go" >"$T/out.deny" 2>&1) &
	local p1=$!
	(cd "$T" && exec timeout 60 "$PY" two_procs.py "$M" allow "$T/go" >"$T/out.allow" 2>&1) &
	local p2=$!
	for _ in $(seq 200); do
		[ -e "$M/registered_deny" ] && [ -e "$M/registered_allow" ] && break
		sleep 0.05
	done
	mkdir -p "$M/deny" "$M/allow"
	chmod 777 "$M/deny" "$M/allow"
	touch "$T/go"
	wait $p1
	local rc1=$?
	wait $p2
	local rc2=$?
	[ "$rc1" = 137 ] || fail "the process that confined shellmod exited $rc1, expected 137"
	[ "$rc2" = 0 ] || fail "the process that allowed shellmod exited $rc2, expected 0"
	expect_no_file deny/shellmod_ran "the confining process's shellmod must not spawn"
	expect_file allow/shellmod_ran "the other process's shellmod may spawn"
	# Gone processes give their private sets back.
	"$BIN" status --json | grep -q '"registered":0' ||
		fail "private sets left after the processes exited: $("$BIN" status --json)"
	unload
}

t_inherit_thread() {
	fresh inherit_thread
	load
	py inherit.py "$M" thread
	expect_rc 137
	expect_no_file thread_ran "a thread started by the module stays confined"
	unload
}

t_inherit_fork() {
	fresh inherit_fork
	load
	py inherit.py "$M" fork
	expect_rc 0
	expect_out 'child status 9'
	expect_no_file child_networked "a child forked by the module stays confined"
	unload
}

# pyenv_python MINOR: pyenv's CPython 3.MINOR, if installed (another build than $PY).
pyenv_python() {
	find "$PYENV_ROOT"/versions -maxdepth 3 -path "*/versions/3.$1.*/bin/python3.$1" 2>/dev/null |
		sort -V | tail -1
}

# second_python: pyenv's 3.12, if it is not $PY itself (empty otherwise).
second_python() {
	local other
	other=$(pyenv_python 12)
	[ -n "$other" ] && [ "$(realpath "$other")" != "$(realpath "$PY")" ] && echo "$other"
}

# An interpreter the system was not pointed at (a container's, say): the
# broker covers it when it first registers, and it is confined like any.
t_cover_on_register() {
	local other
	other=$(second_python)
	if [ -z "$other" ]; then
		skip "no second interpreter (pyenv 3.12) the system is not pointed at"
		return
	fi
	fresh cover_on_register
	load
	(cd "$T" && exec timeout 60 "$other" quickstart.py "$M" >"$T/out" 2>"$T/err")
	RC=$?
	events
	expect_rc 137
	expect_file main_ran "main may spawn"
	expect_no_file module_ran "the module's shell must never run"
	expect_event 'kill .* comm=python3.12 module=example'
	"$BIN" status | grep -q 'found in pid' || fail "status does not list the interpreter found"
	unload
}

# One the stack walker cannot cover: secure_import raises and says why.
t_uncovered_interpreter() {
	local other
	other=$(pyenv_python 7)
	if [ -z "$other" ]; then
		skip "no pyenv CPython 3.7 (a version the stack walker does not cover)"
		return
	fi
	fresh uncovered
	load
	(cd "$T" && exec timeout 60 "$other" nothing_loaded.py "$M" >"$T/out" 2>"$T/err")
	RC=$?
	expect_rc 0
	expect_out 'raised: .*not covered by the loaded system, and cannot be'
	expect_out 'in sys.modules: False'
	unload
}

# The agent finds an interpreter running that it was not pointed at and
# covers it: a node-wide policy naming that build's json by path applies.
t_agent_scan() {
	local other jsondir pypid
	other=$(second_python)
	if [ -z "$other" ]; then
		skip "no second interpreter (pyenv 3.12) the system is not pointed at"
		return
	fi
	fresh agent_scan
	jsondir=$("$other" -c 'import json, os; print(os.path.dirname(json.__file__))')
	mkdir -p "$T/cm/..v1"
	printf 'modules:\n  %s/:\n    allow_shell: false\n' "$jsondir" >"$T/cm/..v1/node.yaml"
	configmap "$T/cm" v1
	(cd "$T" && exec timeout 60 "$other" waiter.py "$M" "$T/go" >"$T/out" 2>"$T/err") &
	local wpid=$!
	for _ in $(seq 100); do
		[ -e "$M/waiting" ] && break
		sleep 0.05
	done
	pypid=$(cat "$M/waiting")
	agent_start "$T/cm"
	for _ in $(seq 100); do
		grep -q "covering process $pypid\$" "$T/agent.err" && break
		sleep 0.1
	done
	touch "$T/go"
	wait $wpid
	RC=$?
	kill -TERM "$APID"
	wait "$APID"
	expect_rc 137
	expect_no_file adopted_spawned "the found interpreter's json may not spawn"
	grep -q "covering process $pypid\$" "$T/agent.err" ||
		fail "the agent did not cover process $pypid: $(cat "$T/agent.err")"
	unload
}

# --- the loaded system itself ----------------------------------------------

# in_cgroup DIR OUT -- CMD...: run CMD inside cgroup DIR; RC.
in_cgroup() {
	local dir=$1 out=$2
	shift 3
	# shellcheck disable=SC2016 # expanded by the inner shell, in the cgroup
	(cd "$T" && exec timeout 60 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" "$@" \
		>"$out" 2>&1)
	RC=$?
}

t_cgroup_scope() {
	local root a b rc_a rc_b
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -z "$root" ]; then
		skip "no cgroup v2 hierarchy mounted"
		return
	fi
	fresh cgroup_scope
	a=$root/secimport-e2e-a
	b=$root/secimport-e2e-b
	mkdir -p "$a" "$b" "$M/a" "$M/b"
	chmod 777 "$M/a" "$M/b"
	load
	# The policy names its cgroup (--cgroup PATH would do the same).
	printf 'cgroup: %s\nmodules:\n  %s:\n    allow_shell: false\n' "$a" "$T/shellmod.py" \
		>"$T/p.yaml"
	"$BIN" policy apply "$T/p.yaml" >"$T/apply.out" 2>&1 ||
		fail "policy apply (cgroup: $a): $(cat "$T/apply.out")"
	local spawn='import sys; sys.path.insert(0, sys.argv[1]); import shellmod; shellmod.spawn(sys.argv[2])'
	in_cgroup "$a" "$T/out.a" -- "$PY" -c "$spawn" "$T" "$M/a"
	rc_a=$RC
	in_cgroup "$b" "$T/out.b" -- "$PY" -c "$spawn" "$T" "$M/b"
	rc_b=$RC
	[ "$rc_a" = 137 ] || fail "in the cgroup with the policy: exit $rc_a, expected 137"
	expect_no_file a/shellmod_ran "shellmod may not spawn in cgroup a"
	[ "$rc_b" = 0 ] || fail "in the other cgroup: exit $rc_b, expected 0"
	expect_file b/shellmod_ran "shellmod may spawn in cgroup b"
	"$BIN" status --json | grep -q '"cgroup_policies":\[{' || fail "status lists no cgroup policy"
	# Cleared: the module may spawn in cgroup a too.
	"$BIN" policy apply --cgroup "$a" --clear >/dev/null 2>&1 || fail "policy apply --clear failed"
	in_cgroup "$a" "$T/out.a2" -- "$PY" -c "$spawn" "$T" "$M/a"
	[ "$RC" = 0 ] || fail "after --clear: exit $RC, expected 0"
	expect_file a/shellmod_ran "after --clear shellmod may spawn in cgroup a"
	unload
	rmdir "$a" "$b" 2>/dev/null
}

# configmap DIR VERSION: point DIR's ..data at DIR/..VERSION and link its
# files, the way the kubelet updates a ConfigMap volume (one rename).
configmap() {
	local dir=$1 v=$2 f
	ln -sfn "..$v" "$dir/..data.tmp"
	mv -T "$dir/..data.tmp" "$dir/..data"
	for f in "$dir"/*; do
		[ -L "$f" ] && rm -f "$f"
	done
	for f in "$dir/..$v"/*; do
		ln -sfn "..data/${f##*/}" "$dir/${f##*/}"
	done
}

# agent_start DIR [ARGS...]: the agent on policy directory DIR, as the
# DaemonSet runs it; APID its pid, once it says it enforces.
agent_start() {
	local dir=$1
	shift
	"$BIN" agent --policy-dir "$dir" --python "$PY" --socket "$SOCK" "$@" >"$T/agent.out" \
		2>"$T/agent.err" &
	APID=$!
	for _ in $(seq 100); do
		grep -q enforcing "$T/agent.err" && return
		sleep 0.1
	done
}

# The DaemonSet's entrypoint, run as in the pod: it loads, applies the
# ConfigMap-style directory, follows a change, serves registrations, streams
# JSON records, and on SIGTERM keeps enforcement (the default).
t_agent() {
	local cm root=""
	fresh agent
	cm=$T/cm
	mkdir -p "$cm/..v1" "$cm/..v2"
	printf 'modules:\n  json:\n    allow_shell: false\n' >"$cm/..v1/node.yaml"
	printf 'modules:\n  csv:\n    allow_shell: false\n' >"$cm/..v2/node.yaml"
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$root" ]; then
		mkdir -p "$root/secimport-e2e-agent"
		printf 'cgroup: %s\nmodules:\n  %s:\n    allow_shell: false\n' \
			"$root/secimport-e2e-agent" "$T/shellmod.py" >"$cm/..v1/team-a.yaml"
	fi
	configmap "$cm" v1
	agent_start "$cm"
	"$BIN" status >/dev/null 2>&1 || fail "the agent did not load: $(cat "$T/agent.err")"
	py json_spawn.py "$M"
	[ "$RC" = 137 ] || fail "json under the ConfigMap's policy: exit $RC, expected 137"
	expect_no_file json_ran "json may not spawn under v1"
	py quickstart.py "$M"
	[ "$RC" = 137 ] || fail "secure_import through the agent's broker: exit $RC, expected 137"
	if [ -n "$root" ]; then
		"$BIN" status --json | grep -q '"cgroup_policies":\[{' ||
			fail "the agent did not apply the cgroup-scoped file"
	fi
	configmap "$cm" v2
	for _ in $(seq 100); do
		grep -q "agent: .* applied" "$T/agent.err" && break
		sleep 0.1
	done
	py json_spawn.py "$M"
	[ "$RC" = 0 ] || fail "after the ConfigMap changed: exit $RC, expected 0; agent: $(tail -4 "$T/agent.err")"
	expect_file json_ran "json may spawn under v2"
	if [ -n "$root" ]; then
		"$BIN" status --json | grep -q '"cgroup_policies":\[\]' ||
			fail "the cgroup scope removed from the ConfigMap is still applied"
	fi
	kill -TERM "$APID"
	wait "$APID"
	RC=$?
	expect_rc 0
	"$PY" -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs, "no records"
assert all(r["event"] == "violation" for r in recs)
assert any(r["modules"] == ["json"] for r in recs), recs
assert any(r["modules"] == ["example"] for r in recs), recs
' "$T/agent.out" 2>"$T/err" || fail "agent stdout is not the JSON records: $(tail -1 "$T/err")"
	"$BIN" status >/dev/null 2>&1 || fail "SIGTERM (on-exit keep) must leave enforcement loaded"
	unload
	[ -z "$root" ] || rmdir "$root/secimport-e2e-agent" 2>/dev/null
}

t_agent_unload() {
	fresh agent_unload
	mkdir -p "$T/cm/..v1"
	printf 'modules:\n  json:\n    allow_shell: false\n' >"$T/cm/..v1/node.yaml"
	configmap "$T/cm" v1
	agent_start "$T/cm" --on-exit unload
	kill -TERM "$APID"
	wait "$APID"
	RC=$?
	expect_rc 0
	[ ! -e "$SECIMPORT_PIN_DIR" ] || fail "--on-exit unload left the system loaded"
}

t_system_policy() {
	fresh system_policy
	printf 'modules:\n  json:\n    allow_shell: false\n' >"$T/p.yaml"
	load --policy "$T/p.yaml"
	py json_spawn.py "$M"
	events
	expect_rc 137
	expect_file main_ran "main may spawn"
	expect_no_file json_ran "json's callback may not"
	expect_event 'kill .* module=json syscall=(clone3|clone|vfork|fork)' 1
	unload
}

t_adopt_running() {
	fresh adopt
	printf 'modules:\n  json:\n    allow_shell: false\n' >"$T/p.yaml"
	(cd "$T" && exec timeout 60 "$PY" waiter.py "$M" "$T/go" >"$T/out" 2>"$T/err") &
	local pid=$!
	for _ in $(seq 200); do
		[ -e "$M/waiting" ] && break
		sleep 0.05
	done
	load --policy "$T/p.yaml"
	touch "$T/go"
	wait $pid
	RC=$?
	expect_rc 137
	expect_no_file adopted_spawned "a process started before load is covered too"
	unload
}

# 3.14+: a confined module's function, marshalled into a sub-interpreter by
# the application, keeps its identity under load too (the marshal probes
# attached when a build is covered).
t_xi_call() {
	if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 14))'; then
		skip "functions are shared between interpreters from CPython 3.14"
		return
	fi
	fresh xi_call
	printf 'modules:\n  %s/ximod.py:\n    allow_shell: false\n' "$T" >"$T/p.yaml"
	load --policy "$T/p.yaml"
	py xi_case.py "$M"
	events
	expect_rc 137
	expect_file main_ran "main may spawn"
	expect_no_file escaped "ximod's task, run in a sub-interpreter, may not"
	expect_event 'kill .* module=[^ ]*ximod[^ ]* syscall=(clone3|clone|vfork|fork)' 1
	unload
	# Covered when it registers (the system was pointed at another build).
	fresh xi_call_register
	"$BIN" load --python /usr/bin/python3.11 --socket "$SOCK" >"$T/load.out" 2>"$T/load.err" ||
		fail "load failed: $(cat "$T/load.err")"
	py xi_case.py "$M" register
	events
	expect_rc 137
	expect_file main_ran "main may spawn"
	expect_no_file escaped "ximod's task, in an interpreter covered at registration, may not"
	expect_event 'kill .* module=ximod syscall=(clone3|clone|vfork|fork)' 1
	unload
}

# A CPython whose executable is not named python3.N (a container image's
# python3, a venv's python), registering with secure_import(): covered when
# it registers, its version read from the binary (Py_Version, 3.11+).
t_cover_named_python() {
	if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
		skip "the version is in the binary (Py_Version) from CPython 3.11"
		return
	fi
	local home
	home=$("$PY" -c 'import sys; print(sys.base_prefix)')
	fresh cover_named_python
	mkdir -p "$T/bin"
	cp "$PY" "$T/bin/python3"
	load
	(cd "$T" && PYTHONHOME=$home exec timeout 60 "$T/bin/python3" quickstart.py "$M" \
		>"$T/out" 2>"$T/err")
	RC=$?
	events
	expect_rc 137
	expect_file main_ran "main may spawn"
	expect_no_file module_ran "the module's shell must never run"
	expect_event 'kill .* comm=python3 module=example'
	unload
}

t_broker_killed() {
	fresh broker_killed
	printf 'modules:\n  json:\n    allow_shell: false\n' >"$T/p.yaml"
	load --policy "$T/p.yaml"
	local bpid
	bpid=$("$BIN" status --json | sed -n 's/.*"broker":{"pid":\([0-9]*\).*/\1/p')
	[ -n "$bpid" ] && kill -9 "$bpid"
	sleep 0.2
	py json_spawn.py "$M"
	expect_rc 137
	expect_no_file json_ran "enforcement outlives the loader's processes"
	py nothing_loaded.py "$M"
	expect_out 'raised: .*broker is not running'
	"$BIN" broker --daemon >/dev/null 2>&1 || fail "broker --daemon failed"
	py quickstart.py "$M"
	expect_rc 137
	expect_no_file module_ran "registration works again with a new broker"
	unload
}

t_unload() {
	fresh unload
	printf 'modules:\n  json:\n    allow_shell: false\n' >"$T/p.yaml"
	load --policy "$T/p.yaml"
	unload
	[ ! -e "$SECIMPORT_PIN_DIR" ] || fail "pins left at $SECIMPORT_PIN_DIR"
	[ ! -e "$SOCK" ] || fail "socket left at $SOCK"
	py json_spawn.py "$M"
	expect_rc 0
	expect_file json_ran "after unload nothing is enforced"
}

t_load_twice() {
	fresh load_twice
	load
	"$BIN" load --python "$PY" --socket "$SOCK" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 2
	grep -q 'already loaded' "$T/err" || fail "no 'already loaded' message"
	"$BIN" status >/dev/null || fail "the first system was disturbed"
	unload
}

# Everything the kernel holds for secimport: programs, maps, links.
bpf_objects() {
	echo "progs $(bpftool prog show 2>/dev/null | grep -c 'name secimport_')"
	echo "links $(bpftool link show 2>/dev/null | grep -c '^[0-9]')"
	echo "maps $(bpftool map show 2>/dev/null | grep -c '^[0-9]')"
}

# quiesce: until no secimport-bpf process runs (an earlier `run` releases
# its programs in the background) and the kernel's objects stop changing.
quiesce() {
	local a b
	for _ in $(seq 100); do
		a=$(bpf_objects)
		sleep 0.3
		b=$(bpf_objects)
		[ -z "$(pgrep -x -r R,S,D,T,t secimport-bpf)" ] && [ "$a" = "$b" ] && return
	done
}

t_load_unload_50() {
	fresh cycles
	local before after
	quiesce
	before=$(bpf_objects)
	for i in $(seq 50); do
		"$BIN" load --python "$PY" --socket "$SOCK" --no-adopt >/dev/null 2>"$T/err" ||
			{ fail "load $i failed: $(cat "$T/err")"; break; }
		"$BIN" unload >/dev/null 2>&1 || { fail "unload $i failed"; break; }
	done
	# Programs, maps and links go when their last reference does (RCU-deferred).
	for _ in $(seq 50); do
		after=$(bpf_objects)
		[ "$after" = "$before" ] && break
		sleep 0.2
	done
	[ "$after" = "$before" ] || fail "leaked: before [$before], after [$after]"
	[ -z "$(ls -d "$SECIMPORT_PIN_DIR"* 2>/dev/null)" ] || fail "pins left"
}

# counter NAME: a counter of the loaded system (status --json).
counter() {
	"$BIN" status --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

t_apply_atomic() {
	fresh apply
	printf 'modules:\n  %s:\n    allow_networking: false\n    action: log\n' \
		"$T/looper.py" >"$T/a.yaml"
	printf 'modules:\n  %s:\n    allow_shell: false\n  %s:\n    allow_networking: false\n    action: log\n' \
		"$T/aaa_first.py" "$T/looper.py" >"$T/b.yaml"
	load --policy "$T/a.yaml"
	"$BIN" events --follow --json >"$T/events.json" 2>&1 &
	local ev=$! logged0 dropped0
	logged0=$(counter logged)
	dropped0=$(counter events_dropped)
	(cd "$T" && exec timeout 120 "$PY" loop.py "$T/ready" "$T/stop" >"$T/out" 2>"$T/err") &
	local pid=$!
	for _ in $(seq 200); do
		[ -e "$T/ready" ] && break
		sleep 0.02
	done
	for _ in $(seq 8); do
		"$BIN" policy apply "$T/b.yaml" >/dev/null 2>>"$T/apply.err" || fail "apply b failed"
		"$BIN" policy apply "$T/a.yaml" >/dev/null 2>>"$T/apply.err" || fail "apply a failed"
	done
	touch "$T/stop"
	wait $pid
	RC=$?
	sleep 0.5
	kill $ev 2>/dev/null
	wait $ev 2>/dev/null
	expect_rc 0
	local n logged dropped sockets others
	n=$(sed -n 's/^calls //p' "$T/out")
	logged=$(($(counter logged) - logged0))
	dropped=$(($(counter events_dropped) - dropped0))
	sockets=$(grep -c '"modules":\[".*looper.py"\].*"syscall":"socket"' "$T/events.json")
	others=$(grep -vc '"syscall":"socket"' "$T/events.json")
	if [ -z "$n" ] || [ "$logged" != "$n" ]; then
		fail "$logged violations counted for ${n:-?} refused socket() calls across 16 applies"
	fi
	[ $((sockets + dropped)) = "$n" ] ||
		fail "$sockets socket events + $dropped dropped for ${n:-?} calls"
	[ "$others" = 0 ] || fail "$others events for other syscalls (invented)"
	echo "# apply_atomic: 16 applies during ${n:-?} refused calls ($dropped events dropped)"
	unload
}

t_status() {
	fresh status
	load
	"$BIN" status --json >"$T/out" 2>"$T/err" || fail "status exit $?"
	"$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["loaded"] and s["whole"], s
assert s["engine"] == "stackwalk"
assert s["broker"]["running"], s["broker"]
assert s["links"]["pinned"] == s["links"]["attached"] > 0
' "$T/out" 2>>"$T/err" || fail "status --json: $(tail -1 "$T/err")"
	unload
	"$BIN" status >/dev/null 2>&1
	[ $? = 1 ] || fail "status with nothing loaded should exit 1"
}

t_usage() {
	fresh usage
	"$BIN" load --engine usdt --python "$PY" >/dev/null 2>"$T/err"
	[ $? = 2 ] || fail "load --engine usdt should exit 2"
	grep -q 'stackwalk' "$T/err" || fail "load --engine usdt should say why"
	"$BIN" load --policy /nonexistent.yaml --python "$PY" >/dev/null 2>&1
	[ $? = 2 ] || fail "load with a missing policy should exit 2"
	[ ! -e "$SECIMPORT_PIN_DIR" ] || fail "a failed load left pins"
	"$BIN" policy apply /nonexistent.yaml >/dev/null 2>&1
	[ $? = 2 ] || fail "apply with a missing policy should exit 2"
	printf 'modules:\n  json: {}\n' >"$T/p.yaml"
	"$BIN" policy apply "$T/p.yaml" >/dev/null 2>"$T/err"
	[ $? = 2 ] || fail "apply with nothing loaded should exit 2"
	grep -q 'no secimport-bpf system is loaded' "$T/err" || fail "apply should say nothing is loaded"
	load
	(cd "$T" && "$PY" -c '
from secimport import secure_import, SecureImportError
for kw in ({"action": "explode"}, {"syscalls": ["read", "no_such_syscall"]}):
    try:
        secure_import("shellmod", **kw)
        print("accepted", kw)
    except SecureImportError as e:
        print("rejected:", e)
' >"$T/out" 2>&1)
	grep -q accepted "$T/out" && fail "a bad setting was accepted: $(cat "$T/out")"
	[ "$(grep -c rejected "$T/out")" = 2 ] || fail "bad settings: $(cat "$T/out")"
	unload
}

# make install and pip install ./python: import secimport works after either.
t_packaging() {
	fresh packaging
	local root=$T/root site venv=$T/venv
	site=$("$PY" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
	make -s -C "$ROOT" install DESTDIR="$root" PREFIX=/usr/local PYTHON="$PY" \
		>"$T/out" 2>"$T/err" || fail "make install failed: $(tail -3 "$T/err")"
	for f in /usr/local/bin/secimport-bpf /usr/local/lib/libsecimport.so.0 \
		/usr/local/include/libsecimport.h "$site/secimport/__init__.py"; do
		[ -e "$root$f" ] || fail "make install did not install $f"
	done
	(cd / && env -u PYTHONPATH -u SECIMPORT_LIBRARY PYTHONPATH="$root$site" "$PY" -c \
		'import secimport, sys; assert secimport.__file__.startswith(sys.argv[1]); print(secimport._library_candidates()[0])' \
		"$root") >"$T/out" 2>"$T/err" || fail "import after make install: $(tail -1 "$T/err")"
	grep -qx /usr/local/lib/libsecimport.so.0 "$T/out" || fail "the installed package does not look in LIBDIR first"
	if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
		skip "$PY has no venv/ensurepip (Debian: python3-venv) for pip install ./python"
		return
	fi
	if ! "$PY" -m venv --system-site-packages "$venv" >"$T/out" 2>"$T/err" ||
		! "$venv/bin/pip" install -q --no-build-isolation --no-index "$ROOT/python" \
			>"$T/out" 2>"$T/err"; then
		fail "pip install ./python failed: $(tail -3 "$T/err")"
	fi
	(cd / && env -u PYTHONPATH "$venv/bin/python" -c \
		'import secimport, sys; assert "/venv/" in secimport.__file__; print(secimport.library_path())') \
		>"$T/out" 2>"$T/err" || fail "import after pip install: $(tail -1 "$T/err")"
	rm -rf "$ROOT/python/build" "$ROOT"/python/*.egg-info
}

ALL_TESTS="quickstart subprocess network network_deny nothing_loaded nonroot loosen
confined_registers confined_bpf forged_socket silent_clients two_processes inherit_thread inherit_fork
secure_import_ctypes secure_import_file_write cover_on_register uncovered_interpreter cgroup_scope agent agent_unload agent_scan system_policy adopt_running cover_named_python xi_call broker_killed unload load_twice status usage
packaging apply_atomic load_unload_50"

declare -A DESC=(
	[quickstart]="secure_import(\"example\", allow_shell=False): killed at import, nothing ran"
	[subprocess]="secure_import(\"subprocess\"): check_call(\"ps\") killed, main's os.system works"
	[network]="allow_networking=False: the logging module's connect is killed"
	[network_deny]="action deny (BPF LSM): the connect is refused, the listener sees nothing"
	[nothing_loaded]="nothing loaded: secure_import raises, the module is not imported"
	[nonroot]="an unprivileged process registers; it cannot write the pinned maps"
	[loosen]="a second registration cannot loosen a module's confinement"
	[confined_registers]="a confined module calling secure_import is refused"
	[confined_bpf]="bpf() is refused to confined code whatever its policy allows"
	[secure_import_ctypes]="secure_import: ctypes refused by default, allowed with allow_ctypes=True"
	[secure_import_file_write]="secure_import: allow_file_write=False refuses opening for writing; the default allows it"
	[forged_socket]="a request handing over another connection's socket is refused"
	[silent_clients]="connections that never send hold up no other registration"
	[two_processes]="two processes, two policies for one module: each judged by its own"
	[inherit_thread]="a thread started by a registered module stays confined"
	[inherit_fork]="a child forked by a registered module stays confined"
	[cover_on_register]="an interpreter the system was not pointed at is covered when it registers"
	[uncovered_interpreter]="an interpreter the walker cannot cover: secure_import raises, says why"
	[agent_scan]="the agent covers a running interpreter it was not pointed at"
	[cgroup_scope]="policy apply --cgroup: two cgroups, one module, each judged by its own"
	[agent]="agent: loads a ConfigMap dir, follows a change, serves, JSON records, SIGTERM keeps"
	[agent_unload]="agent --on-exit unload: SIGTERM removes enforcement"
	[system_policy]="load --policy: enforced system-wide on every covered process"
	[adopt_running]="a process started before load is covered"
	[cover_named_python]="a CPython named python3 registering is covered: its version from the binary"
	[xi_call]="3.14+: a confined module's function run in a sub-interpreter stays confined"
	[broker_killed]="kill -9 the broker: enforcement stays; broker --daemon restores registration"
	[unload]="unload: pins and socket gone, nothing enforced"
	[load_twice]="loading twice: exit 2, the first system undisturbed"
	[status]="status --json describes a whole system; exit 1 with nothing loaded"
	[usage]="usage errors exit 2 and leave nothing loaded; bad settings raise"
	[packaging]="make install and pip install ./python: import secimport works after either"
	[apply_atomic]="policy apply during a syscall loop: no violation missed or invented"
	[load_unload_50]="load/unload 50 times: no program, map, link or pin leaks"
)

selected=${*:-$ALL_TESTS}
echo "# secimport-bpf loaded-system tests, interpreter $PY, BPF LSM $LSM_LIVE"
"$BIN" unload >/dev/null 2>&1
for t in $selected; do
	run_test "$t" "${DESC[$t]:-}"
done
tap_finish loaded-system

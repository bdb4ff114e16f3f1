#!/usr/bin/env bash
# What the enforcer's hooks cost a process it does not cover: the same C
# syscall loop with no session active (A) and while a deny session is active
# (B: the syscall hook, and the BPF LSM and cgroup socket hooks that deny
# attaches), interleaved A B A B. Runs on the host (make bench runs the
# cgroup part as a row) and inside the VM, where BPF LSM is live:
#
#   bench/hook-cost.sh BINARY SYSCALL_LOOP      (HOOK_ROUNDS=N, default 5)
#   make bench-vm                                (the same, in the VM)
set -u
BIN=$(realpath "$1")
LOOP=$(realpath "$2")
PY=${BENCH_PYTHON:-/usr/bin/python3.11}
ROUNDS=${HOOK_ROUNDS:-5}
N_GETPID=${HOOK_GETPID:-200000}
N_SOCKET=${HOOK_SOCKET:-20000}
W=$(cd "$(dirname "$0")" && pwd)/workloads
OUT=$(mktemp -d /tmp/secimport-hook-cost.XXXXXX)
RUNPID=
trap '[ -z "$RUNPID" ] || kill "$RUNPID" 2>/dev/null; rm -rf "$OUT"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

session_start() {
	(cd "$W" && exec "$BIN" run --action deny --fallback kill --policy confine-json-nonet.yaml \
		-- "$PY" "$W/sleeper.py" >"$OUT/session.out" 2>"$OUT/session.err") &
	RUNPID=$!
	for _ in $(seq 100); do
		grep -q ready "$OUT/session.out" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "hook-cost: the deny session did not start: $(cat "$OUT/session.err")" >&2
	return 1
}

# Any secimport-bpf still running (run releases its hooks in a detached child).
enforcer_running() {
	grep -qs secimport-bpf /proc/[0-9]*/cmdline
}

session_stop() {
	kill -TERM "$RUNPID" # run passes it on to the program
	wait "$RUNPID" 2>/dev/null
	RUNPID=
	for _ in $(seq 100); do
		enforcer_running || return 0
		sleep 0.1
	done
}

for _ in $(seq "$ROUNDS"); do
	"$LOOP" getpid "$N_GETPID" >>"$OUT/a.getpid" || exit 1
	"$LOOP" socket "$N_SOCKET" >>"$OUT/a.socket" || exit 1
	session_start || exit 1
	"$LOOP" getpid "$N_GETPID" >>"$OUT/b.getpid" || exit 1
	"$LOOP" socket "$N_SOCKET" >>"$OUT/b.socket" || exit 1
	session_stop
done

lsm=$("$BIN" features --json | grep -o '"bpf_lsm":[a-z]*' | cut -d: -f2)
echo "hook cost for an uncovered process: $ROUNDS interleaved rounds, medians; $(uname -r); BPF LSM $lsm"
echo "B: a 'run --action deny' session active (syscall hook, cgroup socket hooks$([ "$lsm" = true ] && echo ", BPF LSM hooks"))"
echo "| syscall loop (C)  |           A |           B |    B/A |       B-A |"
echo "|-------------------|-------------|-------------|--------|-----------|"
for s in getpid socket; do
	a=$(median <"$OUT/a.$s")
	b=$(median <"$OUT/b.$s")
	awk -v s="$s" -v a="$a" -v b="$b" 'BEGIN {
		printf "| %-17s | %8.0f ns | %8.0f ns | %5.2fx | %+6.0f ns |\n",
			(s == "socket" ? "socket+close" : s), a * 1e9, b * 1e9, b / a, (b - a) * 1e9 }'
done

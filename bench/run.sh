#!/usr/bin/env bash
# Benchmarks of secimport-bpf. Every row runs its two variants, A (without
# secimport, or the baseline the row names) and B (with it), interleaved,
# A B A B ..., in this one invocation, and reports the medians, the ratio B/A
# and the difference B-A, so that a noisy machine still gives honest ratios.
# Prints one table; writes it as JSON. Needs root (B loads BPF programs).
#
#   bench/run.sh BINARY
#
# Environment:
#   BENCH_ROUNDS=N         rounds per row (default 7)
#   BENCH_ENGINES="stackwalk usdt"  engines to measure (default); one
#                          `run --engine X` rejects
#                          is skipped with a note
#   BENCH_SMOKE=1          one short round: checks only that every benchmark
#                          runs (exit status 1 if one does not)
#   BENCH_JSON=FILE        default: bench.json next to BINARY
#   BENCH_PYTHON=PATH      default /usr/bin/python3.11
#   BENCH_SYSCALL_LOOP=P   the C loop (default: bench/syscall_loop next to BINARY)
#   BENCH_SETTLE_MAX=S     after a measurement, wait up to S seconds (default
#                          5) for the `run` it started to release its hooks
#   BENCH_SETTLE=S         then pause S seconds more (default 0.1)
#   BENCH_LIBRARY=PATH     libsecimport (default: libsecimport.so next to BINARY)

# The variants are called through eval, which shellcheck cannot follow.
# shellcheck disable=SC2317
set -u

if [ $# -ne 1 ]; then
	echo "usage: bench/run.sh BINARY" >&2
	exit 2
fi
BIN=$(realpath "$1") || exit 2
PY=${BENCH_PYTHON:-/usr/bin/python3.11}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$HERE/workloads
OUT=$(dirname "$BIN")
LOOP=${BENCH_SYSCALL_LOOP:-$OUT/bench/syscall_loop}
JSON=${BENCH_JSON:-$OUT/bench.json}
ROUNDS=${BENCH_ROUNDS:-7}
ENGINES=${BENCH_ENGINES:-stackwalk usdt}
SETTLE=${BENCH_SETTLE:-0.1}
SETTLE_MAX=${BENCH_SETTLE_MAX:-5}
SMOKE=${BENCH_SMOKE:-0}
TIMEOUT=300

# Workload sizes: each B measurement takes a few tenths of a second here.
FIB_N=24 CALLS=50000 ITEMS=25000
PY_GETPID=100000 PY_OPEN=40000 PY_SOCKET=10000
C_GETPID=300000 C_OPEN=60000 C_SOCKET=30000
REQUESTS=100 SPAWNS=10 DEEP=100 REGISTRATIONS=40 EXECS=5000
if [ "$SMOKE" = 1 ]; then
	REGISTRATIONS=3
	ROUNDS=1 TIMEOUT=30
	FIB_N=12 CALLS=1000 ITEMS=1000
	PY_GETPID=1000 PY_OPEN=1000 PY_SOCKET=1000
	C_GETPID=1000 C_OPEN=1000 C_SOCKET=1000
	REQUESTS=3 SPAWNS=1 DEEP=10 EXECS=10
fi

die() {
	echo "bench: $*" >&2
	exit 2
}

[ "$(id -u)" = 0 ] || die "run me as root: the confined variants load BPF programs"
[ -x "$BIN" ] || die "$BIN is not executable (make)"
[ -x "$PY" ] || die "$PY not found (BENCH_PYTHON)"
[ -x "$LOOP" ] || die "$LOOP not found: build bench/syscall_loop.c (see docs/PERFORMANCE.md)"
case $ROUNDS in '' | *[!0-9]* | 0) die "BENCH_ROUNDS must be a positive integer" ;; esac

TMP=$(mktemp -d /tmp/secimport-bench.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
ERR=$TMP/stderr

# --- measuring ---------------------------------------------------------------

median() {
	sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# The secimport-bpf processes alive (zombies hold no hooks), but for the
# broker of the system the loaded rows measure under.
live_sessions() {
	pgrep -x -r R,S,D,T,t secimport-bpf | grep -vx "${BROKER:-none}" | tr '\n' ' '
}

# `run` releases its hooks in a detached child after it returns, and until
# then its syscall hook costs every process on the machine something. After a
# measurement, wait until the secimport-bpf processes that were not there
# before it ($1: their pids then) are gone. Counts the waits that gave up.
settle() {
	local i p new waited=0
	[ "$SMOKE" = 1 ] && return 0 # only checking that everything runs
	for ((i = 0; i < SETTLE_MAX * 20; i++)); do
		new=0
		for p in $(live_sessions); do
			[[ " ${1:-} " == *" $p "* ]] || new=1
		done
		if [ $new = 0 ]; then
			[ $waited = 1 ] && sleep "$SETTLE"
			return 0
		fi
		waited=1
		sleep 0.05
	done
	echo >>"$TMP/busy"
}

# Variants. Each prints one number: seconds (per operation, or in all).
# Both run as root: `run --user root` keeps `run` (under sudo) from running
# B as the invoking user while A runs as root.
direct() {
	(cd "$W" && exec timeout "$TIMEOUT" "$PY" "$@")
}

# confined ENGINE POLICY [RUN-OPTIONS...] -- ARGS...: ARGS under `run`.
confined() {
	local engine=$1 policy=$2 opts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	(cd "$W" && exec timeout "$TIMEOUT" "$BIN" run --user root --engine "$engine" \
		--policy "$policy" "${opts[@]}" -- "$PY" "$@")
}

# violating ENGINE POLICY ACTION -- ARGS...: under `run --action ACTION`
# (deny: with --fallback kill); notes how many violations were reported and
# how many events dropped (in $TMP/extra).
violating() {
	local engine=$1 policy=$2 action=$3 v stats opts=(--action "$3")
	shift 4
	[ "${action#deny}" != "$action" ] && opts+=(--fallback kill)
	v=$(confined "$engine" "$policy" "${opts[@]}" --log /dev/null --verbose -- "$@") || return 1
	# deny counts as denied, log as logged: the row's action is one of them
	stats=$(sed -n 's/.*violations: [0-9]* killed, \([0-9]*\) denied, \([0-9]*\) logged; events dropped: \([0-9]*\).*/\1 \2 \3/p' "$ERR" |
		awk '{ print $1 + $2, $3 }')
	[ -n "$stats" ] || return 1
	echo "$stats" >>"$TMP/extra"
	echo "$v"
}

# Seconds from starting a command to the first instruction of the Python
# program it runs (the program prints time.time_ns() first thing).
first_instruction() {
	local t0 t1
	t0=$(date +%s%N)
	t1=$(cd "$W" && timeout "$TIMEOUT" "$@" -c 'import time; print(time.time_ns())') || return 1
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.9f\n", (b - a) / 1e9 }'
}

# uncovered ENGINE MEM POLICY [RUN-OPTIONS...] -- MODE N: the C loop in a
# process no `run` covers, while a `run` session is active (a confined
# program idling). With MEM=mem, notes the session's memory in $TMP/mem:
# loader VmHWM, VmRSS (KiB), its maps' memlock (bytes), number of maps; the
# first time, each map's name and memlock in $TMP/maps.
uncovered() {
	local engine=$1 mem=$2 policy=$3 opts=() pid i v fd hwm rss sum=0 nmaps=0 mtype vsize
	shift 3
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts+=("$1")
		shift
	done
	shift
	# No timeout(1) here: $! must be run's pid. The sleeper ends by itself.
	(cd "$W" && exec "$BIN" run --user root --engine "$engine" --policy "$policy" \
		"${opts[@]}" -- "$PY" sleeper.py) >"$TMP/session.out" 2>"$ERR" &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		grep -q ready "$TMP/session.out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -q ready "$TMP/session.out"; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid"
		return 1
	fi
	v=$("$LOOP" "$1" "$2") || {
		kill -TERM "$pid"
		wait "$pid"
		return 1
	}
	if [ "$mem" != mem ]; then
		kill -TERM "$pid"
		wait "$pid"
		echo "$v"
		return 0
	fi
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = anon_inode:bpf-map ] || continue
		local info=/proc/$pid/fdinfo/${fd##*/} id mem name
		mem=$(awk '/^memlock:/ { print $2 }' "$info")
		id=$(awk '/^map_id:/ { print $2 }' "$info")
		mtype=$(awk '/^map_type:/ { print $2 }' "$info")
		sum=$((sum + mem))
		nmaps=$((nmaps + 1))
		# BPF_MAP_TYPE_TASK_STORAGE (29): elements are not in memlock.
		if [ "$mtype" = 29 ]; then
			vsize=$(awk '/^value_size:/ { print $2 }' "$info")
			echo "$vsize" >"$TMP/task_storage"
		fi
		if [ ! -e "$TMP/maps.done" ]; then
			name=$(bpftool map show id "$id" 2>/dev/null | sed -n 's/.* name \([^ ]*\) .*/\1/p')
			echo "${name:-id$id} $mem" >>"$TMP/maps"
		fi
	done
	touch "$TMP/maps.done"
	echo "$hwm $rss $sum $nmaps" >>"$TMP/mem"
	kill -TERM "$pid"
	wait "$pid"
	echo "$v"
}

# A loaded system of the bench's own (its pins and socket, not the machine's).
export SECIMPORT_PIN_DIR=/sys/fs/bpf/secimport-bench SECIMPORT_SOCKET=/run/secimport-bench/sock
export SECIMPORT_LIBRARY=${BENCH_LIBRARY:-$OUT/libsecimport.so} PYTHONPATH=$HERE/../python
system_load() {
	"$BIN" load --python "$PY" --socket "$SECIMPORT_SOCKET" "$@" >/dev/null 2>>"$ERR"
}
system_unload() {
	"$BIN" unload >/dev/null 2>&1
}

# loaded POLICY -- CMD...: CMD while a system is loaded (with POLICY, or none: -).
loaded() {
	local policy=$1 v rc
	shift 2
	if [ "$policy" = - ]; then system_load; else system_load --policy "$W/$policy"; fi || return 1
	v=$("$@")
	rc=$?
	system_unload
	echo "$v"
	return "$rc"
}

# --- rows --------------------------------------------------------------------

rows=()
json_rows=()
failures=()

scale() {
	case $1 in
	ns) echo 1e9 ;;
	us) echo 1e6 ;;
	ms) echo 1e3 ;;
	*) echo 1 ;;
	esac
}

fmt() {
	case $2 in
	ns) awk -v v="$1" 'BEGIN { printf "%.0f ns", v }' ;;
	us) awk -v v="$1" 'BEGIN { printf "%.1f us", v }' ;;
	ms) awk -v v="$1" 'BEGIN { printf "%.2f ms", v }' ;;
	KiB) awk -v v="$1" 'BEGIN { printf (v >= 10240 ? "%.1f MiB" : "%.0f KiB"), (v >= 10240 ? v / 1024 : v) }' ;;
	*) echo "$1 $2" ;;
	esac
}

add_row() { # ENGINE NAME A B RATIO DELTA
	rows+=("$(printf '| %-54s | %-9s | %11s | %11s | %8s | %11s |' "$2" "$1" "$3" "$4" "$5" "$6")")
}

json_list() {
	local IFS=,
	printf '[%s]' "$*"
}

is_number() {
	[[ $1 =~ ^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]
}

# measure CMD: one sample (seconds) on stdout, or a failure report. Counts
# the measurements that began while someone else's secimport-bpf ran.
measure() {
	local v before rc
	: >"$ERR"
	before=$(live_sessions)
	[ -n "$before" ] && [ "$SMOKE" != 1 ] && echo >>"$TMP/foreign"
	v=$(eval "$1" 2>>"$ERR")
	rc=$?
	settle "$before"
	if [ $rc -ne 0 ] || ! is_number "$v"; then
		echo "bench: '$1' failed (exit status $rc, output '$v'):" >&2
		tail -n 5 "$ERR" | sed 's/^/bench:   /' >&2
		return 1
	fi
	echo "$v"
}

# row SECTION ENGINE NAME UNIT CMD_A CMD_B [VIOLATIONS]: VIOLATIONS, for
# rows whose B is `violating`, is how many each run must log.
row() {
	local section=$1 engine=$2 name=$3 unit=$4 a=$5 b=$6 as=() bs=() va vb i k
	k=$(scale "$unit")
	rm -f "$TMP/extra"
	echo "bench: $engine: $name" >&2
	for ((i = 0; i < ROUNDS; i++)); do
		if ! va=$(measure "$a") || ! vb=$(measure "$b"); then
			failures+=("$engine: $name")
			add_row "$engine" "$name" FAILED - - -
			return 1
		fi
		as+=("$(awk -v v="$va" -v k="$k" 'BEGIN { printf "%.6g", v * k }')")
		bs+=("$(awk -v v="$vb" -v k="$k" 'BEGIN { printf "%.6g", v * k }')")
	done
	local ma mb ratio delta extra=""
	ma=$(printf '%s\n' "${as[@]}" | median)
	mb=$(printf '%s\n' "${bs[@]}" | median)
	ratio=$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
	delta=$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.6g", b - a }')
	add_row "$engine" "$name" "$(fmt "$ma" "$unit")" "$(fmt "$mb" "$unit")" "${ratio}x" \
		"$(awk -v d="$delta" 'BEGIN { printf (d >= 0 ? "+" : "") }')$(fmt "$delta" "$unit")"
	if [ -s "$TMP/extra" ]; then
		# logged rows: were all the expected violations logged and reported?
		local n=${7:-0} logged dropped
		logged=$(awk '{ print $1 }' "$TMP/extra" | median)
		dropped=$(awk '{ print $2 }' "$TMP/extra" | median)
		extra=$(printf ',"violations_expected":%s,"violations_logged":%s,"events_dropped":%s' \
			"$n" "$logged" "$dropped")
		if [ "$logged" != "$n" ]; then
			# then B does not measure what the row says
			failures+=("$engine: $name: expected $n violations per run, $logged logged")
		elif [ "$dropped" != 0 ]; then
			notes+=("$engine: $name: median $dropped of $n events dropped (ring buffer full)")
		fi
	fi
	json_rows+=("$(printf '{"section":"%s","engine":"%s","name":"%s","unit":"%s","a":%s,"b":%s,"ratio":%s,"delta":%s,"a_samples":%s,"b_samples":%s%s}' \
		"$section" "$engine" "$name" "$unit" "$ma" "$mb" "$ratio" "$delta" \
		"$(json_list "${as[@]}")" "$(json_list "${bs[@]}")" "$extra")")
}

# Memory of the sessions `uncovered` ran (B only: A has no loader).
memory_rows() {
	local engine=$1 hwm rss maps nmaps tsize=null mapjson=()
	if [ ! -s "$TMP/mem" ]; then
		failures+=("$engine: memory (measured in the sessions of the uncovered row)")
		add_row "$engine" "memory: loader and BPF maps" - FAILED - -
		return
	fi
	hwm=$(awk '{ print $1 }' "$TMP/mem" | median)
	rss=$(awk '{ print $2 }' "$TMP/mem" | median)
	maps=$(awk '{ print $3 / 1024 }' "$TMP/mem" | median)
	nmaps=$(awk '{ print $4 }' "$TMP/mem" | median)
	[ -s "$TMP/task_storage" ] && tsize=$(cat "$TMP/task_storage")
	add_row "$engine" "memory: loader peak RSS (VmHWM); now $(fmt "$rss" KiB)" - "$(fmt "$hwm" KiB)" - -
	add_row "$engine" "memory: kernel, $nmaps BPF maps (memlock)" - "$(fmt "$maps" KiB)" - -
	while read -r name mem; do
		mapjson+=("$(printf '{"name":"%s","memlock":%s}' "$name" "$mem")")
	done <"$TMP/maps"
	json_rows+=("$(printf '{"section":"memory","engine":"%s","name":"loader peak RSS (VmHWM)","unit":"KiB","a":null,"b":%s,"rss_now":%s}' \
		"$engine" "$hwm" "$rss")")
	json_rows+=("$(printf '{"section":"memory","engine":"%s","name":"BPF maps (memlock)","unit":"KiB","a":null,"b":%s,"maps":%s,"task_storage_bytes_per_thread":%s}' \
		"$engine" "$maps" "$(json_list "${mapjson[@]}")" "$tsize")")
	notes+=("$engine: the threads map (task storage) holds $tsize bytes per covered thread, not counted in memlock")
}

engine_ok() {
	(cd "$W" && timeout 60 "$BIN" run --user root --engine "$1" --policy confine-json.yaml \
		-- "$PY" -c pass) >/dev/null 2>"$ERR"
}

# --- the benchmarks ----------------------------------------------------------

notes=()
skipped=()
measured=()
start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$(live_sessions)" ]; then
	echo "bench: note: another secimport-bpf is running; its hooks will show in the numbers" >&2
fi
for e in $ENGINES; do
	if ! engine_ok "$e"; then
		why=$(grep -m1 . "$ERR" | sed 's/^secimport-bpf: //; s/"/'"'"'/g')
		echo "bench: note: engine $e skipped: 'run --engine $e' refused: $why" >&2
		skipped+=("$(printf '{"engine":"%s","reason":"%s"}' "$e" "$why")")
		settle
		continue
	fi
	measured+=("\"$e\"")
	settle
	rm -f "$TMP/mem" "$TMP/maps" "$TMP/maps.done" "$TMP/task_storage"
	echo "bench: engine $e, $ROUNDS rounds..." >&2

	# Per Python call (the USDT engine traps into the kernel at each).
	row calls "$e" "fib($FIB_N), in the confined module" ms \
		"direct calls.py fib $FIB_N" "confined $e confine-callmod.yaml -- calls.py fib $FIB_N"
	row calls "$e" "fib($FIB_N), another module confined" ms \
		"direct calls.py fib $FIB_N" "confined $e confine-json.yaml -- calls.py fib $FIB_N"
	row calls "$e" "method call, in the confined module" ns \
		"direct calls.py methods $CALLS" "confined $e confine-callmod.yaml -- calls.py methods $CALLS"
	row calls "$e" "generator pipeline (3 stages), per item" ns \
		"direct calls.py pipeline $ITEMS" "confined $e confine-callmod.yaml -- calls.py pipeline $ITEMS"

	# Code objects made (the stack walker's code identity probe fires).
	row code-creation "$e" "import 13 stdlib packages (marshal), once" ms \
		"direct codegen.py imports" "confined $e confine-json.yaml -- codegen.py imports"
	row code-creation "$e" "exec of a 2-line string (compile), per call" us \
		"direct codegen.py exec $EXECS" "confined $e confine-json.yaml -- codegen.py exec $EXECS"

	# Per syscall, from Python: the interpreter's own work included.
	row syscalls-python "$e" "Python getpid, in the confined module" ns \
		"direct syscalls.py getpid $PY_GETPID" \
		"confined $e confine-sysmod.yaml -- syscalls.py getpid $PY_GETPID"
	row syscalls-python "$e" "Python getpid, another module confined" ns \
		"direct syscalls.py getpid $PY_GETPID" \
		"confined $e confine-json.yaml -- syscalls.py getpid $PY_GETPID"
	row syscalls-python "$e" "Python open+close, in the confined module" ns \
		"direct syscalls.py openclose $PY_OPEN" \
		"confined $e confine-sysmod.yaml -- syscalls.py openclose $PY_OPEN"
	row syscalls-python "$e" "Python socket+close, in the confined module" ns \
		"direct syscalls.py socket $PY_SOCKET" \
		"confined $e confine-sysmod.yaml -- syscalls.py socket $PY_SOCKET"
	# I/O judged by its descriptor (side doors): a file, and a TCP socket
	# the module may use (the fd lookup only), or that another, no-network
	# module could not (a stack walk at every write).
	row syscalls-python "$e" "Python write to /dev/null, in the confined module" ns \
		"direct syscalls.py writefile $PY_GETPID" \
		"confined $e confine-sysmod.yaml -- syscalls.py writefile $PY_GETPID"
	row syscalls-python "$e" "Python write to a TCP socket, in the confined module (allowed)" ns \
		"direct syscalls.py writesock $PY_SOCKET" \
		"confined $e confine-sysmod.yaml -- syscalls.py writesock $PY_SOCKET"
	row syscalls-python "$e" "Python write to a TCP socket; another module no-net" ns \
		"direct syscalls.py writesock $PY_SOCKET" \
		"confined $e confine-json-nonet.yaml -- syscalls.py writesock $PY_SOCKET"
	# A socket() some module could refuse: the stack walker walks the stack
	# (the loop itself is 4 frames deep: 6 and DEEP-4 more make 10 and DEEP).
	for d in 6 $((DEEP - 4)); do
		row syscalls-python "$e" "Python socket+close, $((d + 4)) frames; another module no-net" ns \
			"direct syscalls.py socket $PY_SOCKET $d" \
			"confined $e confine-json-nonet.yaml -- syscalls.py socket $PY_SOCKET $d"
	done

	# Per syscall, the same loop in C: the hook without the interpreter.
	for m in getpid:$C_GETPID openclose:$C_OPEN socket:$C_SOCKET; do
		mode=${m%:*} n=${m#*:}
		label=$mode
		[ "$mode" = openclose ] && label=open+close
		[ "$mode" = socket ] && label=socket+close
		# covered but confined by nothing: the same for every syscall
		[ "$mode" = getpid ] && row syscalls-c "$e" "C $label, covered, confined by nothing" ns \
			"\"\$LOOP\" $mode $n" \
			"confined $e confine-launchmod.yaml -- launch.py tracked \"\$LOOP\" $mode $n"
		row syscalls-c "$e" "C $label, confined (allowing policy)" ns \
			"\"\$LOOP\" $mode $n" \
			"confined $e confine-launchmod.yaml -- launch.py confined \"\$LOOP\" $mode $n"
	done

	# System-wide: a process run does not cover, while a run is active or not.
	row system-wide "$e" "C getpid, uncovered process; B: a run active" ns \
		"\"\$LOOP\" getpid $C_GETPID" \
		"uncovered $e mem confine-callmod.yaml -- getpid $C_GETPID"
	row system-wide "$e" "C socket+close, uncovered; B: a deny run active" ns \
		"\"\$LOOP\" socket $C_SOCKET" \
		"uncovered $e - confine-sysmod-nonet.yaml --action deny --fallback kill -- socket $C_SOCKET"

	# Actions where violations happen: A allowed, B one violation per
	# iteration (each reported). log: the socket is made; deny: EPERM.
	row actions "$e" "Python socket+close; B: each socket logged" ns \
		"confined $e confine-sysmod.yaml -- syscalls.py socket $PY_SOCKET" \
		"violating $e confine-sysmod-nonet.yaml log -- syscalls.py socket $PY_SOCKET" \
		$((PY_SOCKET + 100)) # the loops warm up with 100 iterations
	row actions "$e" "C socket+close; B: each socket logged" ns \
		"confined $e confine-launchmod.yaml -- launch.py confined \"\$LOOP\" socket $C_SOCKET" \
		"violating $e confine-launchmod-nonet.yaml log -- launch.py confined \"\$LOOP\" socket $C_SOCKET" \
		$((C_SOCKET + 100))
	row actions "$e" "Python socket+close; B: each socket denied" ns \
		"confined $e confine-sysmod.yaml -- syscalls.py socket $PY_SOCKET" \
		"violating $e confine-sysmod-nonet.yaml deny -- syscalls.py socket-refused $PY_SOCKET" \
		$((PY_SOCKET + 100))
	row actions "$e" "C socket+close; B: each socket denied" ns \
		"confined $e confine-launchmod.yaml -- launch.py confined \"\$LOOP\" socket $C_SOCKET" \
		"violating $e confine-launchmod-nonet.yaml deny -- launch.py confined \"\$LOOP\" socket-refused $C_SOCKET" \
		$((C_SOCKET + 100))

	# An application: one confined module on the hot path.
	row application "$e" "service: HTTP+json+sqlite3+files, per request" us \
		"direct service.py $REQUESTS" "confined $e confine-svc.yaml -- service.py $REQUESTS"
	row application "$e" "spawn a Python child (subprocess.run), per child" ms \
		"direct spawn.py $SPAWNS" "confined $e confine-callmod.yaml -- spawn.py $SPAWNS"

	# Start-up.
	row start-up "$e" "start-up: command to first Python instruction" ms \
		"first_instruction \"\$PY\"" \
		"first_instruction \"\$BIN\" run --user root --engine $e --policy confine-json.yaml -- \"\$PY\""
	row start-up "$e" "start-up, deny policy (BPF LSM tried first)" ms \
		"first_instruction \"\$PY\"" \
		"first_instruction \"\$BIN\" run --user root --engine $e --action deny --fallback kill --policy confine-json-nonet.yaml -- \"\$PY\""

	memory_rows "$e"
done

# A loaded system (`load`, stack walker only).
if [[ " ${measured[*]} " == *' "stackwalk" '* ]]; then
	echo "bench: loaded system..." >&2
	row loaded stackwalk "C getpid, uncovered process; B: load active" ns \
		"\"\$LOOP\" getpid $C_GETPID" "loaded - -- \"\$LOOP\" getpid $C_GETPID"
	row loaded stackwalk "Python getpid, covered; B: load, json confined" ns \
		"direct syscalls.py getpid $PY_GETPID" \
		"loaded confine-json.yaml -- direct syscalls.py getpid $PY_GETPID"
	if system_load; then
		BROKER=$("$BIN" status --json | sed -n 's/.*"broker":{"pid":\([0-9]*\).*/\1/p')
		row loaded stackwalk "secure_import(), one call; A: plain import" us \
			"direct register.py import $REGISTRATIONS" \
			"direct register.py secure $REGISTRATIONS"
		system_unload
		BROKER=
	else
		failures+=("stackwalk: load (for secure_import): $(tail -1 "$ERR")")
	fi
fi

# --- report --------------------------------------------------------------------

pyver=$("$PY" -c 'import platform; print(platform.python_version())' 2>/dev/null)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "secimport-bpf benchmarks: $ROUNDS interleaved rounds (A B A B ...), medians;" \
	"$PY $pyver; Linux $(uname -r) $(uname -m), $(nproc) CPUs ($cpu)"
[ "$SMOKE" = 1 ] && echo "SMOKE RUN (BENCH_SMOKE=1): one short round; these numbers mean nothing"
echo "A: without secimport-bpf (or the baseline the row names), B: under 'secimport-bpf run' (section loaded: with 'secimport-bpf load')"
echo "| benchmark                                              | engine    |           A |           B |      B/A |         B-A |"
echo "|--------------------------------------------------------|-----------|-------------|-------------|----------|-------------|"
[ ${#rows[@]} -gt 0 ] && printf '%s\n' "${rows[@]}"
for e in $ENGINES; do
	[[ " ${measured[*]} " == *" \"$e\" "* ]] || echo "note: engine $e skipped: 'run --engine $e' refused it"
done
for n in "${notes[@]}"; do
	echo "note: $n"
done
touch "$TMP/busy" "$TMP/foreign"
busy=$(wc -l <"$TMP/busy")
foreign=$(wc -l <"$TMP/foreign")
if [ "$busy" -gt 0 ]; then
	echo "note: $busy times a secimport-bpf process was still running ${SETTLE_MAX}s after a measurement (another session?): numbers may include its hooks"
fi
if [ "$foreign" -gt 0 ]; then
	echo "note: $foreign measurements began while another secimport-bpf was running: its syscall hook is in them"
fi
elapsed=$(($(date +%s) - start))
load1=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average (1, 5, 15 min) at start $load0, at the end $load1; other work on the machine adds noise"
echo "($elapsed s)"

mkdir -p "$(dirname "$JSON")"
quoted=()
for f in "${failures[@]}"; do
	quoted+=("\"$f\"")
done
{
	printf '{"date":"%s","machine":{"arch":"%s","kernel":"%s","cpus":%s,"cpu":"%s"},' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -m)" "$(uname -r)" "$(nproc)" "$cpu"
	printf '"python":"%s","python_version":"%s","rounds":%s,"smoke":%s,' \
		"$PY" "$pyver" "$ROUNDS" "$([ "$SMOKE" = 1 ] && echo true || echo false)"
	printf '"engines":%s,"skipped_engines":%s,"settle_timeouts":%s,"foreign_sessions":%s,' \
		"$(json_list "${measured[@]}")" "$(json_list "${skipped[@]}")" "$busy" "$foreign"
	printf '"loadavg_start":"%s","loadavg_end":"%s","seconds":%s,' "$load0" "$load1" "$elapsed"
	printf '"failures":%s,"rows":%s}\n' "$(json_list "${quoted[@]}")" "$(json_list "${json_rows[@]}")"
} >"$JSON"
echo "(JSON: $JSON)"

if [ ${#failures[@]} -gt 0 ]; then
	echo "bench: ${#failures[@]} benchmark(s) failed to run:" >&2
	printf 'bench:   %s\n' "${failures[@]}" >&2
	exit 1
fi
if [ ${#measured[@]} -eq 0 ]; then
	echo "bench: no engine could be measured" >&2
	exit 1
fi
exit 0

#!/usr/bin/env bash
# Benchmarks: each row runs the unconfined (A) and confined (B) variants
# interleaved, A B A B ..., in this one invocation, and reports medians and
# the ratio B/A. Prints a table; writes JSON to $BENCH_JSON.
#
#   bench/run.sh BINARY      (BENCH_ROUNDS=N, default 7; BENCH_SMOKE=1: one short round)
set -u
BIN=$(realpath "$1")
PY=${BENCH_PYTHON:-/usr/bin/python3.11}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$HERE/workloads
ROUNDS=${BENCH_ROUNDS:-7}
FIB_N=${BENCH_FIB_N:-24}
SYSCALLS=${BENCH_SYSCALLS:-200000}
JSON=${BENCH_JSON:-.output/bench.json}
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
	ROUNDS=1 FIB_N=15 SYSCALLS=1000
fi

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

now() { date +%s.%N; }

rows=()
json_rows=()

# row NAME UNIT CMD_A CMD_B: each command prints one number (seconds).
row() {
	local name=$1 unit=$2 a=$3 b=$4 as=() bs=() va vb
	for ((i = 0; i < ROUNDS; i++)); do
		va=$(eval "$a") || { echo "bench: '$name' A failed" >&2; return 1; }
		vb=$(eval "$b") || { echo "bench: '$name' B failed" >&2; return 1; }
		# run releases its probes in the background (~0.4 s): let it finish.
		sleep "${BENCH_SETTLE:-0.6}"
		as+=("$va")
		bs+=("$vb")
	done
	local ma mb ratio
	ma=$(printf '%s\n' "${as[@]}" | median)
	mb=$(printf '%s\n' "${bs[@]}" | median)
	ratio=$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
	rows+=("$(printf '| %-46s | %10s | %10s | %6sx |' "$name" "$(fmt "$ma" "$unit")" "$(fmt "$mb" "$unit")" "$ratio")")
	json_rows+=("{\"name\":\"$name\",\"unit\":\"$unit\",\"unconfined\":$ma,\"confined\":$mb,\"ratio\":$ratio,\"rounds\":$ROUNDS}")
}

fmt() {
	case $2 in
	ms) awk -v v="$1" 'BEGIN { printf "%.1f ms", v * 1000 }' ;;
	us) awk -v v="$1" 'BEGIN { printf "%.0f us", v * 1e6 }' ;;
	ns/call) awk -v v="$1" -v n="$SYSCALLS" 'BEGIN { printf "%.0f ns", v * 1e9 / n }' ;;
	esac
}

# Seconds from starting a command to the first instruction of the Python
# program it runs (the program prints time.time_ns() first thing).
first_instruction() {
	local t0 t1
	t0=$(date +%s%N)
	t1=$("$@" -c 'import time; print(time.time_ns())' 2>/dev/null)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }'
}

cd "$W"
run_fib="$BIN run --policy confine-fibmod.yaml -- $PY fib.py $FIB_N 2>/dev/null"
row "fib($FIB_N), fib in the confined module" ms "$PY fib.py $FIB_N" "$run_fib" || exit 1
row "fib($FIB_N), another module confined" ms "$PY fib.py $FIB_N" \
	"$BIN run --policy confine-json.yaml -- $PY fib.py $FIB_N 2>/dev/null" || exit 1
row "getppid x$SYSCALLS from Python, per syscall" ns/call "$PY syscalls.py $SYSCALLS" \
	"$BIN run --policy confine-json.yaml -- $PY syscalls.py $SYSCALLS 2>/dev/null" || exit 1
row "start-up: command to first Python instruction" ms "first_instruction $PY" \
	"first_instruction $BIN run --policy confine-json.yaml -- $PY" || exit 1

echo "secimport-bpf benchmarks: $ROUNDS interleaved rounds, medians, engine usdt, $PY"
echo "| benchmark                                      | unconfined |   confined |  ratio |"
echo "|------------------------------------------------|------------|------------|--------|"
printf '%s\n' "${rows[@]}"
mkdir -p "$(dirname "$JSON")" 2>/dev/null
cd - >/dev/null
{
	printf '{"machine":"%s","kernel":"%s","python":"%s","rounds":%s,"rows":[' \
		"$(uname -m)" "$(uname -r)" "$PY" "$ROUNDS"
	(IFS=,; printf '%s' "${json_rows[*]}")
	printf ']}\n'
} >"$JSON"
echo "(JSON: $JSON)"

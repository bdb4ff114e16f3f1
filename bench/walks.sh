#!/usr/bin/env bash
# Failed walks under thread-heavy workloads, per interpreter: the stack
# walker must never fail closed in normal operation (a failed walk counts
# every confined module, which kills a healthy program). Every syscall of
# each workload is walked (walk-everything.yaml); run --verbose counts
# walks and failures by reason. Prints a table; exits 1 if any walk failed.
#
#   bench/walks.sh BINARY
#
# Environment:
#   WALKS_TARGET=N     walks wanted per interpreter (default 10000000): the
#                      thread-churn workload runs until the total reaches it
#   WALKS_PYTHONS="..." interpreters (default: /usr/bin/python3.11 and
#                      pyenv's 3.8 to 3.13 where installed)
#   BENCH_SMOKE=1      a short run (100000 walks, no CPython test suites)
set -u

BIN=$(realpath "${1:?usage: bench/walks.sh BINARY}") || exit 2
HERE=$(cd "$(dirname "$0")" && pwd)
W=$HERE/workloads
PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv}
SMOKE=${BENCH_SMOKE:-0}
TARGET=${WALKS_TARGET:-10000000}
[ "$SMOKE" = 1 ] && TARGET=100000
TMP=$(mktemp -d /tmp/secimport-walks.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT

[ "$(id -u)" = 0 ] || {
	echo "walks: run me as root (BPF programs)" >&2
	exit 2
}

pythons=${WALKS_PYTHONS:-}
if [ -z "$pythons" ]; then
	pythons=/usr/bin/python3.11
	for v in 3.8 3.9 3.10 3.11 3.12 3.13; do
		py=$(find "$PYENV_ROOT"/versions -maxdepth 3 -path "*/versions/$v.*/bin/python$v" \
			2>/dev/null | sort -V | tail -1)
		[ -n "$py" ] && pythons+=" $py"
	done
fi

failed_any=0
rows=()

# walked PY LABEL ARGS...: run ARGS under the walk-everything policy; adds a
# row and sets WALKS to the number of walks.
walked() {
	local py=$1 label=$2
	shift 2
	(cd "$W" && timeout 900 "$BIN" run --user root --verbose --policy walk-everything.yaml -- \
		"$py" "$@" >"$TMP/out" 2>"$TMP/err")
	local rc=$? summary walks failed
	summary=$(grep -o 'walks: [0-9]* ([^)]*)' "$TMP/err" | tail -1)
	walks=$(echo "$summary" | sed -n 's/walks: \([0-9]*\).*/\1/p')
	failed=$(echo "$summary" | sed -n 's/.*(\(.*\))/\1/p')
	WALKS=${walks:-0}
	if [ -z "$summary" ]; then
		failed="no summary (exit status $rc): $(grep -m1 . "$TMP/err")"
		failed_any=1
	elif [ "${failed%% *}" != 0 ]; then
		failed_any=1
	fi
	rows+=("$(printf '| %-24s | %-44s | %10s | %s |' "$(basename "$py")" "$label" "$WALKS" "$failed")")
}

start=$(date +%s)
for py in $pythons; do
	total=0
	if [ "$SMOKE" != 1 ]; then
		# CPython's own thread-heavy tests, where the interpreter has them.
		for t in test_threading test_concurrent_futures; do
			if "$py" -c "import test.$t" 2>/dev/null || [ -d "$("$py" -c 'import test, os; print(os.path.dirname(test.__file__))' 2>/dev/null)/$t" ]; then
				walked "$py" "python -m test $t" -m test -q "$t"
				total=$((total + WALKS))
			fi
		done
		if "$py" -c "import test.test_asyncio" 2>/dev/null; then
			walked "$py" "python -m test test_asyncio (tasks, locks)" -m test -q \
				test_asyncio.test_tasks test_asyncio.test_locks
			total=$((total + WALKS))
		fi
	fi
	# Threads started and ended in a loop while others make syscalls, until
	# the target is reached (about 200k walks a second here).
	while [ "$total" -lt "$TARGET" ]; do
		left=$((TARGET - total))
		secs=$((left / 150000 + 1))
		[ "$secs" -gt 60 ] && secs=60
		walked "$py" "thread churn, ${secs}s" thread_churn.py "$secs"
		[ "$WALKS" -gt 0 ] || break
		total=$((total + WALKS))
	done
	rows+=("$(printf '| %-24s | %-44s | %10s | %s |' "$(basename "$py")" "total" "$total" "")")
done

echo
echo "Failed walks (each syscall walked; run --verbose's count, by reason): $(date -u +%Y-%m-%d), Linux $(uname -r), $(nproc) CPUs"
echo "| interpreter              | workload                                     |      walks | failed closed |"
echo "|--------------------------|----------------------------------------------|------------|---------------|"
printf '%s\n' "${rows[@]}"
echo "($(($(date +%s) - start)) s)"
if [ "$failed_any" != 0 ]; then
	echo "walks: some walks failed closed, or a workload gave no summary" >&2
	exit 1
fi

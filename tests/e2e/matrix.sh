#!/usr/bin/env bash
# The end-to-end suite on every interpreter and engine these machines have:
# Debian's /usr/bin/python3.11 with both engines, pyenv's CPython 3.8 to
# 3.13 (no USDT probes, shared libpython) and Debian sid's 3.14 and 3.15
# (stripped, static) with the stack walker. An
# interpreter that is missing is reported as a skip, never as a pass.
#
# Then the loaded-system suite (system.sh): fully on python3.11, and its
# core on pyenv's 3.8 and 3.13 (the runtime in a shared libpython) and on
# sid's 3.14 and 3.15.
#
#   tests/e2e/matrix.sh BINARY LIBRARY
set -u
BIN=$1
LIB=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv}
failed=0
skipped=0

# The end-to-end suites are independent (each confined run loads its own
# BPF objects, each test its own scratch directory): two run at a time, and
# their reports are printed whole, in order.
SUITES=()
suite() {
	SUITES+=("$1 $2")
}

suite /usr/bin/python3.11 auto
suite /usr/bin/python3.11 usdt
for v in 3.8 3.9 3.10 3.11 3.12 3.13; do
	py=$(find "$PYENV_ROOT"/versions -maxdepth 3 -path "*/versions/$v.*/bin/python$v" 2>/dev/null |
		sort -V | tail -1)
	if [ -z "$py" ]; then
		echo "## SKIP: no pyenv CPython $v under $PYENV_ROOT/versions"
		skipped=$((skipped + 1))
		continue
	fi
	suite "$py" stackwalk
done
# Debian sid's 3.14 and 3.15 (make pythons-sid): stripped static builds with
# no USDT function probes, their layout from _Py_DebugOffsets.
SID=$(realpath -m "${SECIMPORT_SID_PYTHONS:-$(dirname "$BIN")/pythons}")
for v in 3.14 3.15; do
	py=$SID/$v/usr/bin/python$v
	if [ ! -x "$py" ]; then
		echo "## SKIP: no Debian sid CPython $v at $py (make pythons-sid)"
		skipped=$((skipped + 1))
		continue
	fi
	suite "$py" stackwalk
done
LOGS=$(mktemp -d /tmp/secimport-matrix.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT
JOBS=${SECIMPORT_TEST_JOBS:-2}
run_suite() {
	local i=$1 py engine
	read -r py engine <<<"${SUITES[$i]}"
	{
		echo "## interpreter $py, engine $engine"
		SECIMPORT_TEST_PYTHON=$py SECIMPORT_TEST_ENGINE=$engine "$HERE/run.sh" "$BIN"
		echo $? >"$LOGS/$i.rc.tmp"
	} >"$LOGS/$i.log" 2>&1
	mv "$LOGS/$i.rc.tmp" "$LOGS/$i.rc"
}
# A pool, not batches: the next suite starts as soon as any one ends (the
# suites differ in length by minutes). Reports are printed whole, in order,
# as soon as every earlier one is done.
next=0
shown=0
running=0
show_done() {
	while [ "$shown" -lt "$next" ] && [ -e "$LOGS/$shown.rc" ]; do
		cat "$LOGS/$shown.log"
		[ "$(cat "$LOGS/$shown.rc")" = 0 ] || failed=$((failed + 1))
		shown=$((shown + 1))
	done
}
while [ "$next" -lt "${#SUITES[@]}" ] || [ "$running" -gt 0 ]; do
	while [ "$running" -lt "$JOBS" ] && [ "$next" -lt "${#SUITES[@]}" ]; do
		run_suite "$next" &
		next=$((next + 1))
		running=$((running + 1))
	done
	wait -n
	running=$((running - 1))
	show_done
done
show_done
system() {
	local py=$1
	shift
	echo "## loaded system, interpreter $py"
	SECIMPORT_TEST_PYTHON=$py "$HERE/system.sh" "$BIN" "$LIB" "$@" || failed=$((failed + 1))
}

system /usr/bin/python3.11
for v in 3.8 3.13; do
	py=$(find "$PYENV_ROOT"/versions -maxdepth 3 -path "*/versions/$v.*/bin/python$v" 2>/dev/null |
		sort -V | tail -1)
	if [ -z "$py" ]; then
		echo "## SKIP: no pyenv CPython $v for the loaded-system suite"
		skipped=$((skipped + 1))
		continue
	fi
	system "$py" quickstart subprocess confined_registers inherit_thread system_policy adopt_running
done
for v in 3.14 3.15; do
	py=$SID/$v/usr/bin/python$v
	if [ ! -x "$py" ]; then
		echo "## SKIP: no Debian sid CPython $v for the loaded-system suite"
		skipped=$((skipped + 1))
		continue
	fi
	system "$py" quickstart subprocess confined_registers inherit_thread system_policy adopt_running \
		cover_named_python xi_call
done
# CPython's own regression tests, traced and replayed (issue of false kills):
# Debian's 3.11 and pyenv's 3.12.
replay() {
	echo "## CPython tests traced and replayed, interpreter $1"
	SECIMPORT_TEST_PYTHON=$1 "$HERE/replay.sh" "$BIN" || failed=$((failed + 1))
}
replay /usr/bin/python3.11
py=$(find "$PYENV_ROOT"/versions -maxdepth 3 -path "*/versions/3.12.*/bin/python3.12" 2>/dev/null |
	sort -V | tail -1)
if [ -n "$py" ]; then
	replay "$py"
else
	echo "## SKIP: no pyenv CPython 3.12 for the replay of CPython's tests"
	skipped=$((skipped + 1))
fi
echo "## matrix: $failed suite(s) failed, $skipped interpreter(s) missing"
[ "$failed" = 0 ]

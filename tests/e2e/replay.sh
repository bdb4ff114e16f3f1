#!/usr/bin/env bash
# No false kills on a test suite nobody here wrote: CPython's own regression
# tests for stdlib modules, traced once with those modules confined, then
# replayed under the traced policy, several times. A replay must never be
# killed: what a healthy interpreter does on its own is no violation.
#
#   tests/e2e/replay.sh BINARY
#
# SECIMPORT_TEST_PYTHON selects the interpreter (default /usr/bin/python3.11,
# whose tests come from Debian's libpython3.11-testsuite).
# SECIMPORT_REPLAY_RUNS: replays (default 3).
set -u

BIN=$(realpath "$1")
PY=${SECIMPORT_TEST_PYTHON:-/usr/bin/python3.11}
RUNS=${SECIMPORT_REPLAY_RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/secimport-replay.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"

# shellcheck source=tests/e2e/tap.sh
. "$HERE/tap.sh"

MODULES=(json email csv http.cookiejar logging)
SUITES=(test_json test_email test_csv test_http_cookiejar test_logging test_threading)

has_suites() {
	"$PY" -c 'import sys, importlib.util as u
sys.exit(not all(u.find_spec("test." + t) for t in sys.argv[1:]))' "${SUITES[@]}" 2>/dev/null
}

# regrtest SUBCOMMAND-ARGS...: the suites under secimport-bpf.
regrtest() {
	(cd "$WORK" && timeout 900 "$BIN" "$@" -- "$PY" -m test -q "${SUITES[@]}" \
		>>"$T/out" 2>>"$T/err")
}

t_traced_replays() {
	has_suites || {
		skip "$PY has no test package for ${SUITES[*]} (Debian: libpython3.X-testsuite)"
		return
	}
	T=$WORK/traced
	mkdir -p "$T"
	: >"$T/out"
	: >"$T/err"
	local args=() m i
	for m in "${MODULES[@]}"; do
		args+=(--module "$m")
	done
	regrtest trace --user root -o "$T/policy.yaml" "${args[@]}"
	RC=$?
	[ "$RC" = 0 ] || fail "the traced run exited with $RC"
	[ -s "$T/policy.yaml" ] || {
		fail "trace wrote no policy"
		return
	}
	for i in $(seq "$RUNS"); do
		echo "## replay $i" >>"$T/err"
		regrtest run --user root --verbose --policy "$T/policy.yaml"
		RC=$?
		[ "$RC" = 0 ] || fail "replay $i exited with $RC"
	done
	expect_no_violation
	# A failed walk would count every module: it must not happen.
	! grep -E 'walks: [0-9]+ \([1-9]' "$T/err" || fail "a walk failed closed"
}

if [ "$(id -u)" != 0 ]; then
	echo "Bail out! the replay loads BPF programs: run it as root"
	exit 1
fi
echo "# CPython regression tests traced and replayed $RUNS times, interpreter $PY"
run_test traced_replays "CPython's tests of ${MODULES[*]}: traced once, replayed $RUNS times, never killed"
tap_finish replay

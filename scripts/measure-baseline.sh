#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# measure-baseline.sh [-r RUNS] [-s SECONDS] [-b BINARY] [PYTHON...]
#
# Measure the interpreter baseline (user/policy.c, interpreter_baseline[]):
# the syscalls CPython and the C library make by themselves on threads that
# run Python. Each PYTHON (default: /usr/bin/python3.11 and the newest pyenv
# 3.8 to 3.13) runs scripts/baseline/app.py RUNS times (default 3) for
# SECONDS each (default 2): threads started and joined under contention,
# allocation from many threads, garbage cycles, signals, stops and continues,
# a return probe on pthread_create (scripts/baseline/ says what exactly). The workload itself
# asks for no syscall: whatever it makes is the interpreter's doing.
#
#   strace -f counts the syscalls of the window in which the workload runs
#     (scripts/baseline/count_window.py): the workload's threads from start
#     to end, and the main thread while it is in the workload;
#   with -b BINARY (as root), `BINARY trace --no-interpreter-baseline
#     --module bl_workload` shows what the kernel side attributes to the
#     module (it also adds, for a module that starts threads, what glibc may
#     do to start and end one: see thread_lifecycle in user/cmd_trace.c).
#
# For each interpreter it prints every syscall seen, in how many runs and
# how often, then compares with the baseline BINARY's compiler has (policy
# check --json; .output/secimport-bpf by default): seen and in it, seen and
# left out (with why, for the known ones), in it but not seen.
# Needs strace and python3. Exits 1 if something could not be measured.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=3
seconds=2
bin=
while getopts "r:s:b:h" opt; do
	case $opt in
	r) runs=$OPTARG ;;
	s) seconds=$OPTARG ;;
	b) bin=$(realpath "$OPTARG") ;;
	h)
		sed -n '4,27p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $runs in '' | *[!0-9]* | 0)
	echo "measure-baseline: -r needs a whole number of runs" >&2
	exit 2
	;;
esac

pythons=("$@")
if [ ${#pythons[@]} -eq 0 ]; then
	[ -x /usr/bin/python3.11 ] && pythons+=(/usr/bin/python3.11)
	for v in 3.8 3.9 3.10 3.11 3.12 3.13; do
		# the newest installed 3.X.* of pyenv
		p=$(find "${PYENV_ROOT:-$HOME/.pyenv}/versions" -maxdepth 3 -path "*/$v.*/bin/python$v" \
			2>/dev/null | sort -V | tail -1)
		[ -n "$p" ] && pythons+=("$p")
	done
fi
command -v strace >/dev/null || {
	echo "measure-baseline: strace is missing (apt-get install strace)" >&2
	exit 1
}

checker=${bin:-$root/.output/secimport-bpf}
baseline=""
if [ -x "$checker" ]; then
	printf 'modules: {m: {syscalls: []}}\n' >"${TMPDIR:-/tmp}/measure-baseline-$$.yaml"
	baseline=$("$checker" policy check --json "${TMPDIR:-/tmp}/measure-baseline-$$.yaml" 2>/dev/null |
		python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["interpreter_baseline_syscalls"]))')
	rm -f "${TMPDIR:-/tmp}/measure-baseline-$$.yaml"
	echo "# the compiler's baseline ($checker): $baseline"
else
	echo "# no $checker: not comparing with the compiler's baseline"
fi

work=$(mktemp -d /tmp/measure-baseline.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$here/baseline/app.py" "$here/baseline/bl_workload.py" "$work/"
failed=0

for py in "${pythons[@]}"; do
	ver=$("$py" -c 'import platform; print(platform.python_version())' 2>/dev/null) || {
		echo "== $py: cannot run it"
		failed=1
		continue
	}
	echo "== $py (CPython $ver), $runs run(s) of $seconds s"
	counts=()
	for ((r = 1; r <= runs; r++)); do
		log=$work/strace.$r
		if ! (cd "$work" && timeout 300 strace -f -qq -o "$log" "$py" app.py "$seconds" \
			>/dev/null 2>"$work/err.$r"); then
			echo "   run $r failed: $(tail -1 "$work/err.$r")"
			failed=1
			continue
		fi
		python3 "$here/baseline/count_window.py" "$log" >"$work/count.$r"
		counts+=("$work/count.$r")
		rm -f "$log"
	done
	[ ${#counts[@]} -gt 0 ] || continue
	traced=""
	if [ -n "$bin" ]; then
		if (cd "$work" && timeout 300 "$bin" trace --no-interpreter-baseline -o "$work/t.yaml" \
			--module bl_workload -- "$py" app.py "$seconds" >/dev/null 2>"$work/trace.err"); then
			traced=$(sed -n 's/^ *- \([a-z0-9_]*\).*/\1/p' "$work/t.yaml" | sort | tr '\n' ' ')
		else
			echo "   trace failed: $(grep -v 'runs as root' "$work/trace.err" | tail -1)"
			failed=1
		fi
	fi
	python3 - "$baseline" "$traced" "${counts[@]}" <<'EOF'
import sys

baseline = sys.argv[1].split()
traced = sys.argv[2].split()
runs = sys.argv[3:]
seen, total = {}, {}
for path in runs:
    for line in open(path):
        n, name = line.split()
        seen[name] = seen.get(name, 0) + 1
        total[name] = total.get(name, 0) + int(n)
# Why a syscall the interpreter made is not in the baseline.
left_out = {
    "clone3": "creating a thread is the list's decision",
    "clone": "creating a thread is the list's decision",
    "openat": "opening files is never baseline (glibc's one-time reads)",
    "open": "opening files is never baseline",
    "read": "only after such an open",
    "close": "only after such an open",
    "newfstatat": "only after such an open (3.8: libgcc_s at the first thread exit)",
}
order = sorted(seen, key=lambda s: (-seen[s], -total[s], s))
print("   strace: " + " ".join("%s %d/%d (%d)" % (s, seen[s], len(runs), total[s]) for s in order))
if traced:
    print("   trace:  " + " ".join(traced))
    extra = sorted(set(traced) - set(seen) - {"clone"})
    if extra:
        print("   trace only (thread_lifecycle additions or attribution): " + " ".join(extra))
if baseline:
    print("   seen, in the baseline: " + " ".join(s for s in order if s in baseline))
    out = [s for s in order if s not in baseline]
    if out:
        print("   seen, not in the baseline:")
        for s in out:
            print("     %-16s %s" % (s, left_out.get(s, "NOT EXPLAINED: decide and document")))
    missing = [s for s in baseline if s not in seen]
    print("   in the baseline, not seen: " + (" ".join(missing) or "none"))
EOF
done
exit $failed

#!/bin/sh
# The Quick Start: run app.py with `example` confined to no shell.
set -u
BIN=$(command -v "${1:-secimport-bpf}" || echo "${1:-secimport-bpf}")
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
cd "$(dirname "$0")" || exit 1
rm -f /tmp/secimport-quickstart-pwned

echo "\$ secimport-bpf run --policy policy.yaml -- /usr/bin/python3.11 app.py"
"$BIN" run --policy policy.yaml -- /usr/bin/python3.11 app.py
status=$?
echo "exit status: $status"
if [ "$status" = 137 ] && [ ! -e /tmp/secimport-quickstart-pwned ]; then
	echo "Quick Start OK: the program ran, example's os.system was killed (SIGKILL)"
	echo "before its command could run."
	exit 0
fi
echo "Quick Start FAILED: expected exit status 137 and no /tmp/secimport-quickstart-pwned"
exit 1

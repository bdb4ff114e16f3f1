# Planting code (issue #21, door 3; sourced by run.sh): a module that may not
# run programs (allow_shell: false) may not leave code behind for the
# application's next import or the next interpreter's start-up either:
# writing, creating, linking or renaming a .py, .pyc, .pyw, .pth or .so file,
# any symlink, a directory renamed. Judged in BPF LSM's file hooks, where
# the kernel has resolved the name; refused (and killed, under kill). The
# import system's own byte-code cache is refused without the kill. Without
# BPF LSM nothing judges it, and run says so.
# shellcheck shell=bash
# shellcheck disable=SC2034 # PLANT_TESTS: read by run.sh

# needs_lsm (run.sh): skip where BPF LSM is not live, fail in the VM suite.

# plant_case SCENARIO NAME: the plugin tries SCENARIO; refused and killed,
# and area/NAME does not exist.
plant_case() {
	needs_lsm || return 0
	fresh plant
	confine policy.yaml -- "$M" "$1"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file "returned_$1" "the plugin's planting returned ($1)"
	expect_err "kill .* module=plugin syscall=<code write> "
	[ -z "$2" ] || [ ! -e "$M/area/$2" ] || fail "area/$2 was planted"
}

t_plant_py() { plant_case plant_py json.py; }
t_plant_pth() { plant_case plant_pth zzz_evil.pth; }
t_plant_so() { plant_case plant_so json.cpython-311-x86_64-linux-gnu.so; }
t_plant_rename() { plant_case plant_rename json.py; }
t_plant_link() { plant_case plant_link json.py; }
t_plant_symlink() { plant_case plant_symlink json; }
t_plant_dir_rename() { plant_case plant_dir_rename json; }
t_plant_existing() {
	needs_lsm || return 0
	plant_case plant_existing ""
	[ "$(cat "$M/area/existing.py")" = "VALUE = 0" ] || fail "existing.py was changed"
}

# The import system's cache write for the plugin's first import: refused
# (CPython ignores it), never a kill; the import works.
t_plant_cache() {
	needs_lsm || return 0
	local saved=${PYTHONDONTWRITEBYTECODE-unset}
	unset PYTHONDONTWRITEBYTECODE
	fresh plant
	confine policy.yaml -- "$M" import_fresh
	[ "$saved" = unset ] || export PYTHONDONTWRITEBYTECODE="$saved"
	expect_rc 0
	expect_file returned_import_fresh "the plugin's first import must work"
	expect_err "deny .* module=plugin syscall=<code write> "
	! grep -qE 'kill .*<code write>' "$T/err" || fail "a cache write was killed"
	! ls "$T"/__pycache__/freshmod.*.pyc >/dev/null 2>&1 || fail "the plugin's import left a byte-code cache"
}

# No false kills: data files, renames and unlinks of data; a module allowed
# to run programs writing code.
t_plant_benign() {
	fresh plant
	confine policy.yaml -- "$M" benign
	expect_rc 0
	expect_file returned_benign "data files are not code"
	expect_out 'plugin wrote its data'
	expect_no_violation
}

t_plant_generate() {
	fresh plant
	confine policy.yaml -- "$M" generate
	expect_rc 0
	expect_file returned_generate "a module allowed to run programs may write code"
	expect_no_violation
}

t_plant_deny() {
	needs_lsm || return 0
	fresh plant
	confine policy.yaml --action deny -- "$M" plant_py
	expect_rc 1
	expect_err 'deny .* module=plugin syscall=<code write> '
	expect_err 'PermissionError'
	[ ! -e "$M/area/json.py" ] || fail "json.py was planted"
}

# Without BPF LSM nothing judges planting: run must say so, not stay silent.
t_plant_no_lsm_warned() {
	fresh plant
	confine policy.yaml -- "$M" benign
	expect_rc 0
	if $LSM_LIVE; then
		! grep -q 'writing Python code files' "$T/err" || fail "warned though BPF LSM is live"
	else
		expect_err 'BPF LSM is not usable .*writing Python code files .* is not judged'
	fi
}

PLANT_TESTS="plant_py plant_pth plant_so plant_rename plant_link plant_symlink plant_dir_rename
plant_existing plant_cache plant_benign plant_generate plant_deny plant_no_lsm_warned"

DESC+=(
	[plant_py]="allow_shell: false: writing json.py is refused and killed (BPF LSM inode_create)"
	[plant_pth]="allow_shell: false: writing a .pth file is refused and killed"
	[plant_so]="allow_shell: false: writing an extension module's .so is refused and killed"
	[plant_rename]="allow_shell: false: renaming a data file to json.py is refused and killed"
	[plant_link]="allow_shell: false: hard-linking a data file as json.py is refused and killed"
	[plant_symlink]="allow_shell: false: a symlink is refused and killed"
	[plant_dir_rename]="allow_shell: false: renaming a directory into place is refused and killed"
	[plant_existing]="allow_shell: false: opening an existing .py for writing is refused and killed"
	[plant_cache]="the import system's byte-code cache for a confined import: refused, not killed"
	[plant_benign]="data files written, renamed, unlinked by a no-shell module: no violation"
	[plant_generate]="a module allowed to run programs writes code: no violation"
	[plant_deny]="action deny: writing json.py refused with EPERM"
	[plant_no_lsm_warned]="without BPF LSM, run says planting code is not judged"
)

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
t_plant_symlink() { plant_case plant_symlink json.py; }
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

# --- red team (rt-plant) ----------------------------------------------------
# Each test asserts the secure outcome; a door still open is a known_escape
# (reported as TODO), a false kill of benign behaviour too.

# expect_existing_intact: area/existing.py still says what the app wrote.
expect_existing_intact() {
	[ "$(cat "$M/area/existing.py" 2>/dev/null)" = "VALUE = 0" ] || fail "existing.py was changed: $(head -c 80 "$M/area/existing.py" 2>/dev/null | tr '\n' ' ')"
}

# A non-code second name for an existing .py (inode_link judges both
# names), written through (file_open judges a file with other names).
t_plant_rt_hardlink_alias() {
	needs_lsm || return 0
	plant_case plant_rt_hardlink_alias notes.txt
	expect_existing_intact
}

# The interpreter's zip entry on sys.path (/usr/lib/python311.zip): a .zip
# is no code name, and every interpreter's start-up imports from it first.
t_plant_rt_syspath_zip() {
	needs_lsm || return 0
	[ "$(id -u)" = 0 ] || { skip "needs root (writes the interpreter's sys.path zip)"; return 0; }
	fresh plant
	confine policy.yaml -- "$M" plant_rt_syspath_zip
	local zp
	zp=$(sed -n 's/^syspath zip: //p' "$T/out")
	if [ -z "$zp" ] || [ "$zp" = None ]; then
		skip "no missing .zip entry on this interpreter's sys.path"
		return 0
	fi
	if [ -f "$zp" ]; then
		(cd "$M" && "$PY" -c 'import rt_zip_planted' >/dev/null 2>&1)
		rm -f "$zp"
	fi
	expect_rc 137
	expect_err "kill .* module=plugin syscall=<code write> "
	expect_no_file zip_planted_ran "a new interpreter imported the plugin's module from $zp"
}

# Held: /proc/self/fd/N reopens the real dentry (existing.py).
t_plant_rt_procfd_reopen() {
	needs_lsm || return 0
	plant_case plant_rt_procfd_reopen ""
	expect_existing_intact
}

# Held: an O_TMPFILE written under no name, then linkat via /proc: inode_link.
t_plant_rt_tmpfile_link() {
	needs_lsm || return 0
	fresh plant
	confine policy.yaml -- "$M" plant_rt_tmpfile_link
	if [ -e "$M/tmpfile_unsupported" ]; then
		skip "O_TMPFILE not supported on this file system"
		return 0
	fi
	expect_rc 137
	expect_err "kill .* module=plugin syscall=<code write> "
	[ ! -e "$M/area/json.py" ] || fail "json.py was planted"
}

# Held: mknod(S_IFREG) goes through vfs_create, so inode_create.
t_plant_rt_mknod() { plant_case plant_rt_mknod json.py; }

# A FIFO named .pth (inode_mknod judges the name). site.py opens every .pth
# of a site directory: start-up blocks, or reads what a writer feeds it.
t_plant_rt_fifo_pth() {
	needs_lsm || return 0
	plant_case plant_rt_fifo_pth zzz_evil.pth
}

# Held: a thread the plugin starts inherits its confinement.
t_plant_rt_thread() { plant_case plant_rt_thread json.py; }

# A deferred stdlib callable (atexit + shutil.copyfile): no frame of the
# plugin when it runs (DESIGN.md, known limits: deferred callables).
t_plant_rt_atexit() {
	needs_lsm || return 0
	known_escape "deferred callables: atexit runs shutil.copyfile with no frame of the plugin"
	fresh plant
	confine policy.yaml -- "$M" plant_rt_atexit
	[ ! -e "$M/area/json.py" ] || fail "json.py was planted at exit"
}

# Emptying a code file (a sitecustomize.py that installs audit hooks, a
# policy module) without opening it for writing: path_truncate (kernels
# with CONFIG_SECURITY_PATH, as the VM's).
t_plant_rt_truncate() {
	needs_lsm || return 0
	plant_case plant_rt_truncate ""
	expect_existing_intact
}

t_plant_rt_rdonly_trunc() {
	needs_lsm || return 0
	plant_case plant_rt_rdonly_trunc ""
	expect_existing_intact
}

# A versioned shared library: what DT_NEEDED of an extension module (or a
# wheel's <pkg>.libs/) loads at the next import. /etc/ld.so.preload likewise.
t_plant_rt_so_version() {
	needs_lsm || return 0
	plant_case plant_rt_so_version libplanted.so.1
}

# A data file bind-mounted over a .py (root): sb_mount is no plant hook.
t_plant_rt_bind_mount() {
	needs_lsm || return 0
	[ "$(id -u)" = 0 ] || { skip "needs root (mount)"; return 0; }
	known_escape "mount is in the shell group, but a kill at syscall entry lands after the bind mount is made; no LSM hook (sb_mount) refuses it yet"
	fresh plant
	confine policy.yaml -- "$M" ct_bind_mount
	local planted=false
	grep -q planted_ran "$M/area/existing.py" 2>/dev/null && planted=true
	umount "$M/area/existing.py" 2>/dev/null
	expect_rc 137
	$planted && fail "existing.py shows the plugin's data file (bind mount)"
}

# False kills: benign behaviour of a module that may not run programs.
benign_case() {
	fresh plant
	confine policy.yaml -- "$M" "$1"
	expect_rc 0
	expect_file "returned_$1" "benign behaviour must not be refused"
	expect_out 'plugin wrote its data'
	expect_no_violation
}
t_plant_rt_benign_dirswap() {
	needs_lsm || return 0
	benign_case benign_rt_dirswap
}
t_plant_rt_benign_symlink() {
	needs_lsm || return 0
	benign_case benign_rt_symlink
}
t_plant_rt_benign_pyc_dot() {
	needs_lsm || return 0
	benign_case benign_rt_pyc_dot
}

# With PYTHONPYCACHEPREFIX, the import system's cache is not in __pycache__:
# its write for the plugin's first import is not "cache" and is killed.
t_plant_rt_pycache_prefix() {
	needs_lsm || return 0
	known_escape "false kill: under PYTHONPYCACHEPREFIX the byte-code cache's parent is not __pycache__"
	local saved=${PYTHONDONTWRITEBYTECODE-unset}
	unset PYTHONDONTWRITEBYTECODE
	fresh plant
	PYTHONPYCACHEPREFIX=$T/pyc confine policy.yaml -- "$M" import_fresh
	[ "$saved" = unset ] || export PYTHONDONTWRITEBYTECODE="$saved"
	expect_rc 0
	expect_file returned_import_fresh "the plugin's first import must work"
	! grep -qE 'kill .*<code write>' "$T/err" || fail "a cache write was killed"
}

PLANT_TESTS="plant_py plant_pth plant_so plant_rename plant_link plant_symlink
plant_existing plant_cache plant_benign plant_generate plant_deny plant_no_lsm_warned
plant_rt_hardlink_alias plant_rt_syspath_zip plant_rt_procfd_reopen plant_rt_tmpfile_link
plant_rt_mknod plant_rt_fifo_pth plant_rt_thread plant_rt_atexit plant_rt_truncate
plant_rt_rdonly_trunc plant_rt_so_version plant_rt_bind_mount
plant_rt_benign_dirswap plant_rt_benign_symlink plant_rt_benign_pyc_dot plant_rt_pycache_prefix"

DESC+=(
	[plant_py]="allow_shell: false: writing json.py is refused and killed (BPF LSM inode_create)"
	[plant_pth]="allow_shell: false: writing a .pth file is refused and killed"
	[plant_so]="allow_shell: false: writing an extension module's .so is refused and killed"
	[plant_rename]="allow_shell: false: renaming a data file to json.py is refused and killed"
	[plant_link]="allow_shell: false: hard-linking a data file as json.py is refused and killed"
	[plant_symlink]="allow_shell: false: a symlink named json.py is refused and killed"
	[plant_existing]="allow_shell: false: opening an existing .py for writing is refused and killed"
	[plant_cache]="the import system's byte-code cache for a confined import: refused, not killed"
	[plant_benign]="data files written, renamed, unlinked by a no-shell module: no violation"
	[plant_generate]="a module allowed to run programs writes code: no violation"
	[plant_deny]="action deny: writing json.py refused with EPERM"
	[plant_no_lsm_warned]="without BPF LSM, run says planting code is not judged"
	[plant_rt_hardlink_alias]="red team: a non-code hard link to an existing .py, written through: killed"
	[plant_rt_syspath_zip]="red team: a zip written at the interpreter's sys.path python3XY.zip: killed"
	[plant_rt_procfd_reopen]="red team: a .py opened read-only, reopened for writing via /proc/self/fd: killed"
	[plant_rt_tmpfile_link]="red team: O_TMPFILE linked as json.py via /proc/self/fd: killed"
	[plant_rt_mknod]="red team: mknod(S_IFREG) json.py: killed"
	[plant_rt_fifo_pth]="red team: a FIFO named .pth: killed"
	[plant_rt_thread]="red team: a thread the plugin starts copies json.py: killed"
	[plant_rt_atexit]="red team: atexit + shutil.copyfile plants json.py (known escape)"
	[plant_rt_truncate]="red team: truncate(2) emptying a .py is refused"
	[plant_rt_rdonly_trunc]="red team: O_RDONLY|O_TRUNC emptying a .py is refused"
	[plant_rt_so_version]="red team: a versioned shared library libfoo.so.1: killed"
	[plant_rt_bind_mount]="red team: a data file bind-mounted over a .py (known escape)"
	[plant_rt_benign_dirswap]="red team: an output directory renamed into place is not killed (false kill)"
	[plant_rt_benign_symlink]="red team: a 'latest' data symlink is not killed (false kill)"
	[plant_rt_benign_pyc_dot]="red team: a data file named listing.pyc.txt is not killed (false kill)"
	[plant_rt_pycache_prefix]="red team: a first import under PYTHONPYCACHEPREFIX is not killed (false kill)"
)

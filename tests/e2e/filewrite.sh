# Changing files (issue #21, door 3; sourced by run.sh): a module with
# allow_file_write: false may not open a file for writing, create, rename,
# link, unlink or truncate one. Opening for writing is judged from the open
# flags (a register) at syscall entry; the rest by syscall. The plugin writes
# no marker itself: the application records what returned.
# shellcheck shell=bash
# shellcheck disable=SC2034 # FILEWRITE_TESTS: read by run.sh

# fw_case SCENARIO SYSCALL-REGEX: plugin tries SCENARIO; killed, judged as SYSCALL.
fw_case() {
	fresh filewrite
	confine policy.yaml -- "$M" "$1"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file "escaped_$1" "the plugin's file change returned: it got out ($1)"
	expect_err "kill .* module=plugin syscall=$2 "
}

# The original content, as the application wrote it.
expect_original() {
	[ "$(cat "$M/area/existing.txt" 2>/dev/null)" = original ] ||
		fail "existing.txt changed: '$(head -c 40 "$M/area/existing.txt" 2>/dev/null)'"
}

t_fw_open_write() {
	fw_case open_write '<file write>'
	[ ! -s "$M/area/planted.py" ] || fail "planted.py has content: the write ran"
}
t_fw_open_append() {
	fw_case open_append '<file write>'
	expect_original
}
t_fw_os_open_rdwr() {
	fw_case os_open_rdwr '<file write>'
	expect_original
}
# Under kill, O_TRUNC has emptied the file by the time SIGKILL lands (deny refuses it first).
t_fw_os_open_trunc() { fw_case os_open_trunc '<file write>'; }
t_fw_tmpfile() { fw_case tmpfile '<file write>'; }
t_fw_rename() { fw_case rename 'rename(at2?)?'; }
t_fw_unlink() { fw_case unlink 'unlink(at)?'; }
t_fw_mkdir() { fw_case mkdir 'mkdir(at)?'; }
t_fw_symlink() { fw_case symlink 'symlink(at)?'; }
t_fw_hardlink() { fw_case hardlink 'link(at)?'; }
t_fw_truncate() { fw_case truncate 'truncate'; }
t_fw_thread() {
	fw_case thread_write '<file write>'
	[ ! -s "$M/area/planted.py" ] || fail "planted.py has content: the thread's write ran"
}
t_fw_callback() { fw_case callback_write '<file write>'; }

# No false kills: reading, stat, listing, printing; the application's own
# writes; a module with the default (a cache) writing, renaming, unlinking;
# and the import system's byte-code cache for what the plugin imports (run
# sets PYTHONDONTWRITEBYTECODE=1, and says so).
t_fw_benign() {
	fresh filewrite
	confine policy.yaml -- "$M" benign
	expect_rc 0
	expect_file benign_ran "reads and the cache module's writes are not refused"
	expect_file app_wrote "the application's own writes must work"
	expect_out 'plugin read what it needed'
	expect_no_violation
}

t_fw_import_fresh() {
	# As the program would start outside this suite (whose environment may set it).
	local saved=${PYTHONDONTWRITEBYTECODE-unset}
	unset PYTHONDONTWRITEBYTECODE
	fresh filewrite
	confine policy.yaml --verbose -- "$M" import_fresh
	[ "$saved" = unset ] || export PYTHONDONTWRITEBYTECODE="$saved"
	expect_rc 0
	expect_file escaped_import_fresh "the plugin's first import must work"
	expect_no_violation
	expect_err 'PYTHONDONTWRITEBYTECODE=1'
	! ls "$T"/__pycache__/freshmod.* >/dev/null 2>&1 || fail "a byte-code cache was written for freshmod"
}

# policy check shows the key in each module's summary.
t_fw_policy_check() {
	fresh filewrite
	"$BIN" policy check "$T/policy.yaml" >"$T/out" 2>"$T/err" || fail "policy check failed: $(cat "$T/err")"
	expect_out '^  plugin .*allow_file_write false'
	expect_out '^  cache .*allow_file_write true'
	RC=0
}

# Under deny, the change is refused before it happens (BPF LSM inode_create,
# file_open, inode_rename...); without BPF LSM the kill stands in and says so.
fw_deny_case() {
	fresh filewrite
	confine policy.yaml --action deny --fallback kill -- "$M" "$1"
	if $LSM_LIVE; then
		expect_rc 1
		expect_err "deny .* module=plugin syscall=$2 "
		expect_err 'PermissionError'
	else
		expect_rc 137
		expect_err "kill .* module=plugin syscall=$2 .*deny_uncovered"
	fi
	expect_no_file "escaped_$1" "the plugin's file change must not return"
}
t_fw_deny_open() {
	fw_deny_case open_write '<file write>'
	if $LSM_LIVE; then
		[ ! -e "$M/area/planted.py" ] || fail "planted.py was created"
	fi
}
t_fw_deny_trunc() {
	fw_deny_case os_open_trunc '<file write>'
	if $LSM_LIVE; then expect_original; fi
}
t_fw_deny_rename() {
	fw_deny_case rename 'rename(at2?)?'
	if $LSM_LIVE; then
		[ ! -e "$M/area/json.py" ] || fail "json.py was planted by rename"
		expect_original
	fi
}

# A kill at syscall entry is not a refusal: the rename runs before SIGKILL
# lands, and the planted file stays for the next run (deny refuses it).
t_fw_rt_kill_rename() {
	known_escape "SIGKILL at syscall entry does not stop a rename, link or unlink that then completes; only deny (BPF LSM inode hooks) refuses it"
	fw_case rename 'rename(at2?)?'
	[ ! -e "$M/area/json.py" ] || fail "json.py was planted by rename before the kill landed"
}

FILEWRITE_TESTS="fw_open_write fw_open_append fw_os_open_rdwr fw_os_open_trunc fw_tmpfile fw_rename
fw_unlink fw_mkdir fw_symlink fw_hardlink fw_truncate fw_thread fw_callback fw_benign fw_import_fresh
fw_policy_check fw_deny_open fw_deny_trunc fw_deny_rename fw_rt_kill_rename"

DESC+=(
	[fw_open_write]="allow_file_write: false: open(path, 'w') is killed before anything is written"
	[fw_open_append]="allow_file_write: false: open(path, 'a') is killed, the file unchanged"
	[fw_os_open_rdwr]="allow_file_write: false: os.open(O_RDWR) is killed, the file unchanged"
	[fw_os_open_trunc]="allow_file_write: false: os.open(O_RDONLY | O_TRUNC) is killed"
	[fw_tmpfile]="allow_file_write: false: tempfile.TemporaryFile (O_TMPFILE) is killed"
	[fw_rename]="allow_file_write: false: os.rename is killed"
	[fw_unlink]="allow_file_write: false: os.unlink is killed"
	[fw_mkdir]="allow_file_write: false: os.mkdir is killed"
	[fw_symlink]="allow_file_write: false: os.symlink is killed"
	[fw_hardlink]="allow_file_write: false: os.link is killed"
	[fw_truncate]="allow_file_write: false: os.truncate is killed"
	[fw_thread]="allow_file_write: false: a thread the module starts is confined"
	[fw_callback]="allow_file_write: false: the module's function called back by the application is confined"
	[fw_benign]="reads, stat, print; the application's and a cache module's writes: no violation"
	[fw_import_fresh]="a first import by a no-file-write module writes no byte-code cache and is not killed"
	[fw_policy_check]="policy check shows allow_file_write per module"
	[fw_deny_open]="action deny: opening for writing refused with EPERM before the file exists (BPF LSM)"
	[fw_deny_trunc]="action deny: O_TRUNC refused before the file is emptied (BPF LSM)"
	[fw_deny_rename]="action deny: rename refused with EPERM, nothing planted (BPF LSM)"
	[fw_rt_kill_rename]="action kill: a rename killed at entry leaves nothing planted"
)

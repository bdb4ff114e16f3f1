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

# write_paths (BPF LSM): the plugin may change files only under its cache
# directory, judged on the kernel's dentries. wp_policy ACTION writes the
# policy for this run's directories (they must exist when it is loaded).
wp_policy() {
	mkdir -p "$M/area/cache"
	printf 'action: %s\nmodules:\n  plugin:\n    allow_shell: false\n    write_paths: [%s]\n' \
		"$1" "$M/area/cache" >"$T/wp.yaml"
}
t_fw_paths_inside() {
	needs_lsm || return
	fresh writepaths
	wp_policy deny
	confine wp.yaml -- "$M" inside
	expect_rc 0
	expect_file inside_ran "changes under write_paths must all work"
	expect_no_violation
	! grep -q 'secimport-bpf: deny' "$T/err" || fail "a change under write_paths was refused"
}
WP_OUTSIDE="open_outside append_outside dotdot rename_out rename_in link_in symlink_out
truncate_out trunc_open_out chmod_out unlink_out mkdir_out thread_out blockdev_inside"
t_fw_paths_refused() {
	needs_lsm || return
	fresh writepaths
	wp_policy deny
	confine wp.yaml -- "$M" outside
	expect_rc 0
	for a in $WP_OUTSIDE; do
		expect_file "refused_$a" "$a must be refused (EPERM)"
		expect_no_file "changed_by_$a" "$a changed the application's file"
		expect_no_file "made_by_$a" "$a made a file outside write_paths"
		expect_no_file "removed_by_$a" "$a removed the application's file"
	done
	expect_err 'deny .* module=plugin syscall=<write outside write_paths> '
}
t_fw_paths_kill() {
	needs_lsm || return
	fresh writepaths
	wp_policy kill
	confine wp.yaml -- "$M" kill
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file escaped_open_outside "the write outside write_paths returned"
	[ ! -e "$M/area/planted.txt" ] || fail "planted.txt was created outside write_paths"
	expect_err 'kill .* module=plugin syscall=<write outside write_paths> '
}
# Extended attributes (a POSIX ACL is a chmod): no file hook sees where
# they land, so a module with write_paths may set none, anywhere.
t_fw_paths_xattr() {
	needs_lsm || return
	fresh writepaths
	wp_policy kill
	confine wp.yaml -- "$M" xattr
	expect_rc 137
	expect_no_file escaped_xattr_out "setxattr outside write_paths returned"
	expect_err 'kill .* module=plugin syscall=setxattr '
}
# Without BPF LSM, write_paths is refused with a clear message, not ignored.
t_fw_paths_no_lsm() {
	if $LSM_LIVE; then
		skip "BPF LSM is live here: write_paths is enforced (fw_paths_*)"
		return
	fi
	fresh writepaths
	wp_policy kill
	confine wp.yaml -- "$M" kill
	expect_rc 2
	expect_no_file main_ran "nothing may run when the policy cannot be enforced"
	expect_err 'write_paths, which needs BPF LSM'
}

# A kill at syscall entry is not a refusal: the rename runs before SIGKILL
# lands, and the planted file stays for the next run (deny refuses it).
t_fw_rt_kill_rename() {
	known_escape "SIGKILL at syscall entry does not stop a rename, link or unlink that then completes; only deny (BPF LSM inode hooks) refuses it"
	fw_case rename 'rename(at2?)?'
	[ ! -e "$M/area/json.py" ] || fail "json.py was planted by rename before the kill landed"
}

# ---- red team (branch rt-filewrite) ----------------------------------------
# The policy judges opening for writing and the syscalls that create, rename
# or remove. What else changes a file, and what a read-only module commonly
# does that gets killed.

# fw_rt_case SCENARIO SYSCALL-REGEX [POLICY]: like fw_case, with the secure
# outcome spelled out: the plugin is killed, judged as SYSCALL, and the
# application never records that the attempt returned.
fw_rt_case() {
	fresh filewrite
	confine "${3:-policy.yaml}" -- "$M" "$1"
	expect_rc 137
	expect_file main_ran "the application's own os.system must work"
	expect_no_file "escaped_$1" "the plugin's file change returned: it got out ($1)"
	expect_err "kill .* module=plugin syscall=$2 "
}

# The application's open log must hold only what the application wrote.
expect_app_log() {
	local log=$M/area/app.log
	! grep -q planted "$log" 2>/dev/null || fail "the plugin's bytes are in the application's log: $(head -c 60 "$log")"
	[ "$(stat -c %s "$log" 2>/dev/null || echo 0)" -lt 4096 ] ||
		fail "the application's log grew to $(stat -c %s "$log") bytes"
}

# Writes through a descriptor the application opened for writing (found
# through gc or /proc/self/fd, both allowed to a read-only module): only
# opening is judged, and a descriptor to a regular file is "ordinary".
t_fw_rt_appfd_write() {
	known_escape "write(2) on the application's writable descriptor (found through gc) is not judged"
	fw_rt_case appfd_gc_write '<file write>'
	expect_app_log
}
t_fw_rt_appfd_pwrite() {
	known_escape "dup(2) + pwrite(2) on the application's descriptor from /proc/self/fd is not judged"
	fw_rt_case appfd_dup_pwrite '<file write>'
	expect_app_log
}
t_fw_rt_appfd_sendfile() {
	known_escape "sendfile(2) into the application's file is judged only when it is a socket"
	fw_rt_case appfd_sendfile '<file write>'
	expect_app_log
	! grep -q original "$M/area/app.log" || fail "existing.txt was copied into the application's log"
}
t_fw_rt_appfd_copy_range() {
	known_escape "copy_file_range(2) into the application's file is judged only when it is a socket"
	fw_rt_case appfd_copy_range '<file write>'
	! grep -q original "$M/area/app.log" || fail "existing.txt was copied into the application's log"
}
t_fw_rt_appfd_splice() {
	known_escape "splice(2) from a pipe into the application's file is judged only when it is a socket"
	fw_rt_case appfd_splice '<file write>'
	expect_app_log
}
t_fw_rt_appfd_mmap() {
	known_escape "mmap(MAP_SHARED, PROT_WRITE) of the application's read-write descriptor: the stores make no syscall"
	fw_rt_case appfd_mmap '(<file write>|mmap)'
	[ "$(head -c 8 "$M/area/app.dat")" = "applicat" ] ||
		fail "the application's data file was rewritten through a shared mapping: $(head -c 20 "$M/area/app.dat")"
}
# Judged (the file-write group has fallocate), and killed at entry; like
# every kill, it lands after the syscall ran (fw_rt_kill_rename).
t_fw_rt_appfd_fallocate() { fw_rt_case appfd_fallocate 'fallocate'; }
# Even were write(2) on a regular file judged: bytes the plugin leaves in the
# application's file object go out in the application's own flush.
t_fw_rt_appfd_laundered() {
	known_escape "the application's close flushes bytes the plugin buffered in its file object"
	fresh filewrite
	confine policy.yaml -- "$M" appfd_laundered
	expect_app_log
}
# Reopening the descriptor by its /proc path is an open with write flags: held.
t_fw_rt_procfd_reopen() {
	fw_rt_case procfd_reopen '<file write>'
	expect_app_log
}

# Metadata: the file's mode, owner, times, extended attributes and inode
# flags change with no open for writing (the program runs as root here).
# Metadata: judged by the file-write group (chmod, chown, times, xattrs)
# and ioctl(FS_IOC_SETFLAGS) as <file write>; killed at entry, the change
# itself lands before SIGKILL does (fw_rt_kill_rename; no LSM hook refuses
# these under deny yet: killed there too).
t_fw_rt_chmod() { fw_rt_case meta_chmod '(f?chmod|fchmodat2?)'; }
t_fw_rt_chown() { fw_rt_case meta_chown '(f?chown|lchown|fchownat)'; }
t_fw_rt_utime() { fw_rt_case meta_utime '(utimensat|utimes?|futimesat)'; }
t_fw_rt_setxattr() { fw_rt_case meta_setxattr '(l|f)?setxattr'; }
# Judged as <write outside write_paths>: with no write_paths, every write is outside.
t_fw_rt_ioctl_flags() { fw_rt_case meta_ioctl_flags '<write outside write_paths>'; }

# Deferred callables (DESIGN.md's known limit): a builtin given to atexit
# runs after main with no frame of the plugin.
t_fw_rt_atexit() {
	known_escape "deferred callables: atexit runs os.truncate with no frame of the plugin"
	fw_rt_case atexit_truncate 'truncate'
	expect_original
}

t_fw_rt_weakref() {
	known_escape "deferred callables: weakref.finalize runs os.truncate when the application drops the object"
	fw_rt_case weakref_unlink 'truncate'
	expect_original
}

# A module with the network but not file writes: bind(2) of a UNIX socket
# creates a file-system entry (the app's later open of that path fails).
t_fw_rt_unix_bind() {
	known_escape "bind(2) of an AF_UNIX path creates a file for a module allowed the network"
	fw_rt_case unix_bind 'bind' policy_net.yaml
	[ ! -e "$M/area/planted.py" ] || fail "planted.py was created by bind"
}

# Doors that held.
t_fw_rt_thread_builtin() {
	# (the unlink itself completes before SIGKILL lands: fw_rt_kill_rename's known escape)
	fw_rt_case thread_builtin 'unlink(at)?'
}
t_fw_rt_del_later() {
	fw_rt_case del_later '<file write>'
	[ ! -s "$M/area/planted.py" ] || fail "planted.py has content: __del__ wrote it"
}
t_fw_rt_gen_later() {
	fw_rt_case gen_later 'rename(at2?)?'
}
t_fw_rt_mkfifo() { fw_rt_case mkfifo 'mknod(at)?'; }
t_fw_rt_sqlite() { fw_rt_case sqlite_db '<file write>'; }
t_fw_rt_proc_comm() { fw_rt_case proc_comm '<file write>'; }

# False kills: a read-only module doing something common that changes no
# file the module chose (or none at all) is killed.
fw_rt_fk() {
	fresh filewrite
	confine policy.yaml -- "$M" "$1"
	expect_rc 0
	expect_file "escaped_$1" "the benign call must return ($1)"
	expect_no_violation
}
t_fw_rt_fk_devnull() {
	known_escape "false kill: open(os.devnull, 'w') is <file write>"
	fw_rt_fk fk_devnull
}
t_fw_rt_fk_makedirs() {
	known_escape "false kill: os.makedirs(existing, exist_ok=True) calls mkdir, killed at entry (EEXIST, nothing changes)"
	fw_rt_fk fk_makedirs
}
t_fw_rt_fk_gettempdir() {
	known_escape "false kill: tempfile.gettempdir() probes each candidate by creating a file"
	fw_rt_fk fk_gettempdir
}
t_fw_rt_fk_getpass() {
	known_escape "false kill: getpass.getpass() opens /dev/tty O_RDWR"
	fw_rt_fk fk_getpass
}
t_fw_rt_fk_mp_lock() {
	known_escape "false kill: multiprocessing.Lock() creates its semaphore in /dev/shm"
	fw_rt_fk fk_mp_lock
}
# The application's own logging: a handler opened on first use, or rolled
# over, during the plugin's logging call.
t_fw_rt_fk_log_delay() {
	known_escape "false kill: the application's FileHandler(delay=True) opens its file in the plugin's logging call"
	fw_rt_fk fk_log_delay
}
t_fw_rt_fk_log_rotate() {
	known_escape "false kill: the application's RotatingFileHandler rolls over (rename, open) in the plugin's logging call"
	fw_rt_fk fk_log_rotate
}
# python -E ignores PYTHONDONTWRITEBYTECODE, which run sets: the plugin's
# first import writes its byte-code cache.
t_fw_rt_fk_flag_E() {
	known_escape "false kill: under python -E (or -I) run's PYTHONDONTWRITEBYTECODE=1 is ignored; the first import writes __pycache__"
	fresh filewrite
	PYFLAGS=(-E)
	confine policy.yaml -- "$M" import_fresh
	expect_rc 0
	expect_file escaped_import_fresh "the plugin's first import must work"
	expect_no_violation
}

FILEWRITE_TESTS="fw_open_write fw_open_append fw_os_open_rdwr fw_os_open_trunc fw_tmpfile fw_rename
fw_unlink fw_mkdir fw_symlink fw_hardlink fw_truncate fw_thread fw_callback fw_benign fw_import_fresh
fw_policy_check fw_deny_open fw_deny_trunc fw_deny_rename fw_paths_inside fw_paths_refused
fw_paths_kill fw_paths_xattr fw_paths_no_lsm fw_rt_kill_rename
fw_rt_appfd_write fw_rt_appfd_laundered fw_rt_appfd_pwrite fw_rt_appfd_sendfile fw_rt_appfd_copy_range fw_rt_appfd_splice
fw_rt_appfd_mmap fw_rt_appfd_fallocate fw_rt_procfd_reopen fw_rt_chmod fw_rt_chown fw_rt_utime
fw_rt_setxattr fw_rt_ioctl_flags fw_rt_atexit fw_rt_weakref fw_rt_unix_bind fw_rt_thread_builtin fw_rt_del_later
fw_rt_gen_later fw_rt_mkfifo fw_rt_sqlite fw_rt_proc_comm fw_rt_fk_devnull fw_rt_fk_makedirs
fw_rt_fk_gettempdir fw_rt_fk_getpass fw_rt_fk_mp_lock fw_rt_fk_log_delay fw_rt_fk_log_rotate
fw_rt_fk_flag_E"

DESC+=(
	[fw_paths_inside]="write_paths: writing, renaming, truncating, linking under the directory works"
	[fw_paths_refused]="write_paths: every change outside (open, .., rename, link, symlink, truncate, chmod, unlink, mkdir, thread) is refused"
	[fw_paths_kill]="write_paths under kill: a write outside is killed before it lands"
	[fw_paths_xattr]="write_paths: setting an extended attribute is killed (no hook sees where it lands)"
	[fw_paths_no_lsm]="write_paths without BPF LSM: exit 2, nothing runs"
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
	[fw_rt_appfd_write]="write(2) on the application's log (found through gc) does not land"
	[fw_rt_appfd_laundered]="bytes the plugin buffered in the application's file object do not reach the file"
	[fw_rt_appfd_pwrite]="dup + pwrite(2) on the application's log (from /proc/self/fd) does not land"
	[fw_rt_appfd_sendfile]="sendfile(2) into the application's log does not land"
	[fw_rt_appfd_copy_range]="copy_file_range(2) into the application's log does not land"
	[fw_rt_appfd_splice]="splice(2) into the application's log does not land"
	[fw_rt_appfd_mmap]="a shared writable mapping of the application's data file is refused"
	[fw_rt_appfd_fallocate]="fallocate(2) on the application's log is refused"
	[fw_rt_procfd_reopen]="reopening the application's log as /proc/self/fd/N for writing is killed"
	[fw_rt_chmod]="chmod of a file is refused to a no-file-write module"
	[fw_rt_chown]="chown of a file is refused to a no-file-write module"
	[fw_rt_utime]="utime of a file is refused to a no-file-write module"
	[fw_rt_setxattr]="setxattr on a file is refused to a no-file-write module"
	[fw_rt_ioctl_flags]="FS_IOC_SETFLAGS (chattr) through a read-only descriptor is refused"
	[fw_rt_atexit]="os.truncate registered with atexit by the plugin does not run"
	[fw_rt_weakref]="os.truncate as a weakref finalizer of the plugin's object does not run"
	[fw_rt_unix_bind]="a module with the network but no file writes cannot create a UNIX socket file"
	[fw_rt_thread_builtin]="a _thread with a builtin target (os.unlink) is confined"
	[fw_rt_del_later]="the plugin's __del__ run by the application is confined"
	[fw_rt_gen_later]="the plugin's generator driven by the application is confined"
	[fw_rt_mkfifo]="os.mkfifo is killed"
	[fw_rt_sqlite]="sqlite3.connect(path) is killed"
	[fw_rt_proc_comm]="writing /proc/self/comm is killed"
	[fw_rt_fk_devnull]="no false kill: writing to /dev/null"
	[fw_rt_fk_makedirs]="no false kill: os.makedirs of an existing directory, exist_ok=True"
	[fw_rt_fk_gettempdir]="no false kill: tempfile.gettempdir()"
	[fw_rt_fk_getpass]="no false kill: getpass.getpass()"
	[fw_rt_fk_mp_lock]="no false kill: multiprocessing.Lock()"
	[fw_rt_fk_log_delay]="no false kill: logging through the application's FileHandler(delay=True)"
	[fw_rt_fk_log_rotate]="no false kill: logging through the application's RotatingFileHandler at rollover"
	[fw_rt_fk_flag_E]="no false kill: the plugin's first import under python -E"
)

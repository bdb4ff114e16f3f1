#!/usr/bin/env bash
# Run the end-to-end suite (tests/e2e) inside Debian bookworm's stock cloud
# kernel (6.1) under qemu (TCG), with BPF LSM on the kernel command line.
# Prints the suite's TAP lines; exits 0 only if the suite passed in the guest.
#
#   tests/vm/run.sh BINARY [TEST...]
#
# Environment:
#   SECIMPORT_VM_TIMEOUT     seconds before qemu is killed (default 1500)
#   SECIMPORT_TEST_EXCLUDE   e2e tests left out in the guest (default: the slowest)
#   SECIMPORT_VM_SHELL=1     boot to an interactive shell instead (Ctrl-A x quits)
#   SECIMPORT_VM_EXEC=CMD    run the shell command CMD in /src instead of the
#                            suites (the binary is bin/secimport-bpf); its
#                            status is the result
#   SECIMPORT_VM_VERBOSE=1   also show the console before and after the tests
#   SECIMPORT_VM_CACHE       cache directory (default tests/vm/cache)
#   SECIMPORT_VM_KERNEL_PKG  kernel metapackage (default linux-image-cloud-amd64)
#   SECIMPORT_VM_SMP         guest CPUs (default 2)
#   SECIMPORT_VM_MEM         guest memory (default 2G)
#   SECIMPORT_VM_APPEND      extra kernel command line arguments
#
# The kernel (apt-get download + dpkg -x) and the static part of the
# initramfs (busybox, bash, python3.11 and its stdlib, objcopy, bpftool, their
# shared libraries) are cached under the cache directory, keyed by package
# versions and file contents. Each run adds a small second archive with /init,
# the binary, its libraries and the tests (the kernel unpacks concatenated
# archives in order).
set -Eeuo pipefail
umask 022
trap 'echo "Bail out! vm: line $LINENO: $BASH_COMMAND failed"' ERR

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
CACHE=${SECIMPORT_VM_CACHE:-$HERE/cache}
TIMEOUT=${SECIMPORT_VM_TIMEOUT:-1500}
# Under software emulation the slowest attribution tests (thread churn,
# hundreds of threads, 18000-deep stacks) would take minutes; the host
# suites run them on every interpreter. So do they the side-door cases that
# need no BPF LSM: the guest keeps door_deny (LSM socket_sendmsg),
# door_benign, door_sock_write, door_mem_write and ctypes_memmove (the
# descriptor check and the ctypes probes on a second kernel).
VM_SKIP_DOORS="door_sock_writev door_sock_read door_sock_sendfile door_sock_found \
door_sock_thread door_mem_read door_mem_dup_stdout door_mem_task door_mem_child \
door_net_allowed door_rt_fd_high_bits door_rt_fd_alias door_rt_kill_write door_rt_kill_writev \
door_rt_mem_parent door_rt_laundered door_rt_atexit door_rt_fk_mp_pipe door_rt_fk_stdout \
door_rt_fk_signal door_unix_borrowed ctypes_from_address ctypes_string_at ctypes_cdll \
ctypes_app_imported ctypes_thread ctypes_pointer_oob ctypes_buffer_pointer ctypes_import_only \
ctypes_allowed ctypes_numpy ctypes_pyobj_fromptr ctypes_union_pyobject ctypes_charp_read \
ctypes_libffi_copy ctypes_cffi_cast ctypes_np_array_interface ctypes_from_buffer ctypes_mp_value \
ctypes_gi_glib door_terminal_input"
# Of the file-write cases, the guest keeps those BPF LSM refuses (fw_deny_*),
# one kill and the benign one. The planting cases (plant.sh) all run there.
VM_SKIP_DOORS="$VM_SKIP_DOORS $(sed -n 's/^t_\(fw_[A-Za-z0-9_]*\)().*/\1/p' "$HERE/../e2e/filewrite.sh" |
	grep -vxE 'fw_deny_.*|fw_paths_.*|fw_open_write|fw_benign' | tr '\n' ' ')"
# The attribution attacks, the walker's shapes and the learning mode run on
# the host on every interpreter; under emulation each confined run costs
# seconds (verifying the BPF LSM hooks), so the guest keeps a sample: one
# attack through code identity, one through a sub-interpreter, one trace.
VM_SKIP_ATTRIB="$(sed -n 's/^t_\(\(escape\|identity\)_[A-Za-z0-9_]*\)().*/\1/p' \
	"$HERE/../e2e/attribution.sh" | grep -vxE 'escape_fix_co_filename|escape_subinterp_run' |
	tr '\n' ' ') logmode stress logmode_json unbalanced_returns unbalanced_benign walk_generator \
walk_generator_reverse walk_c_calls_main walk_c_calls_plugin trace_fork trace_merge \
trace_baseline_replay trace_runs trace_all_modules"
export SECIMPORT_TEST_EXCLUDE=${SECIMPORT_TEST_EXCLUDE-walk_thread_churn escape_many_threads escape_deep_stack $VM_SKIP_DOORS $VM_SKIP_ATTRIB}
SMP=${SECIMPORT_VM_SMP:-2}
MEM=${SECIMPORT_VM_MEM:-2G}
KERNEL_META=${SECIMPORT_VM_KERNEL_PKG:-linux-image-cloud-amd64}
CMDLINE="console=ttyS0 lsm=lockdown,capability,landlock,bpf panic=-1 quiet ${SECIMPORT_VM_APPEND:-}"
PY=/usr/bin/python3.11
# The loaded-system tests run in the guest (SECIMPORT_VM_SYSTEM_TESTS overrides).
VM_SYSTEM_DEFAULT="quickstart network network_deny confined_registers forged_socket two_processes cgroup_scope agent status apply_atomic"

say() { echo "# vm: $*"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
die() {
	echo "Bail out! vm: $*"
	exit 1
}

[ $# -ge 1 ] || {
	echo "usage: $0 BINARY [TEST...]" >&2
	exit 2
}
BIN=$(realpath "$1")
shift
[ -x "$BIN" ] || die "$BIN is not an executable"
for t in qemu-system-x86_64 busybox cpio apt-get dpkg flock; do
	command -v "$t" >/dev/null || die "$t is missing (apt-get install qemu-system-x86 busybox-static cpio)"
done
[ -x "$PY" ] || die "$PY is missing"
mkdir -p "$CACHE"

# --- copying files into an initramfs tree -----------------------------------

# norm PATH: where PATH is in the usrmerged tree, without the leading /.
norm() {
	local p=${1#/}
	case $p in bin/* | sbin/* | lib/* | lib64/*) p=usr/$p ;; esac
	echo "$p"
}

# put ROOT SRC [DEST]: copy SRC (dereferenced, mode and mtime kept) to DEST
# (default: the same path) under ROOT. /bin, /lib... map to /usr/... (the
# tree is usrmerged like the host).
put() {
	local root=$1 src=$2 dst
	dst=$(norm "${3:-$2}")
	mkdir -p "$root/$(dirname "$dst")"
	cp -L --preserve=mode,timestamps "$src" "$root/$dst"
}

# shlibs FILE...: the shared libraries (and the dynamic loader) they need.
shlibs() {
	local f
	for f; do
		ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' || true
	done | sort -u
}

# put_elf ROOT FILE...: the files and every shared library they need.
put_elf() {
	local root=$1 f
	shift
	for f; do put "$root" "$f"; done
	for f in $(shlibs "$@"); do
		[ -e "$root/$(norm "$f")" ] || put "$root" "$f"
	done
}

# mkcpio DIR: a newc archive of DIR on stdout, every file owned by root.
mkcpio() {
	(cd "$1" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet)
}

# --- the kernel -------------------------------------------------------------

kernel_fetch() {
	local pkg ver dir
	pkg=$(apt-cache show --no-all-versions "$KERNEL_META" 2>/dev/null |
		sed -n 's/^Depends: .*\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -n1) || true
	ver=""
	[ -z "$pkg" ] || ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
	if [ -z "$pkg" ] || [ -z "$ver" ]; then
		# No package lists: use the newest kernel already cached.
		dir=$(find "$CACHE/kernel" -mindepth 2 -maxdepth 2 -name vmlinuz -printf '%h\n' 2>/dev/null | sort -V | tail -n1) || true
		[ -n "$dir" ] || die "cannot resolve $KERNEL_META (run apt-get update) and no kernel is cached"
		say "apt does not know $KERNEL_META; using the cached $(basename "$dir")"
		KDIR=$dir
		return
	fi
	KDIR=$CACHE/kernel/${pkg}_$ver
	[ -e "$KDIR/vmlinuz" ] && return
	say "downloading $pkg $ver"
	rm -rf "$KDIR" "$KDIR.tmp"
	mkdir -p "$KDIR.tmp/deb"
	(cd "$KDIR.tmp/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
	dpkg -x "$KDIR.tmp"/deb/*.deb "$KDIR.tmp/root"
	# The modules are not needed: no disk, no network, everything in the initramfs.
	cp "$KDIR.tmp"/root/boot/config-* "$KDIR.tmp/config"
	cp "$KDIR.tmp"/root/boot/vmlinuz-* "$KDIR.tmp/vmlinuz"
	rm -rf "$KDIR.tmp/deb" "$KDIR.tmp/root"
	mv "$KDIR.tmp" "$KDIR"
}

# --- the static part of the initramfs --------------------------------------

# busybox provides the rest; the suite's main tools are the host's own, so
# that the guest behaves like the host (busybox's setpriv, for one, has no
# --reuid).
BASE_ELFS="/usr/bin/busybox /usr/bin/bash /usr/bin/objcopy /usr/sbin/bpftool $PY
/usr/bin/grep /usr/bin/sed /usr/bin/setpriv"
BASE_PKGS="busybox-static bash coreutils grep sed util-linux binutils bpftool python3.11-minimal
libpython3.11-minimal libpython3.11-stdlib libc6 libtinfo6 zlib1g libzstd1 libelf1 libexpat1 libffi8 libssl3"
# Not needed by any case, and large (config-*: libpython3.11.a).
PY_PRUNE="test idlelib tkinter turtledemo ensurepip lib2to3 pydoc_data distutils/tests
config-3.11-x86_64-linux-gnu lib-dynload/_test*.so lib-dynload/_ctypes_test*.so
lib-dynload/xx*.so lib-dynload/_xxtestfuzz*.so"

# coreutils: every program of the coreutils package.
coreutils() {
	dpkg -L coreutils | grep -E '^(/usr)?/s?bin/[^/]+$' | while read -r f; do
		[ -f "$f" ] && [ ! -L "$f" ] && echo "$f"
	done || true
}

build_base() {
	local root=$1 x args=()
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,root,run,mnt,src}
	for x in bin sbin lib lib64; do ln -s "usr/$x" "$root/$x"; done
	# /dev/console must exist before /init runs, or init has no stdout.
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$root/dev/console" c 5 1
		mknod -m 666 "$root/dev/null" c 1 3
	fi
	# python3.11, its stdlib (with the host's .pyc files: compiling under TCG
	# is slow) and Debian's sitecustomize in /etc.
	for x in $PY_PRUNE; do args+=(--exclude="python3.11/$x"); done
	tar -C /usr/lib -cf - "${args[@]}" --exclude='*.opt-[12].pyc' python3.11 | tar -C "$root/usr/lib" -xf -
	[ -d /etc/python3.11 ] && cp -a /etc/python3.11 "$root/etc/"
	# shellcheck disable=SC2046,SC2086 # lists of paths
	put_elf "$root" $BASE_ELFS $(coreutils) "$root"/usr/lib/python3.11/lib-dynload/*.so
	ln -sf python3.11 "$root/usr/bin/python3"
	# busybox applets, wherever nothing real (bash, objcopy...) is installed.
	for x in $(/usr/bin/busybox --list-full); do
		[ -e "$root/$x" ] || [ -L "$root/$x" ] || ln -s /usr/bin/busybox "$root/$x"
	done
}

base_fetch() {
	local key
	# Every installed package's version (any library could be one of those
	# copied), the stdlib's files (.pyc files appear after installation),
	# and how the base is built.
	key=$({
		declare -f build_base coreutils norm put put_elf shlibs mkcpio
		echo "$BASE_ELFS $PY_PRUNE $(id -u)"
		dpkg-query -W -f '${Package}:${Architecture}=${Version}\n'
		find /usr/lib/python3.11 /etc/python3.11 -printf '%p %s %T@\n' 2>/dev/null
	} | sha256sum | cut -c1-16)
	BASE=$CACHE/base-$key.cpio
	[ -e "$BASE" ] && return
	say "building the initramfs base (cached as $(basename "$BASE"))"
	local tmp
	rm -rf "$CACHE"/base.tmp.* # left by an interrupted build
	tmp=$(mktemp -d "$CACHE/base.tmp.XXXXXX")
	build_base "$tmp/root"
	# Uncompressed: it boots about 1 s faster under TCG than gzip -1 (the
	# guest's gunzip is emulated); 62 MB against 26 MB.
	mkcpio "$tmp/root" >"$tmp/base.cpio"
	(cd "$tmp/root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$tmp/base.files"
	# shellcheck disable=SC2086 # a list of names
	dpkg-query -W -f '${Package}=${Version}\n' $BASE_PKGS >"$tmp/base.packages" 2>/dev/null || true
	# Old bases (other package versions) are not needed any more.
	find "$CACHE" -maxdepth 1 -name 'base-*' -delete
	mv "$tmp/base.files" "$BASE.files"
	mv "$tmp/base.packages" "${BASE%.cpio}.packages"
	mv "$tmp/base.cpio" "$BASE"
	rm -rf "$tmp"
}

# --- the BPF LSM check (optional: needs clang, bpftool and libbpf-dev) --------

lsm_check_fetch() {
	LSMCHECK=""
	local vmlinux=$SRC/vmlinux/x86_64/vmlinux.h key dir
	for x in clang bpftool cc; do command -v $x >/dev/null || return 0; done
	[ -e "$vmlinux" ] && [ -e /usr/include/bpf/libbpf.h ] || return 0
	key=$(cat "$HERE/lsm_check.bpf.c" "$HERE/lsm_check.c" | sha256sum | cut -c1-16)
	dir=$CACHE/lsm_check-$key
	if [ ! -x "$dir/lsm_check" ]; then
		rm -rf "$CACHE"/lsm_check-*
		mkdir -p "$dir"
		if ! {
			clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$(dirname "$vmlinux")" \
				-I/usr/include/x86_64-linux-gnu -c "$HERE/lsm_check.bpf.c" -o "$dir/lsm_check.bpf.o" &&
				bpftool gen skeleton "$dir/lsm_check.bpf.o" name lsm_check >"$dir/lsm_check.skel.h" &&
				cc -g -O2 -Wall -I"$dir" "$HERE/lsm_check.c" -lbpf -lelf -lz -o "$dir/lsm_check"
		} >"$dir/build.log" 2>&1; then
			say "the BPF LSM check did not build (see $dir/build.log); skipping it"
			return 0
		fi
	fi
	LSMCHECK=$dir/lsm_check
}

# --- the per-run archive ----------------------------------------------------

build_extra() {
	local root=$1 x
	shift
	mkdir -p "$root/src/tests" "$root/src/bin"
	put "$root" "$HERE/init.sh" /init
	chmod 755 "$root/init"
	cp "$BIN" "$root/src/bin/secimport-bpf"
	[ -z "$LSMCHECK" ] || cp "$LSMCHECK" "$root/src/bin/lsm_check"
	# Libraries the base does not have already.
	for x in $(shlibs "$BIN" ${LSMCHECK:+"$LSMCHECK"}); do
		grep -qxF "$(norm "$x")" "$BASE.files" 2>/dev/null || put "$root" "$x"
	done
	cp -r "$SRC/tests/e2e" "$root/src/tests/e2e"
	# The loaded-system suite: the Python package and libsecimport.
	cp -r "$SRC/python" "$root/src/python"
	cp "$(dirname "$BIN")/libsecimport.so" "$root/src/bin/libsecimport.so"
	[ -d "$SRC/policies" ] && cp -r "$SRC/policies" "$root/src/policies"
	# SECIMPORT_VM_BENCH=SYSCALL_LOOP: run bench/hook-cost.sh instead of the suite.
	if [ -n "${SECIMPORT_VM_BENCH:-}" ]; then
		cp -r "$SRC/bench" "$root/src/bench"
		cp "$SECIMPORT_VM_BENCH" "$root/src/bin/syscall_loop"
	fi
	{
		printf 'VM_SHELL=%q\n' "${SECIMPORT_VM_SHELL:-0}"
		printf 'VM_EXEC=%q\n' "${SECIMPORT_VM_EXEC:-}"
		printf 'VM_BENCH=%q\n' "$([ -n "${SECIMPORT_VM_BENCH:-}" ] && echo 1 || echo 0)"
		printf 'VM_TESTS=%q\n' "$*"
		printf 'VM_SYSTEM_TESTS=%q\n' "${SECIMPORT_VM_SYSTEM_TESTS-$VM_SYSTEM_DEFAULT}"
		printf 'VM_PYTHON=%q\n' "$PY"
		# The suite's own settings (SECIMPORT_TEST_ENGINE...) go along.
		env | sed -n 's/^\(SECIMPORT_TEST_[A-Z0-9_]*\)=.*/\1/p' | grep -vx SECIMPORT_TEST_PYTHON |
			while read -r x; do printf 'export %s=%q\n' "$x" "${!x}"; done || true
	} >"$root/src/vm.conf"
}

# --- run --------------------------------------------------------------------

t0=$(date +%s.%N)
# One run at a time fills the cache.
exec 9>"$CACHE/.lock"
flock 9
kernel_fetch
base_fetch
lsm_check_fetch
flock -u 9
RUN=$(mktemp -d /tmp/secimport-vm.XXXXXX)
QPID=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
build_extra "$RUN/extra" "$@"
# The kernel unpacks concatenated archives in order (a compressed archive
# followed by an uncompressed one failed: "invalid magic").
{
	cat "$BASE"
	mkcpio "$RUN/extra"
} >"$RUN/initrd"
rm -rf "$RUN/extra"
t1=$(date +%s.%N)
say "kernel $(basename "$KDIR"), initramfs $(($(stat -c %s "$RUN/initrd") / 1048576)) MB, prepared in $(secs "$t0" "$t1") s"

QEMU=(qemu-system-x86_64 -accel tcg -cpu max -smp "$SMP" -m "$MEM" -nographic -no-reboot -nic none
	-kernel "$KDIR/vmlinuz" -initrd "$RUN/initrd" -append "$CMDLINE")

if [ "${SECIMPORT_VM_SHELL:-0}" = 1 ]; then
	say "starting a shell in the guest; 'poweroff -f' or Ctrl-A x ends it"
	"${QEMU[@]}"
	exit 0
fi

LOG=$CACHE/last-console.log
: >"$LOG"
rc=""
phase=boot
exec 3< <(exec "${QEMU[@]}" </dev/null 2>&1)
QPID=$!
deadline=$((SECONDS + TIMEOUT))
while :; do
	left=$((deadline - SECONDS))
	[ "$left" -gt 0 ] || {
		phase=timeout
		break
	}
	IFS= read -r -t "$left" line <&3 || {
		# EOF (qemu exited) or the deadline; a partial last line is kept.
		[ -z "${line:-}" ] || echo "$line" >>"$LOG"
		[ "$left" -gt 0 ] && [ $((deadline - SECONDS)) -gt 0 ] || phase=timeout
		break
	}
	line=${line%$'\r'}
	echo "$line" >>"$LOG"
	case $phase:$line in
	*:SECIMPORT-VM-BEGIN*) phase=tests ;;
	*:SECIMPORT-VM-END*) phase=post ;;
	*:SECIMPORT-VM-RESULT\ rc=*)
		rc=${line#SECIMPORT-VM-RESULT rc=}
		phase=after
		;;
	tests:*) echo "$line" ;;
	boot:\#* | post:\#*) echo "$line" ;;
	*) [ "${SECIMPORT_VM_VERBOSE:-0}" != 1 ] || echo "# console: $line" ;;
	esac
done
if [ "$phase" = timeout ]; then
	kill "$QPID" 2>/dev/null || true
fi
wait "$QPID" 2>/dev/null || true
QPID=""
t2=$(date +%s.%N)
say "guest ran $(secs "$t1" "$t2") s; console log in $LOG"

if [ -z "$rc" ]; then
	case $phase in
	timeout) echo "Bail out! vm: no result after ${TIMEOUT}s (SECIMPORT_VM_TIMEOUT); qemu killed; see $LOG" ;;
	*) echo "Bail out! vm: the guest stopped without a result (crash or panic?); see $LOG" ;;
	esac
	tail -n 30 "$LOG" | sed 's/^/#   /'
	exit 1
fi
[ "$rc" = 0 ] || exit 1
exit 0

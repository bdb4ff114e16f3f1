#!/bin/sh
# /init of the test VM (tests/vm/run.sh): mount what secimport-bpf needs,
# report the kernel's BPF facilities, run tests/e2e/run.sh, print
#   SECIMPORT-VM-RESULT rc=N
# and power off. Lines before SECIMPORT-VM-BEGIN that start with '#' are
# shown by the host; everything between the two markers is the suite's TAP.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM="${TERM:-vt100}"

mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Without /dev/console in the archive, init starts with no stdio.
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t securityfs securityfs /sys/kernel/security
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up 2>/dev/null
hostname secimport-vm

cat >/etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >/etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >/etc/nsswitch.conf
printf '127.0.0.1 localhost\n::1 localhost\n' >/etc/hosts

# shellcheck source=/dev/null # written by run.sh
. /src/vm.conf

echo # the BIOS leaves the console mid-line

echo "# vm: kernel $(uname -r) ($(uname -v))"
echo "# vm: lsm $(cat /sys/kernel/security/lsm 2>&1)"
if [ -e /sys/kernel/btf/vmlinux ]; then
	echo "# vm: /sys/kernel/btf/vmlinux present ($(stat -c %s /sys/kernel/btf/vmlinux) bytes)"
else
	echo "# vm: /sys/kernel/btf/vmlinux MISSING"
fi
echo "# vm: $(nproc) cpus, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MB, $($VM_PYTHON --version 2>&1)"
if [ -x /src/bin/lsm_check ]; then
	/src/bin/lsm_check 2>&1 | sed 's/^/# vm: lsm_check: /'
fi

if [ "$VM_SHELL" = 1 ]; then
	echo "# vm: shell; the suite: bash /src/tests/e2e/run.sh /src/bin/secimport-bpf [TEST...]"
	echo "# vm: 'poweroff -f' (or exit) ends the VM"
	export SECIMPORT_TEST_PYTHON="$VM_PYTHON"
	cd /src && setsid cttyhack /bin/sh -l
	poweroff -f
fi

echo SECIMPORT-VM-BEGIN
# Kernel messages would land in the middle of the TAP stream: only
# emergencies go to the console now; the rest is shown after the suite.
echo 1 >/proc/sys/kernel/printk
nmsg=$(dmesg -s 1048576 | wc -l)
cd /src || exit 1
if [ -n "${VM_EXEC:-}" ]; then
	sh -c "$VM_EXEC"
	rc=$?
elif [ "${VM_BENCH:-0}" = 1 ]; then
	# What the hooks cost an uncovered process here, with BPF LSM live.
	BENCH_PYTHON=$VM_PYTHON bash /src/bench/hook-cost.sh /src/bin/secimport-bpf /src/bin/syscall_loop
	rc=$?
else
	# This kernel runs BPF LSM (lsm_check above): the deny tests must run, not skip.
	# shellcheck disable=SC2086 # VM_TESTS is a list of names
	# Software emulation: tests that repeat a workload may do less of it.
	SECIMPORT_TEST_REQUIRE_LSM=1 SECIMPORT_TEST_SLOW=1 SECIMPORT_TEST_PYTHON=$VM_PYTHON \
		bash /src/tests/e2e/run.sh /src/bin/secimport-bpf $VM_TESTS
	rc=$?
	# A loaded system on this kernel: deny through secure_import, and the
	# registration guard through BPF LSM (6.1 has no cgroup connect_unix).
	if [ -n "$VM_SYSTEM_TESTS" ]; then
		# shellcheck disable=SC2086 # a list of names
		SECIMPORT_TEST_PYTHON=$VM_PYTHON bash /src/tests/e2e/system.sh /src/bin/secimport-bpf \
			/src/bin/libsecimport.so $VM_SYSTEM_TESTS || rc=1
	fi
fi
echo SECIMPORT-VM-END
# Kernel warnings and errors logged while the suite ran.
dmesg -s 1048576 -r | tail -n +$((nmsg + 1)) | grep -E '^<[0-4]>' | tail -n 40 | sed 's/^/# vm: dmesg: /'
echo "SECIMPORT-VM-RESULT rc=$rc"
# Let the UART drain before the machine goes away.
usleep 200000
poweroff -f
echo o >/proc/sysrq-trigger

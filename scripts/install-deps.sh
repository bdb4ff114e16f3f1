#!/bin/sh
# Install the Debian packages secimport-bpf builds and tests with.
# Quick when everything is there already: apt-get runs only for what is missing.
set -eu

PACKAGES="make gcc clang llvm binutils libbpf-dev bpftool libelf-dev zlib1g-dev \
libyaml-dev libcmocka-dev clang-format shellcheck python3.11 python3-venv python3-pip python3-setuptools \
qemu-system-x86 busybox-static cpio nodejs libpython3.11-testsuite python3-numpy"

# The VM suite downloads Debian's cloud kernel: it needs package lists.
need_lists=false
apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || need_lists=true

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# The manifests' schema check uses npm (some nodejs builds bundle it).
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && ! $need_lists && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "secimport-bpf: missing packages:$missing; run as root (sudo) to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
[ -z "$missing" ] && exit 0
echo "secimport-bpf: installing$missing"
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

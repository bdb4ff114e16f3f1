#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# get-python-sid.sh [--no-dev] DEST VERSION...
#
# Make Debian unstable's (sid's) CPython VERSION (3.14, 3.15, ...) runnable
# on an older Debian host without installing anything: the packages are
# downloaded with a private apt configuration and unpacked into
# DEST/VERSION, together with sid's libc and the libraries the standard
# library's extension modules link. The interpreter is then patched
# (patchelf) to use DEST/VERSION's dynamic loader and libraries.
#
#   scripts/get-python-sid.sh .output/pythons 3.14 3.15
#
# prints one interpreter path per VERSION, e.g.
# .output/pythons/3.14/usr/bin/python3.14. The headers
# (DEST/VERSION/usr/include/python3.X, with internal/) come with it, from
# python3.X-dev and libpython3.X-dev; --no-dev leaves them out.
#
# Idempotent: a complete DEST/VERSION (it has the stamp file
# .get-python-sid.stamp, which lists the unpacked packages) is left alone
# and only its path is printed. A half-made one (it has
# .get-python-sid.partial) is removed and made again.
#
# The system is not changed: the sid package lists, apt's caches and its
# (empty) dpkg status live in a temporary directory; the system's
# sources.list only tells which mirror to use (the entry for the host's
# own release). apt's hooks from /etc/apt/apt.conf.d are switched off for
# these runs. If patchelf is not installed, the host release's patchelf is
# downloaded with the system's apt configuration (its package lists must
# be there) and unpacked into the temporary directory.
#
# Environment:
#   SID_MIRROR  Debian mirror to use instead of the one in sources.list
#               (e.g. http://deb.debian.org/debian)
#   PATCHELF    patchelf to use
set -Eeuo pipefail

prog=${0##*/}
stamp_name=.get-python-sid.stamp
partial_name=.get-python-sid.partial
tmp=

die()
{
	echo "$prog: $*" >&2
	exit 1
}

note()
{
	echo "$prog: $*" >&2
}

cleanup()
{
	if [[ -n $tmp ]]; then
		rm -rf "$tmp"
	fi
}

usage()
{
	echo "usage: $prog [--no-dev] DEST VERSION..." >&2
	echo "  e.g. $prog .output/pythons 3.14 3.15" >&2
	exit 2
}

trap 'die "unexpected failure at line $LINENO (exit status $?)"' ERR
trap cleanup EXIT
trap 'exit 1' INT TERM

# The mirror of the host's own Debian release, from the system's sources
# (one-line .list and deb822 .sources). Prints "URI KEYRING" (KEYRING is
# "-" when the entry names no keyring file). An entry whose suite is the
# host's codename wins; otherwise the first one whose suite has no "-"
# (not -updates, -security, -backports) and whose URI is no security
# archive.
find_mirror()
{
	local codename=$1
	local files=()
	local f

	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		if [[ -f $f ]]; then
			files+=("$f")
		fi
	done
	((${#files[@]})) || return 0

	awk -v codename="$codename" '
	function consider(types, uris, suites, comps, key,    n, t, i, j, u, s, nu, ns, uu, ss, prio) {
		if (types !~ /(^|[ \t])deb([ \t]|$)/ || comps !~ /(^|[ \t])main([ \t]|$)/)
			return
		nu = split(uris, uu, /[ \t]+/)
		ns = split(suites, ss, /[ \t]+/)
		for (i = 1; i <= nu; i++) {
			u = uu[i]
			if (u !~ /^https?:\/\//)
				continue
			for (j = 1; j <= ns; j++) {
				s = ss[j]
				if (s == "")
					continue
				if (s == codename)
					prio = 1
				else if (s !~ /-/ && u !~ /security/)
					prio = 2
				else
					continue
				if (!(prio in best)) {
					best[prio] = u " " (key == "" ? "-" : key)
				}
			}
		}
	}
	function flush() {
		if (dtypes != "" && denabled !~ /^[Nn][Oo]$/)
			consider(dtypes, duris, dsuites, dcomps, dkey)
		dtypes = duris = dsuites = dcomps = dkey = denabled = ""
	}
	FNR == 1 { flush() }
	FILENAME ~ /\.sources$/ {
		if ($0 ~ /^[ \t]*$/) { flush(); next }
		if ($0 ~ /^#/ || $0 ~ /^[ \t]/)
			next
		field = tolower($0); sub(/:.*/, "", field)
		value = $0; sub(/^[^:]*:[ \t]*/, "", value); sub(/[ \t]+$/, "", value)
		if (field == "types") dtypes = value
		else if (field == "uris") duris = value
		else if (field == "suites") dsuites = value
		else if (field == "components") dcomps = value
		else if (field == "enabled") denabled = value
		else if (field == "signed-by" && value ~ /^\//) dkey = value
		next
	}
	{
		sub(/#.*/, "")
		if ($1 != "deb")
			next
		key = ""
		i = 2
		if ($2 ~ /^\[/) {
			for (; i <= NF; i++) {
				if ($i ~ /^\[?signed-by=/) {
					key = $i; sub(/^\[?signed-by=/, "", key); sub(/\]$/, "", key)
				}
				if ($i ~ /\]$/) { i++; break }
			}
		}
		uri = $i; suite = $(i + 1); comps = ""
		for (j = i + 2; j <= NF; j++)
			comps = comps " " $j
		consider("deb", uri, suite, comps, key)
	}
	END {
		flush()
		if (1 in best) print best[1]
		else if (2 in best) print best[2]
	}' "${files[@]}"
}

# The architecture's multiarch triplet (x86_64-linux-gnu).
find_multiarch()
{
	local m

	if m=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null) && [[ -n $m ]]; then
		echo "$m"
		return
	fi
	m=$(uname -m)
	case $m in
	x86_64 | aarch64 | riscv64 | ppc64le | s390x) echo "$m-linux-gnu" ;;
	*) die "cannot tell the multiarch triplet of $m (install dpkg-dev for dpkg-architecture)" ;;
	esac
}

# Candidate versions in the private (sid) lists: "package version" for
# each package of "$@" that sid has.
sid_candidates()
{
	apt-cache -c "$conf" policy "$@" 2>/dev/null | awk '
	/^[^ \t].*:$/ { pkg = $0; sub(/:$/, "", pkg); next }
	$1 == "Candidate:" && $2 != "(none)" && pkg != "" { print pkg, $2; pkg = "" }'
}

# Make absolute symlinks under $1 whose target exists under $1 point there
# (relative), so that e.g. sitecustomize.py -> /etc/python3.X/... stays in
# the tree instead of reaching into the host's /etc.
relink_absolute()
{
	local root=$1 link target rel

	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		[[ -e $root$target || -L $root$target ]] || continue
		rel=$(realpath -s -m --relative-to="$(dirname "$link")" "$root$target")
		ln -sfn "$rel" "$link"
	done < <(find "$root" -type l -lname '/*' -print0)
}

get_patchelf()
{
	local dir=$tmp/patchelf

	if [[ -n ${PATCHELF:-} ]]; then
		echo "$PATCHELF"
		return
	fi
	if command -v patchelf >/dev/null 2>&1; then
		command -v patchelf
		return
	fi
	note "patchelf is not installed; downloading the host release's patchelf (not installing it)"
	mkdir -p "$dir/debs" "$dir/cache/archives/partial" "$dir/root"
	prepare_download_dir "$dir/debs"
	# The system's apt configuration, but its caches kept private.
	if ! (cd "$dir/debs" && apt-get -q -o Dir::Cache="$dir/cache" download patchelf >&2); then
		die "cannot download patchelf with the system's apt configuration;" \
			"install patchelf, or make the system's package lists available" \
			"(apt-get update), or set PATCHELF"
	fi
	dpkg -x "$dir"/debs/patchelf_*.deb "$dir/root" ||
		die "cannot unpack the downloaded patchelf package"
	[[ -x $dir/root/usr/bin/patchelf ]] || die "the patchelf package has no usr/bin/patchelf"
	echo "$dir/root/usr/bin/patchelf"
}

# apt downloads as user _apt when run as root: let it write there.
prepare_download_dir()
{
	if ((EUID == 0)) && id _apt >/dev/null 2>&1; then
		chmod 0755 "$tmp"
		chown _apt "$1"
	fi
}

# The packages of CPython $1 (3.X): required ones, then optional ones.
required_pkgs()
{
	echo "python$1-minimal libpython$1-minimal libpython$1-stdlib libc6"
}

optional_pkgs()
{
	echo "python$1 libssl3t64 libexpat1 zlib1g libzstd1 libgcc-s1 libffi8 liblzma5" \
		"libbz2-1.0 libncursesw6 libtinfo6 libreadline8t64 libsqlite3-0 libuuid1" \
		"libdb5.3t64"
	if $with_dev; then
		echo "python$1-dev libpython$1-dev libpython$1"
	fi
}

stamp_ok()
{
	local stamp=$1/$stamp_name

	[[ -f $stamp ]] || return 1
	if $with_dev; then
		grep -qx 'dev=yes' "$stamp" || return 1
	fi
	return 0
}

with_dev=true
while (($#)); do
	case $1 in
	--no-dev) with_dev=false ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "$prog: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
	shift
done
(($# >= 2)) || usage
dest=$1
shift
for v in "$@"; do
	[[ $v =~ ^3\.[0-9]+$ ]] || die "$v is not a CPython version like 3.14"
done

mkdir -p "$dest" || die "cannot create $dest"
dest_abs=$(realpath "$dest")
[[ $dest_abs != *:* ]] || die "$dest_abs contains ':', which cannot be in an rpath"

# Only versions not complete yet need apt.
todo=()
for v in "$@"; do
	root=$dest/$v
	if stamp_ok "$root"; then
		continue
	fi
	if [[ -e $root && ! -e $root/$partial_name && ! -e $root/$stamp_name ]] &&
		[[ ! -d $root || -n $(ls -A "$root") ]]; then
		die "$root exists but was not made by $prog; remove it or choose another DEST"
	fi
	todo+=("$v")
done
if ((${#todo[@]} == 0)); then
	for v in "$@"; do
		echo "$dest/$v/usr/bin/python$v"
	done
	exit 0
fi

for cmd in apt-get apt-cache dpkg awk realpath; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd is needed (this script is for Debian hosts)"
done
arch=$(dpkg --print-architecture)
multiarch=$(find_multiarch)
codename=$(awk -F= '$1 == "VERSION_CODENAME" { gsub(/"/, "", $2); print $2 }' \
	/etc/os-release 2>/dev/null || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/get-python-sid.XXXXXX")
patchelf=$(get_patchelf) || exit 1

if [[ -n ${SID_MIRROR:-} ]]; then
	mirror=$SID_MIRROR
	keyring=-
else
	read -r mirror keyring < <(find_mirror "$codename") || true
	[[ -n ${mirror:-} ]] ||
		die "no Debian mirror found in /etc/apt/sources.list{,.d/*.list,.d/*.sources}" \
			"(looked for a deb entry of suite ${codename:-?} with component main);" \
			"set SID_MIRROR, e.g. SID_MIRROR=http://deb.debian.org/debian"
fi
note "mirror $mirror, suite sid, architecture $arch"

# The private apt configuration: sid's lists, caches and an empty dpkg
# status, all under $tmp. Proxies and the like from /etc/apt/apt.conf.d
# still apply, their hooks do not (they would act on the system).
conf=$tmp/apt.conf
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/sources.list.d" \
	"$tmp/preferences.d" "$tmp/debs"
: >"$tmp/status"
: >"$tmp/preferences"
if [[ $keyring == - ]]; then
	echo "deb $mirror sid main" >"$tmp/sources.list"
else
	echo "deb [signed-by=$keyring] $mirror sid main" >"$tmp/sources.list"
fi
cat >"$conf" <<EOF
Dir::State "$tmp";
Dir::State::Lists "$tmp/lists";
Dir::State::status "$tmp/status";
Dir::Cache "$tmp/cache";
Dir::Etc::SourceList "$tmp/sources.list";
Dir::Etc::SourceParts "$tmp/sources.list.d";
Dir::Etc::Preferences "$tmp/preferences";
Dir::Etc::PreferencesParts "$tmp/preferences.d";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
Acquire::Languages "none";
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
#clear DPkg::Pre-Install-Pkgs;
EOF

if ! apt-get -q -c "$conf" update >&2; then
	die "apt-get update of sid from $mirror failed (network? mirror? keyring" \
		"${keyring}?); set SID_MIRROR to another Debian mirror to retry"
fi

# What sid has, for all versions at once.
declare -A want=()
for v in "${todo[@]}"; do
	for p in $(required_pkgs "$v") $(optional_pkgs "$v"); do
		want[$p]=1
	done
done
declare -A cand=()
while read -r p ver; do
	cand[$p]=$ver
done < <(sid_candidates "${!want[@]}")

declare -A get=()
for v in "${todo[@]}"; do
	for p in $(required_pkgs "$v"); do
		[[ -n ${cand[$p]:-} ]] ||
			die "sid has no $p: CPython $v is not (or no longer) in sid;" \
				"see https://packages.debian.org/sid/$p"
		get[$p]=1
	done
	for p in $(optional_pkgs "$v"); do
		if [[ -n ${cand[$p]:-} ]]; then
			get[$p]=1
		else
			note "sid has no $p; CPython $v goes without it" \
				"(a stdlib module that needs it may fail to import)"
		fi
	done
done

prepare_download_dir "$tmp/debs"
if ! (cd "$tmp/debs" && apt-get -q -c "$conf" download "${!get[@]}" >&2); then
	die "apt-get download from sid failed (see apt's messages above); retry," \
		"or set SID_MIRROR to another Debian mirror"
fi

for v in "${todo[@]}"; do
	root=$dest/$v
	root_abs=$dest_abs/$v
	# Ours (checked above) but incomplete, or complete without headers.
	if [[ -e $root ]]; then
		rm -rf "$root"
	fi
	mkdir -p "$root"
	: >"$root/$partial_name"

	pkgs=()
	for p in $(required_pkgs "$v") $(optional_pkgs "$v"); do
		if [[ -n ${get[$p]:-} ]]; then
			pkgs+=("$p")
		fi
	done
	for p in "${pkgs[@]}"; do
		debs=("$tmp/debs/${p}_"*.deb)
		[[ -f ${debs[0]} ]] || die "apt-get download left no .deb for $p"
		dpkg -x "${debs[0]}" "$root" || die "cannot unpack ${debs[0]##*/} into $root"
	done
	relink_absolute "$root"

	python=$root/usr/bin/python$v
	libdir=$root_abs/usr/lib/$multiarch
	[[ -f $python ]] || die "python$v-minimal has no usr/bin/python$v"
	interp=$("$patchelf" --print-interpreter "$python") ||
		die "cannot read the ELF interpreter of $python"
	loader=$libdir/${interp##*/}
	[[ -e $loader ]] || die "sid's libc6 has no ${interp##*/} in usr/lib/$multiarch"
	"$patchelf" --set-interpreter "$loader" --force-rpath --set-rpath "$libdir" "$python" ||
		die "patchelf failed on $python"

	check='import ssl, sqlite3, ctypes, json, threading, socket, subprocess; print("ok")'
	if ! out=$("$python" -c "$check" 2>&1) || [[ $out != ok ]]; then
		echo "$out" >&2
		die "CPython $v in $root does not work (the check" \
			"'python$v -c \"$check\"' did not print ok); a library it needs" \
			"may be missing from sid or from the package list in $prog"
	fi

	{
		echo "# made by $prog from $mirror sid"
		echo "dev=$($with_dev && echo yes || echo no)"
		for p in "${pkgs[@]}"; do
			echo "$p ${cand[$p]}"
		done
	} >"$root/$stamp_name"
	rm -f "$root/$partial_name"
done

for v in "$@"; do
	echo "$dest/$v/usr/bin/python$v"
done

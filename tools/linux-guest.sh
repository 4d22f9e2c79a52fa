#!/usr/bin/env bash
# Build the Linux guest image used by flexvm's boot tests (tests/boot), cached in OUTDIR.
#
#   tools/linux-guest.sh OUTDIR
#
# Produces, from Debian 12 packages fetched with `apt-get download`:
#   OUTDIR/bzImage      the kernel as Debian ships it (Linux boot protocol)
#   OUTDIR/vmlinux      the ELF inside that bzImage (flexvm and QEMU boot it via PVH)
#   OUTDIR/initrd.img   gzip'd newc cpio: busybox-static, virtio modules, /init
#   OUTDIR/modules/     the virtio modules that went into the initrd
#   OUTDIR/config       the kernel configuration (what the guest kernel can parse)
#   OUTDIR/linux-guest.stamp           package versions + recipe hash (the cache key)
#
# Environment:
#   FLEXVM_LINUX_FLAVOUR  "amd64" (default) or "cloud". Debian 12's cloud kernel is built
#                         without CONFIG_X86_MPPARSE, so it ignores MP tables and would see a
#                         single CPU on flexvm, which describes CPUs with an MP table and no
#                         ACPI. The generic amd64 kernel parses MP tables. "cloud" falls back
#                         to amd64 when the cloud package cannot be resolved.
#
# Exit status: 0 on success, 75 (EX_TEMPFAIL) when the packages cannot be resolved or
# downloaded (no network or no mirror: callers may skip), anything else is a real failure.
set -euo pipefail

readonly EX_TEMPFAIL=75
# The virtio drivers flexvm's devices need, by module name. The load order is derived
# from each module's own `depends=` list, not from this order.
readonly WANTED_MODULES=(virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev
	virtio_pci virtio_mem virtio_console virtio_blk virtio_rng)
readonly STAMP_NAME=linux-guest.stamp
readonly PRODUCTS=(bzImage vmlinux initrd.img config)

note() { echo "linux-guest: $*" >&2; }
die() {
	note "error: $*"
	exit 1
}
tempfail() {
	note "error: $*"
	exit "$EX_TEMPFAIL"
}

[[ $# -eq 1 ]] || {
	echo "usage: $0 OUTDIR" >&2
	exit 2
}
flavour=${FLEXVM_LINUX_FLAVOUR:-amd64}
case "$flavour" in
amd64 | cloud) ;;
*) die "FLEXVM_LINUX_FLAVOUR must be amd64 or cloud, not '$flavour'" ;;
esac

mkdir -p "$1"
OUTDIR=$(realpath "$1")
SCRIPT=$(realpath "${BASH_SOURCE[0]}")

# Two test sessions sharing a build dir must not interleave their writes.
exec 9>"$OUTDIR/.linux-guest.lock"
flock 9

# Install a tool only when it is missing, and only the package that provides it.
need_cmd() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null 2>&1 && return 0
	[[ $(id -u) -eq 0 ]] || die "'$cmd' is missing; install the Debian package '$pkg'"
	note "installing $pkg (for $cmd)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2 ||
		{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2; } ||
		die "cannot install $pkg"
}

apt_updated=0
# apt-get update is slow and touches the system, so run it at most once, and only after a
# look-up or download failed (missing or stale package lists).
apt_update_once() {
	[[ $apt_updated -eq 0 ]] || return 1
	apt_updated=1
	note "refreshing package lists (apt-get update)"
	apt-get update -q >&2 || return 1
}

# Concrete kernel package that a Debian meta package depends on, e.g.
# linux-image-amd64 -> linux-image-6.1.0-56-amd64.
kernel_of_meta() {
	apt-cache depends "$1" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

candidate_version() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}

resolve_packages() {
	local meta metas=(linux-image-amd64)
	[[ $flavour == cloud ]] && metas=(linux-image-cloud-amd64 linux-image-amd64)
	kpkg=
	for meta in "${metas[@]}"; do
		kpkg=$(kernel_of_meta "$meta")
		[[ -z $kpkg ]] || break
		note "cannot resolve $meta"
	done
	[[ -n $kpkg ]] || return 1
	kver=$(candidate_version "$kpkg")
	bver=$(candidate_version busybox-static)
	[[ -n $kver && -n $bver ]]
}

need_cmd apt-get apt
need_cmd dpkg-deb dpkg
need_cmd flock util-linux

recipe=$(sha256sum "$SCRIPT" | cut -d' ' -f1)
stamp_of() { printf 'kernel=%s %s\nbusybox=busybox-static %s\nrecipe=%s\n' "$1" "$2" "$3" "$recipe"; }

image_complete() {
	local f
	for f in "${PRODUCTS[@]}" "$STAMP_NAME"; do [[ -s $OUTDIR/$f ]] || return 1; done
}

print_products() {
	local f
	for f in "${PRODUCTS[@]}"; do echo "$OUTDIR/$f"; done
	echo "$OUTDIR/modules/"
}

if ! resolve_packages; then
	if ! apt_update_once || ! resolve_packages; then
		# Offline with a finished image: keep using it rather than failing the tests.
		if image_complete; then
			echo "linux-guest: $OUTDIR is complete; package versions could not be checked (no apt lists), using it as built from: $(head -1 "$OUTDIR/$STAMP_NAME")"
			exit 0
		fi
		tempfail "cannot resolve the kernel and busybox-static packages with apt-cache"
	fi
fi
if image_complete && [[ $(cat "$OUTDIR/$STAMP_NAME") == "$(stamp_of "$kpkg" "$kver" "$bver")" ]]; then
	echo "linux-guest: $OUTDIR is up to date ($kpkg $kver, busybox-static $bver)"
	exit 0
fi
note "building from $kpkg $kver and busybox-static $bver"

tmp=$(mktemp -d "$OUTDIR/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs"
# apt drops to the _apt user for downloads; letting it write here avoids the
# "Download is performed unsandboxed" warning without disabling the sandbox.
if [[ $(id -u) -eq 0 ]] && id _apt >/dev/null 2>&1; then
	chmod 755 "$tmp"
	chown _apt "$tmp/debs"
fi

download() {
	(cd "$tmp/debs" && apt-get download -q "$kpkg=$kver" "busybox-static=$bver" >&2)
}
if ! download; then
	# Stale lists name versions the mirror no longer has (security updates replace the
	# kernel ABI package): refresh once and resolve again.
	if ! { apt_update_once && resolve_packages && download; }; then
		tempfail "cannot download $kpkg and busybox-static (no network to the Debian mirror?)"
	fi
fi
kdeb=$(ls "$tmp"/debs/"${kpkg}"_*.deb)
bdeb=$(ls "$tmp"/debs/busybox-static_*.deb)
# The stamp must name what was really fetched, not what the lists promised.
kver=$(dpkg-deb -f "$kdeb" Version)
bver=$(dpkg-deb -f "$bdeb" Version)

dpkg-deb -x "$kdeb" "$tmp/kernel"
dpkg-deb -x "$bdeb" "$tmp/busybox"
uname_r=$(basename "$(ls -d "$tmp"/kernel/lib/modules/*/)")
kboot=$tmp/kernel/boot
[[ -f $kboot/vmlinuz-$uname_r ]] || die "no /boot/vmlinuz-$uname_r in $kpkg"
grep -q '^CONFIG_X86_MPPARSE=y' "$kboot/config-$uname_r" ||
	note "warning: $uname_r lacks CONFIG_X86_MPPARSE: it will not read flexvm's MP table (one CPU only)"

mkdir -p "$tmp/out"
cp "$kboot/vmlinuz-$uname_r" "$tmp/out/bzImage"
cp "$kboot/config-$uname_r" "$tmp/out/config"

# --- vmlinux: the ELF that the bzImage decompresses --------------------------------
# Boot protocol (Documentation/x86/boot.rst): setup_sects at 0x1f1 (0 means 4), "HdrS" at
# 0x202, version at 0x206; since 2.08 payload_offset/payload_length at 0x248/0x24c give the
# compressed kernel's place relative to the protected-mode code at (setup_sects+1)*512.
le() { od -An -v -t "u$2" -j "$(($3))" -N "$2" "$1" | tr -d ' \n'; }

extract_vmlinux() {
	local bz=$1 out=$2 payload=$tmp/payload
	[[ $(dd if="$bz" bs=1 skip=$((0x202)) count=4 status=none) == HdrS ]] ||
		die "bzImage has no HdrS header"
	local version setup_sects offset length start
	version=$(le "$bz" 2 0x206)
	((version >= 0x208)) || die "boot protocol $(printf %#x "$version") has no payload fields"
	setup_sects=$(le "$bz" 1 0x1f1)
	((setup_sects != 0)) || setup_sects=4
	offset=$(le "$bz" 4 0x248)
	length=$(le "$bz" 4 0x24c)
	start=$(((setup_sects + 1) * 512 + offset))
	(($(stat -c %s "$bz") >= start + length)) || die "payload runs past the end of the bzImage"
	dd if="$bz" of="$payload" iflag=skip_bytes,count_bytes skip="$start" count="$length" \
		bs=1M status=none
	# Every format's payload ends in the little-endian size of the decompressed image:
	# gzip's own ISIZE trailer, and for the others the 4 bytes that the kernel's
	# *_with_size make rules append after the stream. Strip those 4 bytes for the latter
	# so each tool sees exactly one clean stream.
	local want magic body=$tmp/payload.body
	want=$(le "$payload" 4 $((length - 4)))
	magic=$(od -An -v -t x1 -N 6 "$payload" | tr -d ' \n')
	dd if="$payload" of="$body" iflag=count_bytes count=$((length - 4)) bs=1M status=none
	case "$magic" in
	1f8b*) need_cmd gzip gzip && note "payload: gzip" && gzip -dc <"$payload" >"$out" ;;
	fd377a585a00) need_cmd xz xz-utils && note "payload: xz" && xz -dc <"$body" >"$out" ;;
	28b52ffd*) need_cmd zstd zstd && note "payload: zstd" && zstd -dcq <"$body" >"$out" ;;
	02214c18*) need_cmd lz4 lz4 && note "payload: lz4 (legacy frame)" && lz4 -dcq <"$body" >"$out" ;;
	425a68*) need_cmd bzip2 bzip2 && note "payload: bzip2" && bzip2 -dc <"$body" >"$out" ;;
	5d0000*) need_cmd xz xz-utils && note "payload: lzma" && xz -dc --format=lzma <"$body" >"$out" ;;
	894c5a4f*) need_cmd lzop lzop && note "payload: lzo" && lzop -dc <"$body" >"$out" ;;
	*) die "unknown compressed payload (first bytes $magic)" ;;
	esac
	[[ $(od -An -v -t x1 -N 4 "$out" | tr -d ' \n') == 7f454c46 ]] || die "decompressed payload is not an ELF"
	[[ $(stat -c %s "$out") -eq $want ]] ||
		die "decompressed payload is $(stat -c %s "$out") bytes, the bzImage says $want"
	rm -f "$payload" "$body"
}
extract_vmlinux "$tmp/out/bzImage" "$tmp/out/vmlinux"
# PVH boot needs XEN_ELFNOTE_PHYS32_ENTRY (type 0x12); check it when binutils is around.
if command -v readelf >/dev/null 2>&1; then
	readelf -n "$tmp/out/vmlinux" | grep -q '0x00000012' ||
		die "vmlinux has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)"
fi

# --- modules ------------------------------------------------------------------------
moddir=$tmp/kernel/lib/modules/$uname_r
mkdir -p "$tmp/out/modules"

# Module names use '_', file names may use '-' (virtio_rng is virtio-rng.ko).
find_module() {
	find "$moddir/kernel" \( -name "$1.ko*" -o -name "${1//_/-}.ko*" \) -print -quit
}
builtin_module() {
	grep -Eq "/(${1}|${1//_/-})\.ko\$" "$moddir/modules.builtin"
}
# .modinfo is a run of NUL-terminated key=value strings inside the .ko.
modinfo_field() { tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -1; }

declare -A have=() deps=()
queue=("${WANTED_MODULES[@]}")
visited=() # processing order, so the load order does not depend on hash order
while ((${#queue[@]})); do
	m=${queue[0]}
	queue=("${queue[@]:1}")
	[[ -z ${have[$m]:-} ]] || continue
	visited+=("$m")
	src=$(find_module "$m")
	if [[ -z $src ]]; then
		if builtin_module "$m"; then
			note "module $m: built into the kernel"
		else
			note "module $m: not in $kpkg, skipped"
		fi
		have[$m]="absent"
		continue
	fi
	dst=$tmp/out/modules/$m.ko
	case "$src" in
	*.ko.xz) need_cmd xz xz-utils && xz -dc "$src" >"$dst" ;;
	*.ko.zst) need_cmd zstd zstd && zstd -dcq "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	have[$m]="file"
	deps[$m]=$(modinfo_field "$dst" depends | tr ',' ' ')
	# A dependency outside the wanted list (e.g. a modular rng-core) comes along.
	for d in ${deps[$m]}; do queue+=("${d//-/_}"); done
done

# Dependency order: repeatedly emit the modules whose dependencies are already emitted.
order=()
declare -A emitted=()
while :; do
	progress=0
	for m in "${visited[@]}"; do
		[[ ${have[$m]} == file && -z ${emitted[$m]:-} ]] || continue
		ready=1
		for d in ${deps[$m]}; do
			d=${d//-/_}
			[[ ${have[$d]:-} != file || -n ${emitted[$d]:-} ]] || ready=0
		done
		((ready)) || continue
		order+=("$m")
		emitted[$m]=1
		progress=1
	done
	((progress)) || break
done
for m in "${visited[@]}"; do
	[[ ${have[$m]} != file || -n ${emitted[$m]:-} ]] || die "module dependency cycle at $m"
done
note "module load order: ${order[*]}"

# --- initrd --------------------------------------------------------------------------
need_cmd cpio cpio
need_cmd gzip gzip
root=$tmp/initrd
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,lib/modules/flexvm}
cp "$tmp/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
for m in "${order[@]}"; do cp "$tmp/out/modules/$m.ko" "$root/lib/modules/flexvm/"; done
printf '%s\n' "${order[@]}" >"$root/lib/modules/flexvm/load-order"
# The kernel opens /dev/console before /init runs. Debian's built-in initramfs has the
# node already; add it too when we may create device nodes, so we do not depend on that.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || note "cannot mknod /dev/console (not root); relying on the kernel's built-in one"

cat >"$root/init" <<'EOF'
#!/bin/sh
# flexvm test initrd. Tests wait for the "ready" marker on the serial console.
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/modules/flexvm/load-order); do
	insmod "/lib/modules/flexvm/$m.ko" || echo "flexvm-linux-init: insmod $m failed"
done
echo "flexvm-linux-init: ready"
# Tests that only need the marker ask for a power-off instead of a shell. Dotted
# parameters are module parameters to the kernel, so they reach us only via /proc/cmdline.
case " $(cat /proc/cmdline) " in
*" flexvm.poweroff=1 "*)
	poweroff -f
	echo "flexvm-linux-init: poweroff -f returned"
	;;
esac
# init must never exit (the kernel panics), so respawn the shell.
while :; do
	setsid cttyhack sh
done
EOF
chmod 755 "$root/init"

# Fixed owners and mtimes give the same bytes for the same inputs, so the initrd's size
# (which tests compare with the kernel's RAMDISK line) only changes with its contents.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n >"$tmp/out/initrd.img"

# --- publish ------------------------------------------------------------------------
# Remove the stamp first and write it last: an interrupted run leaves no stamp, so the
# next run rebuilds instead of trusting half-written files.
rm -f "$OUTDIR/$STAMP_NAME"
rm -rf "$OUTDIR/modules"
for f in "${PRODUCTS[@]}" modules; do mv "$tmp/out/$f" "$OUTDIR/$f"; done
stamp_of "$kpkg" "$kver" "$bver" >"$OUTDIR/$STAMP_NAME.tmp"
mv "$OUTDIR/$STAMP_NAME.tmp" "$OUTDIR/$STAMP_NAME"
note "built from $kpkg $kver ($uname_r), busybox-static $bver"
print_products

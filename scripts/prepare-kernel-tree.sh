#!/usr/bin/env bash
# Prepares a kernel tree for out-of-tree module builds from a Debian linux-source tarball: extract, apply
# patches, configure for ARCH, then modules_prepare (or, with --image, build the kernel image and
# Module.symvers too). For targets Debian ships no headers for on this machine (arm64 on an amd64 host)
# and for kernels that carry kbackport's core patches. Reuses DIR when prepared the same way before.
#
#   scripts/prepare-kernel-tree.sh [--config defconfig|tinyconfig] [--patch FILE]... [--image] \
#       TARBALL DIR ARCH [CONFIG_X=y ...]
#
# ARCH: x86, arm64, arm, or mipsel (little-endian MIPS).
set -euo pipefail

base=defconfig
image=0
patches=()
while [ $# -gt 0 ]; do
  case "$1" in
    --config) base=$2; shift 2 ;;
    --patch) patches+=("$(realpath "$2")"); shift 2 ;;
    --image) image=1; shift ;;
    --) shift; break ;;
    -*) echo "prepare-kernel-tree.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
usage="usage: prepare-kernel-tree.sh [--config C] [--patch FILE]... [--image] TARBALL DIR ARCH [CONFIG_X=y ...]"
tarball=${1:?$usage}
dir=${2:?$usage}
arch=${3:?$usage}
shift 3
[ -f "$tarball" ] || { echo "prepare-kernel-tree.sh: $tarball not found" >&2; exit 1; }

# ARCH for make, and Debian's cross toolchain; mipsel is little-endian MIPS (its config sets CPU_LITTLE_ENDIAN).
karch=$arch
case "$arch" in
  arm64) cross=aarch64-linux-gnu- ;;
  arm) cross=arm-linux-gnueabihf- ;;
  mipsel) karch=mips; cross=mipsel-linux-gnu- ;;
  x86) cross= ;;
  *) echo "prepare-kernel-tree.sh: no default toolchain for ARCH=$arch" >&2; exit 1 ;;
esac
stamp="$(basename "$tarball") $(stat -c '%s %Y' "$tarball") $arch $base image=$image $*"
for p in "${patches[@]}"; do stamp+=" $(basename "$p"):$(sha256sum < "$p" | cut -c1-16)"; done
if [ -f "$dir/.kbackport-prepared" ] && [ "$(cat "$dir/.kbackport-prepared")" = "$stamp" ]; then
  exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
tar -xJf "$tarball" -C "$dir" --strip-components=1
for p in "${patches[@]}"; do patch -d "$dir" -p1 --batch --forward --quiet < "$p"; done
make -s -C "$dir" ARCH="$karch" CROSS_COMPILE="$cross" "$base"
for setting in "$@"; do
  "$dir/scripts/config" --file "$dir/.config" --set-val "${setting%%=*}" "${setting#*=}"
done
make -s -C "$dir" ARCH="$karch" CROSS_COMPILE="$cross" olddefconfig
if [ "$image" = 1 ]; then
  make -s -C "$dir" ARCH="$karch" CROSS_COMPILE="$cross" -j"$(nproc)" all
else
  make -s -C "$dir" ARCH="$karch" CROSS_COMPILE="$cross" -j"$(nproc)" modules_prepare
fi
echo "$stamp" > "$dir/.kbackport-prepared"

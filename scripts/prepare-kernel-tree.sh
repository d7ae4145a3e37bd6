#!/usr/bin/env bash
# Prepares a kernel tree for out-of-tree module builds from a Debian linux-source tarball: extract,
# defconfig for ARCH, then modules_prepare. For targets Debian ships no headers for on this machine
# (arm64 on an amd64 host). Reuses DIR when it was prepared from the same tarball and ARCH.
#
#   scripts/prepare-kernel-tree.sh /usr/src/linux-source-5.10.tar.xz DIR arm64 [CONFIG_X=y ...]
set -euo pipefail

tarball=${1:?usage: prepare-kernel-tree.sh TARBALL DIR ARCH [CONFIG_SYMBOL=VALUE ...]}
dir=${2:?usage: prepare-kernel-tree.sh TARBALL DIR ARCH [CONFIG_SYMBOL=VALUE ...]}
arch=${3:?usage: prepare-kernel-tree.sh TARBALL DIR ARCH [CONFIG_SYMBOL=VALUE ...]}
shift 3
[ -f "$tarball" ] || { echo "prepare-kernel-tree.sh: $tarball not found" >&2; exit 1; }

case "$arch" in
  arm64) cross=aarch64-linux-gnu- ;;
  arm) cross=arm-linux-gnueabihf- ;;
  x86) cross= ;;
  *) echo "prepare-kernel-tree.sh: no default toolchain for ARCH=$arch" >&2; exit 1 ;;
esac
stamp="$(basename "$tarball") $(stat -c '%s %Y' "$tarball") $arch $*"
if [ -f "$dir/.kbackport-prepared" ] && [ "$(cat "$dir/.kbackport-prepared")" = "$stamp" ]; then
  exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
tar -xJf "$tarball" -C "$dir" --strip-components=1
make -s -C "$dir" ARCH="$arch" CROSS_COMPILE="$cross" defconfig
for setting in "$@"; do
  "$dir/scripts/config" --file "$dir/.config" --set-val "${setting%%=*}" "${setting#*=}"
done
make -s -C "$dir" ARCH="$arch" CROSS_COMPILE="$cross" olddefconfig
make -s -C "$dir" ARCH="$arch" CROSS_COMPILE="$cross" -j"$(nproc)" modules_prepare
echo "$stamp" > "$dir/.kbackport-prepared"

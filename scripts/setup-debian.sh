#!/usr/bin/env bash
# Installs what kbackport and its tests use on Debian bookworm (run as root): the build tools, Debian's
# kernel sources (6.1 and 6.12 as "upstream", 5.10 for kernel patches and VM kernels), bookworm's 6.1 headers, and, from a
# bullseye apt source added at low priority, the newest 5.10 headers: the real older target. For the VM
# check, qemu for x86, arm and mipsel, and the arm and mipsel guests' busybox and iproute2. Coccinelle is
# for `npm run bench` only (its spatch is what the rules are measured against); python3-junitparser is the
# JUnit consumer the tests read kbackport's JUnit XML with; dkms and openssl are for the DKMS package's test
# (it installs the .deb with bookworm's dkms, which signs the modules with a throwaway key).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env=DEBIAN_FRONTEND "$0" "$@"
fi

if [ ! -f /etc/apt/sources.list.d/kbackport-bullseye.sources ] && ! grep -rqs "bullseye" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/kbackport-bullseye.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bullseye bullseye-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bullseye-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
# Bullseye only provides what bookworm lacks (the 5.10 headers and their gcc-10).
cat > /etc/apt/preferences.d/kbackport-bullseye <<'PREFS'
Package: *
Pin: release n=bullseye
Pin-Priority: 100

Package: *
Pin: release n=bullseye-security
Pin-Priority: 100
PREFS

apt-get update -q
headers510=$(apt-cache search --names-only '^linux-headers-5\.10\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -n 1)
[ -n "$headers510" ] || { echo "setup-debian.sh: no linux-headers-5.10.0-*-amd64 in the bullseye sources" >&2; exit 1; }
apt-get install -y -q --no-install-recommends \
  build-essential bc bison flex libelf-dev libssl-dev kmod git xz-utils patch ca-certificates \
  gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-mipsel-linux-gnu signify-openbsd qemu-system-x86 qemu-system-arm qemu-system-mips busybox-static cpio coccinelle python3-junitparser \
  dkms openssl linux-source-6.12 linux-source-6.1 linux-source-5.10 linux-headers-amd64 "$headers510"

# The stock kernel those headers belong to, for the VM check: downloaded, not installed on this machine.
image="linux-image-${headers510#linux-headers-}"
mkdir -p /var/cache/kbackport && chown _apt: /var/cache/kbackport 2>/dev/null || true
(cd /var/cache/kbackport && rm -f linux-image-*.deb && apt-get download "$image")
echo "setup-debian.sh: installed $headers510, downloaded $image to /var/cache/kbackport"

# The VM check's arm and mipsel guests run Debian's busybox-static and iproute2 (ip, with its libraries) of
# their architecture, unpacked under /var/cache/kbackport/guest-<arch>. apt resolves their dependencies in
# a state of its own (that architecture's package lists only, an empty dpkg status, bookworm's sources:
# the last release with mipsel), so this machine's apt and dpkg never learn of a foreign architecture.
for arch in armhf mipsel; do
  state=/var/cache/kbackport/apt-$arch root=/var/cache/kbackport/guest-$arch
  mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/sources.list.d"
  : > "$state/status"
  cat > "$state/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
SOURCES
  chown -R _apt: "$state"
  apt=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o "Dir::State=$state"
    -o "Dir::State::status=$state/status" -o "Dir::Cache=$state" -o "Dir::Etc::SourceList=$state/sources.list"
    -o "Dir::Etc::SourceParts=$state/sources.list.d")
  apt-get "${apt[@]}" update -q
  apt-get "${apt[@]}" clean
  apt-get "${apt[@]}" install -y -q --download-only --no-install-recommends busybox-static iproute2
  rm -rf "$root"
  mkdir -p "$root"
  for deb in "$state"/archives/*.deb; do dpkg-deb -x "$deb" "$root"; done
  echo "setup-debian.sh: unpacked busybox-static and iproute2 for $arch in $root"
done

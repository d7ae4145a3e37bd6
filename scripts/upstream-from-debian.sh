#!/usr/bin/env bash
# Builds a local git repository that plays "upstream" from Debian's linux-source tarballs: one commit per
# tarball, in the order given, tagged with the tarball's kernel version. Authors and dates are fixed, so
# the commit ids depend only on the tarballs' contents.
#
#   scripts/upstream-from-debian.sh REPO_DIR /usr/src/linux-source-6.1.tar.xz /usr/src/linux-source-6.12.tar.xz
#
# Prints one line per commit: "<tag> <commit id>". Reuses REPO_DIR when it already holds these tarballs.
set -euo pipefail

repo=${1:?usage: upstream-from-debian.sh REPO_DIR TARBALL...}
shift
[ $# -gt 0 ] || { echo "upstream-from-debian.sh: no tarballs given" >&2; exit 2; }

stamp=""
for tarball in "$@"; do
  [ -f "$tarball" ] || { echo "upstream-from-debian.sh: $tarball not found (apt-get install linux-source-X.Y)" >&2; exit 1; }
  stamp+="$(basename "$tarball") $(stat -c '%s %Y' "$tarball")"$'\n'
done

if [ -f "$repo/.git/kbackport-fixture" ] && [ "$(cat "$repo/.git/kbackport-fixture")" = "$(printf "%s" "$stamp")" ]; then
  git -C "$repo" for-each-ref --sort=creatordate --format='%(refname:short) %(objectname)' refs/tags
  exit 0
fi

rm -rf "$repo"
mkdir -p "$repo"
git -C "$repo" init -q -b master
git -C "$repo" config uploadpack.allowFilter true
git -C "$repo" config uploadpack.allowAnySHA1InWant true
git -C "$repo" config gc.auto 0

export GIT_AUTHOR_NAME="Debian linux-source" GIT_AUTHOR_EMAIL="linux-source@debian.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
day=0
for tarball in "$@"; do
  find "$repo" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  tar -xJf "$tarball" -C "$repo" --strip-components=1
  version=$(make -s -C "$repo" kernelversion 2>/dev/null || true)
  [ -n "$version" ] || version=$(basename "$tarball" .tar.xz | sed 's/^linux-source-//')
  # The kernel's own .gitignore hides files a source tarball ships; the fixture must hold all of them.
  git -C "$repo" add -A -f .
  day=$((day + 1))
  export GIT_AUTHOR_DATE="2000-01-0${day}T00:00:00Z" GIT_COMMITTER_DATE="2000-01-0${day}T00:00:00Z"
  git -C "$repo" commit -q -m "Linux $version from Debian's $(basename "$tarball")"
  git -C "$repo" tag -f "v$version" >/dev/null
done
printf '%s' "$stamp" > "$repo/.git/kbackport-fixture"
git -C "$repo" for-each-ref --sort=creatordate --format='%(refname:short) %(objectname)' refs/tags

#!/usr/bin/env bash
# The main job on a built-in default: Debian's linux-source-6.12 plays upstream (a local git repository
# built from it), and the whole recipe (MHI, mhi_net, WWAN, BAM-DMUX) is backported to Debian bullseye's 5.10 headers.
# Extra arguments go to `kbackport run` (e.g. --json, --components mhi). The output is then validated against the
# reference model of the drivers.
set -euo pipefail
cd "$(dirname "$0")/.."

upstream=${KBACKPORT_DEMO_UPSTREAM:-${XDG_CACHE_HOME:-$HOME/.cache}/kbackport/demo-upstream}
kernel=$(ls -d /usr/src/linux-headers-5.10.0-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || { echo "demo.sh: no /usr/src/linux-headers-5.10.0-*-amd64: run scripts/setup-debian.sh" >&2; exit 1; }

echo "demo.sh: building the upstream repository from /usr/src/linux-source-6.12.tar.xz (once; about a minute)" >&2
commit=$(scripts/upstream-from-debian.sh "$upstream" /usr/src/linux-source-6.12.tar.xz | tail -n 1 | cut -d' ' -f2)

npm run --silent build >&2
node bin/kbackport.cjs run recipes/mhi-wwan.yaml \
  --kernel "$kernel" \
  --source "linux-next=$upstream@$commit" \
  --source "net-next=$upstream@$commit" \
  --out out/mhi-wwan-demo \
  "$@"
echo "demo.sh: validating out/mhi-wwan-demo against the reference model" >&2
exec node bin/kbackport.cjs validate out/mhi-wwan-demo

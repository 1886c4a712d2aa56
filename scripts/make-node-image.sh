#!/usr/bin/env bash
# A local stand-in for the official node:<major>-bookworm-slim image, for machines that cannot
# pull from Docker Hub (like this project's CI): Debian bookworm "minbase" made by debootstrap
# from the Debian mirror apt uses, plus this host's own Node binary and npm, plus a `node` user (uid 1000)
# as in the official image. The project Dockerfile takes it as --build-arg NODE_IMAGE=<tag>.
# Usage: bash scripts/make-node-image.sh [TAG]   (prints the tag; does nothing if it exists)
set -euo pipefail
major=$(node -p 'process.versions.node.split(".")[0]')
tag="${1:-hubgate-base/node:${major}-bookworm-slim}"
# Two tests may ask at once (the image test, the compose stack test): one makes it, the other waits.
exec 9>"${TMPDIR:-/tmp}/hubgate-make-node-image.lock"
flock 9
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
# The mirror apt already uses on this machine (deb822 or one-line sources), unless DEBIAN_MIRROR says.
mirror="${DEBIAN_MIRROR:-$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
  } | grep -v security | head -n 1
)}"
[ -n "$mirror" ] || { echo "no Debian mirror in apt's sources; set DEBIAN_MIRROR" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm into $root (about a minute)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
  { tail -n 20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# Node: the host's binary (its shared libraries are all in minbase: libc, libstdc++, libgcc_s)
# and npm (plain JavaScript), where the official image has them.
install -m 0755 "$(command -v node)" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" /usr/sbin/groupadd --gid 1000 node
chroot "$root" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# The host's Node headers, so node-gyp (native addons such as better-sqlite3) compiles
# without downloading them.
nodedir=$(npm config get nodedir 2>/dev/null || true)
for dir in "$nodedir/include/node" "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"; do
  if [ -f "$dir/node.h" ]; then
    mkdir -p "$root/usr/local/include"
    cp -a "$dir" "$root/usr/local/include/node"
    break
  fi
done
chroot "$root" /usr/local/bin/node --version >/dev/null
# The host's trust store: where HTTPS goes through an inspecting proxy (as on this project's
# CI), npm in the build stage must trust what the host trusts. Node and npm are pointed at it.
mkdir -p "$root/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/tmp/*
tar -C "$root" --numeric-owner -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV NPM_CONFIG_NODEDIR=/usr/local' \
    --change 'CMD ["node"]' \
    - "$tag" >/dev/null
echo "$tag"

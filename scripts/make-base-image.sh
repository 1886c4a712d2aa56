#!/usr/bin/env bash
# The examples' base image: busybox on scratch, built locally (no registry is reachable).
set -euo pipefail
tag="${1:-hubgate/busybox:1}"
if docker image inspect "$tag" >/dev/null 2>&1; then exit 0; fi
ctx=$(mktemp -d)
cp /bin/busybox "$ctx/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n' >"$ctx/Dockerfile"
docker build -q -t "$tag" "$ctx" >/dev/null
rm -rf "$ctx"
echo "built $tag"

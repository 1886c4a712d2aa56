#!/usr/bin/env bash
# Make sure a Docker engine answers on /var/run/docker.sock, installing Debian's docker.io
# and starting dockerd when none runs (fresh CI machines have only the client).
# Also installs what the tests build on: busybox-static (base image), docker-registry and
# apache2-utils (htpasswd) for the real test registry, debootstrap for the bot image's base,
# docker-compose for the compose file's test.
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
# debootstrap: scripts/make-node-image.sh builds the bot image's offline base with it.
command -v debootstrap >/dev/null || need+=(debootstrap)
# docker-compose (Debian's 1.29): test/deploy/compose.test.ts reads compose.yaml with it.
command -v docker-compose >/dev/null || need+=(docker-compose)
# iproute2 (ip): test/helpers/second-engine.ts gives a test engine its own bridge.
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  echo "docker engine: $(docker version --format '{{.Server.Version}}')"
  exit 0
fi
echo "starting dockerd"
nohup dockerd >/tmp/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    echo "docker engine: $(docker version --format '{{.Server.Version}}')"
    exit 0
  fi
  sleep 1
done
echo "dockerd did not start; last log lines:" >&2
tail -n 30 /tmp/dockerd.log >&2
exit 1

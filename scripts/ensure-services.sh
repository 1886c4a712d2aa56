#!/usr/bin/env bash
# Services the tests use besides Docker: Redis on 127.0.0.1:6379 (BullMQ scale-out tests,
# no persistence) and Debian's Chromium (catalogue page tests through playwright-core).
# Installs what is missing (needs root on a fresh machine) and starts Redis when none answers.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
echo "redis: $(redis-cli -h 127.0.0.1 -p 6379 ping)"
echo "chromium: $(chromium --version 2>/dev/null || echo missing)"

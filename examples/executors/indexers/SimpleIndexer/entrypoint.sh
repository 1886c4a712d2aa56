#!/bin/sh
# A stand-in for `jina pod` that honours the pod command line hubgate's smoke tests use:
#   --max-idle-time N --shutdown-idle   start, then exit 0 when idle
#   --uses config.yml                   start with the executor config, serve until SIGTERM
idle=""; uses=""
while [ $# -gt 0 ]; do
  case "$1" in
    --shutdown-idle) idle=1 ;;
    --max-idle-time) shift ;;
    --uses) shift; uses="$1" ;;
  esac
  shift
done
if [ -n "$uses" ] && [ ! -f "$uses" ]; then echo "executor config $uses not found" >&2; exit 1; fi
echo "pod[I]: ready and listening"
[ -n "$idle" ] && { echo "pod[I]: idle, shutting down"; exit 0; }
trap 'echo "pod[I]: terminated, bye"; exit 0' TERM INT
while true; do sleep 1 & wait $!; done

#!/usr/bin/env bash
# npm run bench [-- --quick]: fedprobe side by side with the minimal-Node floor (bench/floor.mjs),
# nmap -sT/-sU and blackbox_exporter, inside a throwaway network namespace on loopback; writes
# BENCHMARKS.md (not with --quick). As root. Needs the Debian packages nmap,
# prometheus-blackbox-exporter, nftables, mosquitto (bench/handshake.ts) and time. BENCH_RUNS=N sets the
# runs per scenario (5).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${FEDPROBE_BENCH_NETNS:-}" != 1 ]; then
  npm run build --silent   # tsc, then the bundle bin/ loads (scripts/bundle.mjs)
  out=$(mktemp -d /tmp/fedprobe-bench.XXXXXX)
  npx tsc bench/bench.ts bench/lib.ts bench/daemon.ts bench/handshake.ts --outDir "$out" --rootDir . --module nodenext --moduleResolution nodenext \
    --target es2022 --skipLibCheck --types node
  exec env FEDPROBE_BENCH_NETNS=1 FEDPROBE_BENCH_OUT="$out" FEDPROBE_ROOT="$PWD" unshare -n -- bash "$0" "$@"
fi
ip link set lo up
# Outgoing connections take their local port from this range: keep it above every port the targets
# listen on (20000-34199), or a daemon's connection can hold a port the next target wants (EADDRINUSE).
echo "40000 60999" > /proc/sys/net/ipv4/ip_local_port_range
# 10,000 listeners and sockets: more descriptors than the default soft limit.
ulimit -n "$(ulimit -Hn)"
exec node "$FEDPROBE_BENCH_OUT/bench/bench.js" "$@"

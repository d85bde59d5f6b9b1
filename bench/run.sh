#!/usr/bin/env bash
# Side-by-side benchmark: fedprobe, nmap -sT and blackbox_exporter checking the same N TCP ports
# (half listening, a quarter refused, a quarter dropped by nftables) in a throwaway network
# namespace on loopback. Prints wall time and peak memory of each; compare with bench/README.md.
# Usage: sudo bash bench/run.sh [N=200]   (needs nmap, prometheus-blackbox-exporter, nftables, time)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
if [ "${FEDPROBE_BENCH_NETNS:-}" != 1 ]; then
  exec env FEDPROBE_BENCH_NETNS=1 unshare -n -- bash "$0" "$@"
fi
ip link set lo up
work=$(mktemp -d /tmp/fedprobe-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
BASE=20000
# Ports BASE..BASE+N-1: even ports listen; ports ≡ 1 (mod 4) are refused; ≡ 3 (mod 4) are dropped.
node -e '
  const net = require("node:net"); const [base, n] = process.argv.slice(1).map(Number);
  for (let p = base; p < base + n; p += 2) net.createServer((s) => s.destroy()).listen(p, "127.0.0.1");
  console.log("ready");' "$BASE" "$N" > "$work/listeners.log" &
for _ in $(seq 1 50); do grep -q ready "$work/listeners.log" 2>/dev/null && break; sleep 0.1; done
drops=$(seq $((BASE + 3)) 4 $((BASE + N - 1)) | paste -sd, -)
nft -f - <<NFT
table inet bench {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport { $drops } drop
  }
}
NFT

{
  printf 'schema: fedprobe/v1\nframework: bench\ncomponent: site\nscenario: %s ports\nrows:\n' "$N"
  for p in $(seq $BASE $((BASE + N - 1))); do
    printf '  - { id: p%s, dir: out, source: site, destination: svc, port: tcp/%s, service: TCP, type: backend, status: mandatory, probe: "tcp://127.0.0.1:%s" }\n' "$p" "$p" "$p"
  done
} > "$work/bench.yaml"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2>&1 || true
  read -r secs kb < <(tail -1 "$work/$name.time")
  printf '%-22s %8s s %8s MB\n' "$name" "$secs" "$((kb / 1024))"
}

echo "N=$N TCP ports ($((N / 2)) open, $((N / 4)) refused, $((N / 4)) dropped); deadline 1 s per port"
measure fedprobe node bin/fedprobe.js check "$work/bench.yaml" --timeout 1s --concurrency 64 --format json
measure nmap-sT nmap -sT -Pn -n --max-retries 0 --host-timeout 60s --max-rtt-timeout 1000ms -p "$BASE-$((BASE + N - 1))" 127.0.0.1

cat > "$work/blackbox.yml" <<YML
modules:
  tcp_connect: { prober: tcp, timeout: 1s }
YML
prometheus-blackbox-exporter --config.file="$work/blackbox.yml" --web.listen-address=127.0.0.1:19115 > "$work/bb.log" 2>&1 &
for _ in $(seq 1 50); do curl -fs http://127.0.0.1:19115/ >/dev/null 2>&1 && break; sleep 0.1; done
bb_pid=$(pgrep -f 'prometheus-blackbox-exporter --config.file' | head -1)
start=$(date +%s.%N)
seq $BASE $((BASE + N - 1)) | xargs -P 64 -I{} curl -fs -o /dev/null "http://127.0.0.1:19115/probe?module=tcp_connect&target=127.0.0.1:{}"
end=$(date +%s.%N)
rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$bb_pid/status")
printf '%-22s %8.2f s %8s MB  (server peak; 64 parallel /probe requests)\n' blackbox_exporter "$(echo "$end - $start" | bc)" "$rss"

node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`fedprobe verdicts: ${JSON.stringify(r.summary)}; states: ${JSON.stringify(r.results.reduce((m, x) => (m[x.state] = (m[x.state] || 0) + 1, m), {}))}`);' "$work/fedprobe.out"
grep -E "^[0-9]+/tcp" "$work/nmap-sT.out" | awk '{print $2}' | sort | uniq -c | awk '{printf "nmap states: %s %s\n", $2, $1}' || true
grep -E "Not shown" "$work/nmap-sT.out" || true

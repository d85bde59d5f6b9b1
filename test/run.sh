#!/usr/bin/env bash
# `npm test`: installs the Debian test servers when run as root and they are missing, then runs
# the whole vitest suite inside a throwaway network namespace (so fixed ports never collide and
# firewall rules never touch the host), then prints a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

need_install=0
for cmd in ip nft mosquitto nginx openssl wg wireguard-go tinyproxy socat prometheus promtool prometheus-pushgateway protoc grpc_python_plugin ejabberdctl rabbitmq-server xmllint tmux man groff dnsmasq; do
  command -v "$cmd" >/dev/null 2>&1 || { need_install=1; break; }
done
if [ "$need_install" = 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test/run.sh: installing the test servers (Debian packages in test/apt-packages.txt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    grep -v '^#' test/apt-packages.txt | xargs apt-get install -y -qq --no-install-recommends >/dev/null
  else
    echo "test/run.sh: some test servers are missing and only root can install them (see test/apt-packages.txt)" >&2
  fi
fi

npm run build --silent   # bin/ runs the bundle built from dist/: never test a stale build
# Static checks first, each failing the run: types (tests included), formatter and linter (Biome,
# biome.jsonc), lines within 120 characters.
npm run typecheck --silent
if ! npm run lint --silent; then
  echo "test/run.sh: the formatter or linter found problems (above); npm run format fixes most" >&2
  exit 1
fi
# Dead exports, files and dependencies stay out: knip (knip.json names the entry points) must find nothing.
if ! npx knip --no-progress; then
  echo "test/run.sh: knip found unused code or dependencies (above); remove them or fix knip.json" >&2
  exit 1
fi
mkdir -p test-artifacts
rm -f test-artifacts/vitest.json
status=0
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  FEDPROBE_TEST_NETNS=1 unshare -n -- sh -c 'ip link set lo up && exec npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@"' vitest "$@" || status=$?
else
  echo "test/run.sh: not root: tests that need a network namespace will fail" >&2
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@" || status=$?
fi
# The Docker image test needs the network for debootstrap (once) and its own dockerd, so it runs
# outside the vitest namespace. Only when the whole suite runs (no file arguments) and as root.
docker_passed=0
docker_failed=0
if [ $# -eq 0 ] && [ "$(id -u)" = 0 ]; then
  if bash test/docker/smoke.sh; then docker_passed=1; else docker_failed=1; status=1; fi
fi
if [ -f test-artifacts/vitest.json ]; then
  DP=$docker_passed DF=$docker_failed node -e '
    const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
    const passed = r.numPassedTests + Number(process.env.DP);
    // A file that failed outside its tests (import error, beforeAll) has no failed test: count it once.
    const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
    const failed = r.numFailedTests + broken + Number(process.env.DF);
    console.log(`${passed} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));'
else
  echo "0 passed, 1 failed"
  status=1
fi
exit "$status"

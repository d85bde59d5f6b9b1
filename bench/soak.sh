#!/usr/bin/env bash
# npm run soak [-- MINUTES]: the long daemon soak (default 10 minutes) against healthy, refusing,
# dropping, silent and hostile peers with forced GC, inside a throwaway network namespace. As root.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.build.json
out=$(mktemp -d /tmp/fedprobe-soak.XXXXXX)
npx tsc bench/soak.ts --outDir "$out" --rootDir . --module nodenext --moduleResolution nodenext --target es2022 \
  --skipLibCheck --types node
FP_DIST="$PWD/dist/" FEDPROBE_TEST_NETNS=1 exec unshare -n -- sh -c 'ip link set lo up && exec node "$0/bench/soak.js" "$@"' "$out" "$@"

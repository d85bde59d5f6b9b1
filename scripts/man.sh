#!/usr/bin/env bash
# npm run man [-- OUT]: builds, then writes man/fedprobe.1 (or OUT) from the CLI's help text.
# --no-build: use dist/ as it is (the test that holds man/fedprobe.1 to the help text does).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --no-build ]; then shift; else npx tsc -p tsconfig.build.json; fi
out=$(mktemp -d /tmp/fedprobe-man.XXXXXX)
trap 'rm -rf "$out"' EXIT
# Only this file is compiled: it loads the built CLI's helpEntries() from dist/ at run time.
npx tsc scripts/man.ts --outDir "$out" --rootDir . --module nodenext --moduleResolution nodenext --target es2022 \
  --strict --noUncheckedIndexedAccess --exactOptionalPropertyTypes --verbatimModuleSyntax --skipLibCheck --types node
node "$out/scripts/man.js" "$(realpath -m "${1:-man/fedprobe.1}")"

#!/usr/bin/env node
// The only file that touches the process: argv, stdout/stderr, signals, the exit code.
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// The daemon is a long-lived sidecar: V8's lite mode (no optimizing compiler) keeps it near 60 MB
// instead of ≈110 MB, for a few ms more CPU per run (BENCHMARKS.md, "daemon"). It must be set before
// any of our modules is compiled, hence here; NODE_OPTIONS cannot carry it. FEDPROBE_LITE=0 opts out.
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (command === 'daemon' && process.env.FEDPROBE_LITE !== '0') setFlagsFromString('--lite-mode');

// `npm run build` also writes dist/bundle/ (esbuild: one minified entry, each command and prober
// a chunk loaded when needed), which starts several times faster than dist/'s hundred modules.
// It is made from dist/, so it is used only while it is at least as new as dist/cli/main.js:
// a plain `tsc` (test/run.sh) after it makes bin/ run dist/ again rather than a stale bundle.
const mtime = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime('../dist/bundle/fedprobe.js') >= mtime('../dist/cli/main.js');
const { main } = await import(bundled ? '../dist/bundle/fedprobe.js' : '../dist/cli/main.js');

const controller = new AbortController();
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // A second signal means "now": do not wait for a graceful stop.
    if (stopping) process.exit(130);
    stopping = true;
    controller.abort(new Error(`stopped by ${sig}`));
  });
}
const reloadListeners = new Set();
process.on('SIGHUP', () => {
  for (const listener of reloadListeners) listener();
});

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  onReload(listener) {
    reloadListeners.add(listener);
    return () => reloadListeners.delete(listener);
  },
});
process.exitCode = code;
// The report is written; exit as soon as stdout and stderr have flushed it (a pipe may still hold
// it in Node's buffer), instead of waiting for whatever else holds the event loop, such as a
// lookup that outlived its row's deadline. Names are looked up by fedprobe itself (net/resolve.ts,
// cancellable) where nsswitch.conf says files and dns only; where getaddrinfo() is still used (other
// nsswitch modules, LOCALDOMAIN/RES_OPTIONS), Node joins its resolver threads on exit, so a lookup
// stuck in glibc still delays the end of the process until glibc gives up (timeout x attempts).
const flushed = (stream) =>
  new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)));
const stuck = new Promise((resolve) => setTimeout(resolve, 2000).unref()); // a reader that never reads
await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), stuck]);
process.exit(code);

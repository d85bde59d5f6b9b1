#!/usr/bin/env node
// The only file that touches the process: argv, stdout/stderr, signals, the exit code.
import { main } from '../dist/cli/main.js';

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
// The work is done and written (stdout and stderr are synchronous for files and pipes on Linux).
// Something may still hold the event loop, such as a getaddrinfo() that outlived its row's
// deadline and cannot be cancelled: do not let it delay a cron job's exit.
setTimeout(() => process.exit(code), 200).unref();

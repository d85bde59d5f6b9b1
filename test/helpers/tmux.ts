// A real terminal for tests: a tmux server of our own (its own socket, no user config) running one
// command in a pane of a fixed size, read back with capture-pane.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
let counter = 0;

export interface Pane {
  /** The screen as text; `colours`: with the SGR codes tmux keeps (-e); `joined`: a line the
   * terminal wrapped is given back as one line (-J), so a wrapped row shows as too long. */
  capture(opts?: { colours?: boolean; joined?: boolean }): Promise<string>;
  /** Polls the screen until `re` matches (every 50 ms, at most `maxMs`); the screen, or an error. */
  waitFor(re: RegExp, maxMs: number): Promise<string>;
  /** Waits for the command to end; its exit code and the screen. */
  done(maxMs: number): Promise<{ code: number; screen: string }>;
  kill(): Promise<void>;
}

/** POSIX shell quoting. */
export const sh = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Runs `argv` (with `env` set and `unset` removed) in a width × height pane. */
export async function startPane(
  argv: string[],
  opts: { width: number; height: number; env?: Record<string, string>; unset?: string[] },
): Promise<Pane> {
  const socket = `fp-test-${process.pid}-${++counter}`;
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
  const env = [
    'env',
    ...(opts.unset ?? []).flatMap((n) => ['-u', n]),
    ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
  ];
  // The pane lives on after the command so that its last screen can be read.
  const line = `${[...env, ...argv].map(sh).join(' ')}; printf '[exit %d]\\n' $?; sleep 600`;
  await tmux('new-session', '-d', '-s', 'fp', '-x', String(opts.width), '-y', String(opts.height), line);
  const capture: Pane['capture'] = async (o = {}) =>
    (await tmux('capture-pane', '-p', '-t', 'fp', ...(o.colours ? ['-e'] : []), ...(o.joined ? ['-J'] : []))).stdout;
  const waitFor: Pane['waitFor'] = async (re, maxMs) => {
    const end = Date.now() + maxMs;
    for (;;) {
      const screen = await capture();
      if (re.test(screen)) return screen;
      if (Date.now() > end) throw new Error(`tmux: ${re} not on the screen within ${maxMs} ms:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    capture,
    waitFor,
    async done(maxMs) {
      const screen = await waitFor(/^\[exit \d+\]$/m, maxMs);
      return { code: Number(/^\[exit (\d+)\]$/m.exec(screen)![1]), screen };
    },
    async kill() {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}

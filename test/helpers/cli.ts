// Runs the CLI in-process through main(), capturing stdout and stderr.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<CliResult> {
  const stdout = sink();
  const stderr = sink();
  const code = await main(args, { stdout, stderr, env, signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

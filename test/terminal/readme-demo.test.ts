// README.md's first screen is a real run: `npm start -- --break mqtt` (the demo, with the MQTT row's
// stand-in left out) must print what the README shows, but for the stand-ins' random ports and the
// times. Keeps the first thing a new user reads true.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** Ports the stand-ins got and times vary from run to run; the rest may not. */
const steady = (text: string) =>
  text
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/\b\d+(?:\.\d+)? m?s\b/g, 'N ms')
    .trimEnd();

function readmeScreen(): string {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const start = readme.indexOf('$ npm start -- --break mqtt\n');
  expect(start, 'README.md shows `$ npm start -- --break mqtt`').toBeGreaterThan(0);
  const body = readme.slice(start + '$ npm start -- --break mqtt\n'.length);
  return body.slice(0, body.indexOf('```'));
}

describe('README.md first screen', () => {
  it('is what `npm start -- --break mqtt` prints', async () => {
    let stdout = '';
    try {
      await run(process.execPath, ['bin/fedprobe.js', 'demo', '--break', 'mqtt', '--color', 'false'], { cwd: ROOT });
    } catch (e) {
      // The broken row fails the run: exit 1, as the README's summary line says.
      const err = e as { code: number; stdout: string };
      expect(err.code).toBe(1);
      stdout = err.stdout;
    }
    expect(steady(stdout)).toBe(steady(readmeScreen()));
  });
});

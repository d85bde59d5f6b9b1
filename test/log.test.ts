// Logs carry peer text too: neither the JSON lines nor the pretty-printed ones may hand a raw
// control or bidi character to the operator's terminal.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prettySafeLine } from '../src/log.js';

const hostile = 'x\u001b]0;owned\u0007\u001b[2J\nALL PATHS PASS\u009b31m\u202eevil\\n';

describe('log escaping', () => {
  it('prettySafeLine escapes the escapes, leaves a literal backslash alone, and stays valid JSON', () => {
    const line = JSON.stringify({ msg: hostile });
    const safe = prettySafeLine(line);
    const back = JSON.parse(safe) as { msg: string };
    expect(back.msg).toBe('x\\u001b]0;owned\\u0007\\u001b[2J\\nALL PATHS PASS\\u009b31m\\u202eevil\\n');
    expect(back.msg).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e]/);
  });

  for (const pretty of [false, true]) {
    it(`a ${pretty ? 'pretty' : 'JSON'} logger writes no raw control or bidi character to stderr`, () => {
      const script = `import { createLogger } from './dist/log.js';
        createLogger('info', ${pretty}, false)
          .warn({ detail: ${JSON.stringify(hostile)} }, ${JSON.stringify(hostile)});`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: new URL('..', import.meta.url).pathname,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('ALL PATHS PASS');
      expect(r.stderr.replace(/\n$/, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
      // JSON: one line; pretty: the message line, then one line per extra field.
      expect(r.stderr.trim().split('\n')).toHaveLength(pretty ? 2 : 1);
    });
  }
});

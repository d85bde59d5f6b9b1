// The table at a given width, without a terminal: golden files for the folded and block layouts
// (regenerate with UPDATE_GOLDEN=1), and the rules every width must keep, from 20 to 200 columns.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTable, TABLE_SGR_CODES, wrap } from '../../src/report/table.js';
import { sampleRun } from '../report/sample-run.js';

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('table width', () => {
  for (const width of [160, 100, 80, 60]) {
    it(`${width} columns → golden/table-${width}.txt`, () => {
      const text = renderTable(sampleRun(), { color: false, width });
      const path = new URL(`../report/golden/table-${width}.txt`, import.meta.url);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, text);
      expect(text).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('without a width (piped) the whole matrix is printed, as before', () => {
    const text = renderTable(sampleRun(), { color: false });
    expect(text).toBe(readFileSync(new URL('../report/golden/table.txt', import.meta.url), 'utf8'));
    expect(text.split('\n')[3]).toMatch(
      /^id +dir +source +destination +port +service +type +status +outcome +state +reason +time$/,
    );
  });

  it("every line fits at every width from 20 to 200; from 40 each outcome is on its row's line", () => {
    const run = sampleRun();
    for (let width = 20; width <= 200; width++) {
      const lines = plain(renderTable(run, { color: true, width })).split('\n');
      for (const line of lines)
        expect(line.length, `${width} columns: ${JSON.stringify(line)}`).toBeLessThanOrEqual(width);
      // Narrower than an outcome, an id, a port and the gaps between them, the id itself is cut.
      for (const r of width < 40 ? [] : run.results) {
        const row = lines.find((l) => new RegExp(`(^|  )${r.outcome.toUpperCase()}\\*?  `).test(l) && l.includes(r.id));
        expect(row, `${width} columns: row ${r.id}`).toBeDefined();
      }
    }
  });

  it('folds before it cuts: at 110 columns type goes, dir/source/destination become the peer', () => {
    const lines = renderTable(sampleRun(), { color: false, width: 110 }).split('\n');
    expect(lines[3]).toMatch(/^id +peer +port +service +status +outcome +state +reason +time$/);
    expect(lines).toContain(
      'gui         ← localhost   TCP/8484   HTTP       optional   FAIL          open           exposed        0 ms',
    );
  });

  it('a hint is bold default foreground; only readable colour codes are used', () => {
    const text = renderTable(sampleRun(), { color: true, width: 80 });
    expect(text).toContain(
      '\x1b[1m  → Ask the network team to allow TCP/8080 from this machine to fbm.example.org\x1b[0m',
    );
    const codes = [...text.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1]!);
    expect(new Set(codes)).toEqual(new Set(TABLE_SGR_CODES));
    expect(new Set(codes)).toEqual(new Set(['0', '1', '31', '32', '33', '35']));
    expect(text).toContain('\x1b[1m\x1b[31mFAIL\x1b[0m');
  });

  it('wraps words with a hanging indent and splits a word longer than the line', () => {
    const hanging = ['  → allow', '    TCP/8080', '    from here'];
    expect(wrap('  → allow TCP/8080 from here', 14, '    ')).toEqual(hanging);
    expect(wrap('  ↳ abcdefghijklmnopqrstuvwxyz', 12, '    ')).toEqual([
      '  ↳',
      '    abcdefgh',
      '    ijklmnop',
      '    qrstuvwx',
      '    yz',
    ]);
    expect(wrap('short', undefined, '  ')).toEqual(['short']);
  });
});

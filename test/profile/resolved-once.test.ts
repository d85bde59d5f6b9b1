// A row without variables is resolved once at load and shared by every expand() (the loader's
// fast path for large profiles): each expansion must still give the same checks, a --with
// override must still apply, and the shared result must not be changed by one run for the next.
import { describe, expect, it } from 'vitest';
import { expand } from '../../src/profile/expand.js';
import { loadProfile } from '../../src/profile/load.js';
import { parseWithFlags } from '../../src/profile/overrides.js';

const OPTS = { timeoutMs: 1000, retries: 0, env: {} };

describe('rows without variables', () => {
  it('expand twice: the same checks, each time', async () => {
    const p = await loadProfile('flower/superlink');
    const fixed = p.rows.filter((r) => !JSON.stringify(r).includes('${'));
    expect(fixed.length).toBeGreaterThan(0);
    const first = expand(p, OPTS);
    const second = expand(p, OPTS);
    expect(second).toEqual(first);
  });

  it('a --with override still reaches a row that has no variables', async () => {
    const p = await loadProfile('flower/superlink');
    const row = p.rows.find((r) => !JSON.stringify(r).includes('${') && r.probe.startsWith('https:'));
    expect(row).toBeDefined();
    const plain = expand(p, OPTS).find((c) => c.row.id === row!.id)!;
    const overridden = expand(p, {
      ...OPTS,
      overrides: parseWithFlags({ [`${row!.id}.insecure`]: 'true' }),
    }).find((c) => c.row.id === row!.id)!;
    expect(overridden.with).toMatchObject({ insecure: true });
    expect(plain.with).not.toMatchObject({ insecure: true });
    // And the shared, once-resolved check was not changed by the overridden expansion.
    expect(expand(p, OPTS).find((c) => c.row.id === row!.id)).toEqual(plain);
  });
});

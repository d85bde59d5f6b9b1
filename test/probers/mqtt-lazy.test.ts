// A plain mqtt:// row loads neither `ws` nor zlib (≈ 25 ms of a 200-row run's 100 ms before this):
// the WebSocket transport comes with mqtt+ws:// and mqtt+wss:// only (src/probers/mqtt-secure.ts).
// Each case runs in a fresh Node process, since a module once loaded stays loaded, on the compiled
// tree bin/ runs (npm test builds it first; dist/ mirrors src/ file for file).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REGISTRY = fileURLToPath(new URL('../../dist/probers/registry.js', import.meta.url));

/** What preloading `scheme`'s prober loaded: files of the ws package, and whether zlib. */
function loadedBy(scheme: string): { wsFiles: number; zlib: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const { preloadProbers } = await import(${JSON.stringify(REGISTRY)});
    await preloadProbers([${JSON.stringify(scheme)}]);
    const cache = createRequire(import.meta.url).cache;
    const wsFiles = Object.keys(cache).filter((k) => k.includes('/node_modules/ws/')).length;
    process.stdout.write(JSON.stringify({ wsFiles, zlib: process.moduleLoadList.includes('NativeModule zlib') }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { wsFiles: number; zlib: boolean };
}

describe('the MQTT prober loads only the transports its scheme needs', () => {
  it('mqtt:// loads no ws and no zlib', () => {
    expect(loadedBy('mqtt')).toEqual({ wsFiles: 0, zlib: false });
  });

  it('mqtt+ws:// loads ws (and its zlib)', () => {
    const seen = loadedBy('mqtt+ws');
    expect(seen.wsFiles).toBeGreaterThan(0);
    expect(seen.zlib).toBe(true);
  });
});

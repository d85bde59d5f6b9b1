// `npm run build`, after tsc: dist/bundle/fedprobe.js, one minified entry that bin/fedprobe.js
// loads instead of dist/'s hundred modules, plus one chunk per command and per prober, imported
// only when a run needs them (main.ts and probers/registry.ts import them dynamically). Made from
// dist/, so the bundle runs exactly the code the tests ran. Start-up is what a CLI is judged by:
// see bench/README.md for the numbers.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;

// zod registers every locale's error messages (260 KB of the 460 KB it adds) behind z.locales;
// fedprobe only ever uses the English ones, which zod installs by default.
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-english-only' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: 'export { default as en } from "zod/v4/locales/en.js";',
      resolveDir: root,
      loader: 'js',
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { fedprobe: `${root}dist/cli/main.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  chunkNames: '[name]-[hash]',
  legalComments: 'linked',
  // CommonJS dependencies (yargs' helpers, pino, prom-client) call require() for Node's own
  // modules; an ES module has no require, so each chunk gets one.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  plugins: [englishOnly],
  logLevel: 'warning',
  metafile: process.env.FEDPROBE_BUNDLE_META !== undefined,
});
if (process.env.FEDPROBE_BUNDLE_META) {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(process.env.FEDPROBE_BUNDLE_META, JSON.stringify(result.metafile));
}

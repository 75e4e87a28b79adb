// Bundles the UI into the host's wwwroot/ui: one ES module (app.js), one stylesheet (app.css) and index.html.
// Everything, uPlot included, is served by the service itself: no CDN at run time.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2] ? path.resolve(process.argv[2]) : path.resolve(here, '../wwwroot/ui');

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { app: path.join(here, 'src/main.js') }, // main.js imports the CSS, which esbuild emits as app.css
  outdir,
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(path.join(here, 'src/index.html'), path.join(outdir, 'index.html'));
console.log(`ui built into ${path.relative(process.cwd(), outdir) || '.'}`);

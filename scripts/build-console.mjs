// Bundles the browser console (src/console-ui/, Preact) into dist/console/: app.js, app.css and index.html.
// The daemon serves that folder under /console/ with a CSP that allows only its own files (no CDN, no inline code).
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'console-ui');
const out = join(root, 'dist', 'console');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(source, 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(join(source, 'index.html'), join(out, 'index.html'));
await copyFile(join(source, 'app.css'), join(out, 'app.css'));

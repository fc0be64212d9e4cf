// build.mjs — bundle the dashboard into web/dist with esbuild: one ES module
// bundle (app + Leaflet + uPlot), one CSS bundle, and index.html.  No CDN:
// everything the page needs is served by `samlast serve`.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await esbuild.build({
  entryPoints: ['src/app.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: true,
  target: ['es2020'],
  outfile: 'dist/app.js',
  logLevel: 'warning',
});
await esbuild.build({
  entryPoints: ['src/style.css'],
  bundle: true,
  minify: true,
  outfile: 'dist/app.css',
  loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  logLevel: 'warning',
});
copyFileSync('src/index.html', 'dist/index.html');

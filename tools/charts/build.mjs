// Bundles Chart.js (pinned in package.json) into the app's wwwroot/lib: the analytics pages load it from the app, never a CDN.
// Run: npm ci && npm run build (the output is committed).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('./node_modules/chart.js/package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: [fileURLToPath(new URL('./browser-entry.js', import.meta.url))],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2018',
  banner: { js: `/* Chart.js ${version} (MIT, Chart.js Contributors), bundled by tools/charts/build.mjs */` },
  outfile: `${root}src/Sosyabot.Web/wwwroot/lib/chart.js`,
});
console.log(`bundled Chart.js ${version}`);

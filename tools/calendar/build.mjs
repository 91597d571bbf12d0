// Bundles FullCalendar, as pinned in package.json, for the calendar page: the script and the stylesheets it
// needs, written into src/Sosyabot.Web/wwwroot/lib/fullcalendar/ and committed, so the app serves them itself
// (no CDN; the CSP allows scripts and styles from 'self' only, and FullCalendar 7 injects no <style> of its own).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const version = require('fullcalendar/package.json').version;
const root = fileURLToPath(new URL('../../', import.meta.url));
const banner = `/* FullCalendar ${version} (MIT, Adam Shaw), bundled by tools/calendar/build.mjs */`;

await build({
  entryPoints: { fullcalendar: fileURLToPath(new URL('./browser-entry.js', import.meta.url)) },
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  banner: { js: banner, css: banner },
  outdir: `${root}src/Sosyabot.Web/wwwroot/lib/fullcalendar`,
});
console.log(`bundled FullCalendar ${version}`);

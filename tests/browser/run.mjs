// run.mjs — browser tests of the dashboard: Debian chromium driven by
// playwright-core.  Builds a fixture store (samlast init + the server test
// fixture SQL), makes tokens for several roles, starts `samlast serve` on a
// free port with web/dist, and checks: the overview's numbers equal the
// API's, a supplier sees only itself among suppliers and only its own
// deliveries, a bad upload row shows its line and reason, the language
// switch is remembered.  Screenshots go to tests/browser/artifacts/.
// Exit 77 (meson's skip) when chromium, node_modules or web/dist are missing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const web = join(root, 'web');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const bin = process.env.SAMLAST_BIN;
const skip = (why) => { console.log(`SKIP: ${why}`); process.exit(77); };
if (!bin || !existsSync(bin)) skip('SAMLAST_BIN is not set or missing');
if (!existsSync(chromium)) skip(`${chromium} is not installed (make deps)`);
if (!existsSync(join(web, 'node_modules', 'playwright-core'))) skip('web/node_modules is missing (make deps)');
if (!existsSync(join(web, 'dist', 'index.html'))) skip('web/dist is not built (make)');
const require = createRequire(join(web, 'package.json'));
const { chromium: pw } = require('playwright-core');

const art = join(here, 'artifacts');
mkdirSync(art, { recursive: true });
const db = `/tmp/sl_browser_${process.pid}.db`;
const profile = `/tmp/sl_browser_profile_${process.pid}`;
rmSync(db, { force: true });
execFileSync(bin, ['init', '--db', db], { stdio: 'ignore' });
execFileSync('sqlite3', [db], { input: readFileSync(join(root, 'tests', 'fixtures', 'server', 'fixture.sql')) });
const tok = (role, org) => execFileSync(bin, ['token', 'create', '--db', db, '--role', role, ...(org ? ['--org', org] : [])],
  { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
const tokens = { admin: tok('admin'), city: tok('city', 'CITY'), s1: tok('supplier', 'S1') };

const srv = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', join(web, 'dist')], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverErr = '';
srv.stderr.on('data', (d) => { serverErr += d; });
const base = await new Promise((resolve, reject) => {
  let out = '';
  srv.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//); if (m) resolve(`http://127.0.0.1:${m[1]}`); });
  srv.on('exit', (c) => reject(new Error(`server exited ${c}: ${serverErr}`)));
  setTimeout(() => reject(new Error('server did not start')), 10000);
});

let failures = 0;
const check = (cond, msg) => { if (cond) console.log(`ok - ${msg}`); else { failures++; console.log(`not ok - ${msg}`); } };
const apiGet = async (path, token) => (await fetch(base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} })).json();

const browser = await pw.launch({
  executablePath: chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
    '--disable-component-update', '--disable-sync', '--disable-quic'], // playwright gives each launch a fresh temporary profile
});
try {
  async function session(token) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => { failures++; console.log(`not ok - page error: ${e.message}`); });
    await page.goto(base + '/#/login');
    await page.fill('#tok', token);
    await page.click('#login button');
    await page.waitForSelector('[data-kpi="deliveries"]');
    return { ctx, page };
  }
  // city: overview numbers equal the API's
  {
    const { ctx, page } = await session(tokens.city);
    const api = await apiGet('/api/v1/kpis?kpi=deliveries,receiving_units,contract_fidelity_pct', tokens.city);
    for (const id of ['deliveries', 'receiving_units', 'contract_fidelity_pct']) {
      const shown = await page.getAttribute(`[data-kpi="${id}"]`, 'data-value');
      const want = api.total.values[id];
      check(String(want ?? '') === shown, `overview ${id}: dashboard ${shown} = API ${want}`);
    }
    await page.screenshot({ path: join(art, 'overview-city.png'), fullPage: true });
    await page.goto(base + '/#/map');
    await page.waitForSelector('.leaflet-interactive');
    check((await page.$$('.leaflet-interactive')).length === 3, 'map shows the three sites');
    await page.screenshot({ path: join(art, 'map-city.png') });
    // language switch is remembered
    await page.selectOption('#lang', 'en');
    await page.reload();
    await page.waitForSelector('nav a');
    check((await page.textContent('nav a[href="#/deliveries"]')).trim() === 'Deliveries', 'English remembered after reload');
    await ctx.close();
  }
  // supplier: competitors hidden
  {
    const { ctx, page } = await session(tokens.s1);
    await page.goto(base + '/#/suppliers');
    await page.waitForSelector('#list li');
    const names = await page.$$eval('#list li', (els) => els.map((e) => e.textContent));
    check(names.length === 1 && names[0].includes('S1'), `supplier list shows only itself: ${JSON.stringify(names)}`);
    await page.goto(base + '/#/deliveries');
    await page.waitForSelector('#tb tr');
    const sups = await page.$$eval('#tb tr td:nth-child(2)', (els) => els.map((e) => e.textContent));
    check(sups.length > 0 && sups.every((s) => s === 'S1'), `supplier sees only its deliveries (${sups.length})`);
    await page.screenshot({ path: join(art, 'deliveries-supplier.png'), fullPage: true });
    await page.goto(base + '/#/supplier/S2');
    await page.waitForSelector('#err:not(:empty)');
    check((await page.$$('[data-kpi]')).length === 0, 'a competitor scorecard is refused');
    // a bad upload row shows its error
    await page.goto(base + '/#/upload');
    await page.waitForSelector('#up');
    await page.setInputFiles('input[type=file]', { name: 'bad.csv', mimeType: 'text/csv',
      buffer: Buffer.from('id,supplier,site,delivered_at\nB1,S1,A,2026-01-09T08:00:00+01:00\nB2,S1,NOWHERE,2026-01-09T09:00:00+01:00\n') });
    await page.click('#up button');
    await page.waitForSelector('#uperrors');
    const row = await page.$$eval('#uperrors tbody tr td', (els) => els.map((e) => e.textContent));
    check(row[0] === '3' && /NOWHERE/.test(row[3]), `upload error shows line 3 and the reason: ${JSON.stringify(row)}`);
    await page.screenshot({ path: join(art, 'upload-error.png'), fullPage: true });
    // an announcement (planned delivery) through the same page reaches the board
    await page.goto(base + '/#/upload');
    await page.waitForSelector('#up');
    await page.selectOption('select[name=kind]', 'announcements');
    await page.setInputFiles('input[type=file]', { name: 'plan.csv', mimeType: 'text/csv',
      buffer: Buffer.from('id,supplier,site,delivered_at,status,mass_kg\nPLAN1,S1,A,2026-01-20T08:00:00+01:00,announced,12\n') });
    await page.click('#up button');
    await page.waitForSelector('#upstatus');
    check(!(await page.getAttribute('#upstatus', 'class')).includes('error'), 'announcement upload accepted');
    const bd = await apiGet('/api/v1/pooling/board?date=2026-01-20', tokens.city);
    const planned = (bd.sites || []).flatMap((x) => x.deliveries || []).filter((d) => d.id === 'PLAN1');
    check(planned.length === 1 && planned[0].status === 'announced', `the announcement is on the board: ${JSON.stringify(planned)}`);
    await ctx.close();
  }
} finally {
  await browser.close();
  srv.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
}
console.log(failures ? `${failures} failure(s)` : 'all browser checks passed');
process.exit(failures ? 1 : 0);

// lib.mjs — shared harness of the dashboard's browser tests: skip rules
// (exit 77 = meson's skip), a fresh store, tokens per role, `samlast serve`
// on a free port with web/dist, Debian chromium through playwright-core,
// TAP-style checks and a clean shutdown.
//
//   import { start } from './lib.mjs';
//   const h = await start({ name: 'board', setup: (db, run) => { ... } });
//   const tok = h.token('supplier', 'S1');     // after setup, before use
//   const page = await h.login(tok, '#/board'); // logged-in page at a hash
//   h.check(cond, 'message');
//   await h.finish();                           // exits 0 or 1
//
// setup(db, run) fills the store: run(args[, input]) runs the samlast
// program (stdout as a string); the default setup loads the server test
// fixture (tests/fixtures/server/fixture.sql).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
const web = join(root, 'web');
export const artifacts = join(here, 'artifacts');

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(77);
}

export function fixtureSql(db) {
  execFileSync('sqlite3', [db], { input: readFileSync(join(root, 'tests', 'fixtures', 'server', 'fixture.sql')) });
}

export async function start({ name, setup } = {}) {
  const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
  const bin = process.env.SAMLAST_BIN;
  if (!bin || !existsSync(bin)) skip('SAMLAST_BIN is not set or missing');
  if (!existsSync(chromium)) skip(`${chromium} is not installed (make deps)`);
  if (!existsSync(join(web, 'node_modules', 'playwright-core'))) skip('web/node_modules is missing (make deps)');
  if (!existsSync(join(web, 'dist', 'index.html'))) skip('web/dist is not built (make)');
  const require = createRequire(join(web, 'package.json'));
  const { chromium: pw } = require('playwright-core');

  mkdirSync(artifacts, { recursive: true });
  const db = `/tmp/sl_browser_${name || 'test'}_${process.pid}.db`;
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  const run = (args, input) => execFileSync(bin, args, { input, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] }).toString();
  run(['init', '--db', db]);
  if (setup) await setup(db, run);
  else fixtureSql(db);

  const srv = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', join(web, 'dist')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let serverErr = '';
  srv.stderr.on('data', (d) => { serverErr += d; });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    srv.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//); if (m) resolve(`http://127.0.0.1:${m[1]}`); });
    srv.on('exit', (c) => reject(new Error(`server exited ${c}: ${serverErr}`)));
    setTimeout(() => reject(new Error('server did not start')), 10000);
  });

  let failures = 0;
  const check = (cond, msg) => {
    if (cond) console.log(`ok - ${msg}`);
    else { failures++; console.log(`not ok - ${msg}`); }
  };
  const browser = await pw.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const contexts = [];

  return {
    db, base, run, check, browser,
    token(role, org) {
      return run(['token', 'create', '--db', db, '--role', role, ...(org ? ['--org', org] : [])]).trim();
    },
    async apiGet(path, token) {
      const r = await fetch(base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      const ct = r.headers.get('content-type') || '';
      return { status: r.status, body: ct.includes('json') ? await r.json() : await r.text() };
    },
    // A new browser context logged in with token (or public when ''),
    // navigated to hash; page errors count as failures.
    async login(token, hash = '#/overview', lang = 'en') {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => { failures++; console.log(`not ok - page error: ${e.message}`); });
      await page.addInitScript(([t, l]) => {
        localStorage.setItem('samlast.token', t);
        localStorage.setItem('samlast.lang', l);
      }, [token, lang]);
      await page.goto(base + '/' + hash);
      return page;
    },
    async screenshot(page, file) {
      await page.screenshot({ path: join(artifacts, file), fullPage: true });
    },
    async finish(err) {
      if (err) { failures++; console.log(`not ok - ${err.stack || err}`); }
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      srv.kill('SIGTERM');
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      console.log(failures ? `${failures} failed` : 'all passed');
      process.exit(failures ? 1 : 0);
    },
  };
}

// ordering.mjs — browser test of the smarter-ordering page (web/src/ordering.js):
// the city sees every unit's proposal with the city totals, in Swedish and
// English; a supplier sees only its own category; a unit only its own site;
// the public is refused; the XLSX export is a workbook.  The store is the
// server fixture plus eight weeks of deliveries (Nov–Dec 2025) so that the
// default period (the last 12 whole weeks) has data.
import { execFileSync } from 'node:child_process';
import { start, fixtureSql } from './lib.mjs';

// [supplier org id, site id, weekdays (0 = Monday)]
const rel = [[4, 1, [0, 3]], [4, 2, [1, 3]], [4, 3, [0, 2, 4]], [5, 1, [2]], [6, 1, [0, 1, 3]], [6, 3, [1, 4]], [7, 2, [2]], [7, 3, [0, 3]]];
const perWeekRows = rel.reduce((n, r) => n + r[2].length, 0);

function setup(db) {
  fixtureSql(db);
  const sql = [
    "UPDATE organisations SET category = 'food' WHERE ext_id IN ('S1', 'S2');",
    "UPDATE organisations SET category = 'chilled' WHERE ext_id = 'S3';",
    "UPDATE organisations SET category = 'fruit_veg' WHERE ext_id = 'S4';",
    "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, row_hash) VALUES (10, 'DEP-S1', 4, 'Alfa lager', 'depot', 12.80, 56.10, 0, 'x');",
  ];
  // 2025-11-03 is a Monday (day 20395); eight weeks of deliveries
  const monday = 20395;
  let id = 100;
  for (let w = 0; w < 8; w++) {
    for (const [sup, site, wds] of rel) {
      for (const wd of wds) {
        const day = monday + 7 * w + wd;
        id++;
        sql.push(`INSERT INTO deliveries(id, supplier_id, ext_id, site_id, delivered_at, local_day, local_min, mass_kg, updated_at, row_hash) VALUES (${id}, ${sup}, 'X${id}', ${site}, ${day * 86400 + 28800}, ${day}, 540, ${20 + (id % 7) * 10}, 0, 'x');`);
        sql.push(`INSERT INTO orders(id, supplier_id, ext_id, site_id, category, ordered_at, order_day, requested_day, value_ore, updated_at, row_hash) VALUES (${id}, ${sup}, 'Y${id}', ${site}, 'x', ${(day - 2) * 86400}, ${day - 2}, ${day}, ${id % 3 ? 60000 : 250000}, 0, 'x');`);
      }
    }
  }
  execFileSync('sqlite3', [db], { input: sql.join('\n') });
}

const h = await start({ name: 'ordering', setup });
try {
  const city = h.token('city');
  const sup = h.token('supplier', 'S3');
  const unit = h.token('unit', 'U2');

  // the API first: what each role gets
  const all = await h.apiGet('/api/v1/ordering', city);
  h.check(all.status === 200, `city: GET /api/v1/ordering is 200 (${all.status})`);
  const b = all.body;
  h.check(b.period.from === '2025-10-06' && b.period.to === '2025-12-28', `default period is the last 12 whole weeks (${b.period.from}..${b.period.to})`);
  h.check(b.city.deliveries_before === 8 * perWeekRows, `before-count is the ledger's (${b.city.deliveries_before})`);
  h.check(b.city.deliveries_after < b.city.deliveries_before, 'the proposal cuts deliveries');
  h.check(b.groups.filter((g) => g.category === 'chilled').every((g) => g.proposed_days.split('+').length >= 2), 'chilled goods keep at least two days a week');
  const s = await h.apiGet('/api/v1/ordering', sup);
  h.check(s.status === 200 && s.body.groups.length > 0 && s.body.groups.every((g) => g.category === 'chilled' && g.suppliers.every((x) => x.supplier === 'S3')),
    'supplier S3 sees only its own chilled relations');
  const u = await h.apiGet('/api/v1/ordering', unit);
  h.check(u.status === 200 && u.body.groups.length > 0 && u.body.groups.every((g) => g.unit === 'C'), 'unit U2 sees only its site C');
  const pub = await h.apiGet('/api/v1/ordering', '');
  h.check(pub.status === 401, `public is refused (${pub.status})`);
  const bad = await h.apiGet('/api/v1/ordering?from=2025-13-01&to=2025-12-01', city);
  h.check(bad.status === 400, `a bad date is 400 (${bad.status})`);
  const x = await fetch(`${h.base}/api/v1/ordering/export.xlsx`, { headers: { Authorization: `Bearer ${city}` } });
  const bytes = new Uint8Array(await x.arrayBuffer());
  h.check(x.status === 200 && bytes[0] === 0x50 && bytes[1] === 0x4b, 'the XLSX export is a zip (PK)');

  // the page, city, English
  let page = await h.login(city, '#/ordering', 'en');
  await page.waitForSelector('#ord-group-table tbody tr');
  const rows = await page.$$eval('#ord-group-table tbody tr', (trs) => trs.map((t) => [t.dataset.unit, t.dataset.category, t.dataset.proposed]));
  h.check(rows.length === b.groups.length, `city page lists every proposal (${rows.length})`);
  const perWeek = await page.$eval('[data-ord="per_week"]', (e) => [Number(e.dataset.before), Number(e.dataset.after)]);
  h.check(Math.abs(perWeek[0] - b.city.per_week_before) < 1e-9 && Math.abs(perWeek[1] - b.city.per_week_after) < 1e-9, 'city card shows the API totals');
  h.check((await page.textContent('#ord-status')).includes('great circle'), 'the distance basis is stated');
  await page.fill('#ord-filter', 'C');
  const visible = await page.$$eval('#ord-group-table tbody tr', (trs) => trs.filter((t) => !t.hidden).map((t) => t.dataset.unit));
  h.check(visible.length > 0 && visible.every((v) => v === 'C'), 'filtering by unit shows that unit only');
  const listed = await page.$$eval('#ord-group-table tbody tr:not([hidden]) details.ord-small li', (li) => li.length);
  const merging = b.groups.filter((g) => g.unit === 'C').reduce((n, g) => n + g.small_orders_merging.length, 0);
  h.check(listed === merging, `the merging small orders are listed (${listed} of ${merging})`);
  await h.screenshot(page, 'ordering-city-en.png');

  // Swedish
  page = await h.login(city, '#/ordering', 'sv');
  await page.waitForSelector('#ord-group-table tbody tr');
  const head = await page.textContent('h2');
  h.check(head.includes('leveransdagar'), `Swedish title (${head})`);
  const cell = await page.textContent('#ord-group-table tbody tr td:nth-child(4)');
  h.check(/mån|tis|ons|tor|fre/.test(cell), `Swedish weekday names (${cell.trim()})`);

  // supplier and unit pages
  page = await h.login(sup, '#/ordering', 'en');
  await page.waitForSelector('#ord-group-table tbody tr');
  const cats = await page.$$eval('#ord-group-table tbody tr', (trs) => trs.map((t) => t.dataset.category));
  h.check(cats.length > 0 && cats.every((c) => c === 'chilled'), 'supplier page: its own category only');
  page = await h.login(unit, '#/ordering', 'en');
  await page.waitForSelector('#ord-group-table tbody tr');
  const units = await page.$$eval('#ord-group-table tbody tr', (trs) => trs.map((t) => t.dataset.unit));
  h.check(units.every((v) => v === 'C'), 'unit page: its own site only');

  // public
  page = await h.login('', '#/ordering', 'en');
  await page.waitForSelector('#ord-status.error');
  h.check(true, 'public page shows a refusal');
  await h.finish();
} catch (e) {
  await h.finish(e);
}

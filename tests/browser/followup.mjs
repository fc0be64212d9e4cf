// followup.mjs — browser test of the follow-up page (web/src/followup.js):
// the city sees the table of units with their status and the city charts,
// can open a unit's weekly view (charts with baseline and target lines) and
// set a baseline; a unit sees only its own weekly view; Swedish and English;
// the public is refused.  The store: three units, two suppliers, eight weeks
// from Monday 2025-01-06 (the same shape as tests/unit/pooling/test_followup.c):
// U1 goes from 5 to 3 deliveries a week, U2 stays at 5, U3 starts later.
import { execFileSync } from 'node:child_process';
import { start } from './lib.mjs';

const D0 = 20094; // 2025-01-06, a Monday

function setup(db, run) {
  const sql = [
    "INSERT INTO organisations(id, ext_id, kind, name, updated_at, row_hash) VALUES (10, 'O10', 'unit', 'Skola A', 0, 'h'), (11, 'O11', 'unit', 'Skola B', 0, 'h'), (12, 'O12', 'unit', 'Förskola C', 0, 'h'), (20, 'S20', 'supplier', 'Matgrossisten', 0, 'h'), (21, 'S21', 'supplier', 'Kontorsvaror', 0, 'h'), (30, 'C30', 'carrier', 'Åkeriet', 0, 'h');",
    "INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, row_hash) VALUES (1, 'U1', 10, 'Skola A', 'school', 12.70, 56.04, 0, 'h'), (2, 'U2', 11, 'Skola B', 'school', 12.71, 56.05, 0, 'h'), (3, 'U3', 12, 'Förskola C', 'preschool', 12.72, 56.06, 0, 'h');",
    `INSERT INTO contracts(id, ext_id, supplier_id, category, valid_from_day, updated_at, row_hash) VALUES (1, 'K1', 20, 'food', ${D0 - 100}, 0, 'h');`,
  ];
  let id = 0;
  let trip = 0;
  const add = (sup, site, day, t) => {
    id++;
    sql.push(`INSERT INTO deliveries(id, supplier_id, ext_id, site_id, trip_id, delivered_at, local_day, local_min, mass_kg, updated_at, row_hash) VALUES (${id}, ${sup}, 'D${id}', ${site}, ${t || 'NULL'}, ${day * 86400 + 32400}, ${day}, 600, 50, 0, 'h');`);
    sql.push(`INSERT INTO orders(id, supplier_id, ext_id, site_id, category, ordered_at, order_day, value_ore, updated_at, row_hash) VALUES (${id}, ${sup}, 'R${id}', ${site}, 'food', ${day * 86400}, ${day}, ${sup === 20 ? 200000 : 50000}, 0, 'h');`);
  };
  const newTrip = (day) => {
    trip++;
    sql.push(`INSERT INTO trips(id, carrier_id, ext_id, start_at, local_day, updated_at, row_hash) VALUES (${trip}, 30, 'T${trip}', ${day * 86400 + 25200}, ${day}, 0, 'h');`);
    return trip;
  };
  for (let w = 0; w < 8; w++) {
    const mon = D0 + 7 * w;
    if (w < 4) {
      for (const site of [1, 2]) {
        add(20, site, mon); add(20, site, mon + 2); add(20, site, mon + 4); add(21, site, mon + 1); add(21, site, mon + 3);
      }
    } else {
      add(20, 1, mon, newTrip(mon));
      const t = newTrip(mon + 3);
      add(20, 1, mon + 3, t); add(21, 1, mon + 3, t);
      add(20, 2, mon); add(20, 2, mon + 2); add(20, 2, mon + 4); add(21, 2, mon + 1); add(21, 2, mon + 3);
      add(20, 3, mon + 1);
    }
  }
  execFileSync('sqlite3', [db], { input: sql.join('\n') });
  run(['baseline', 'set', '--db', db, '--from', '2025-01-06', '--to', '2025-02-02', '--note', 'pilot start']);
}

const P = '#/followup/from=2025-01-06&to=2025-03-02';
const h = await start({ name: 'followup', setup });
try {
  const city = h.token('city');
  const unit = h.token('unit', 'O10');
  const sup = h.token('supplier', 'S21');

  // the API: what each role gets
  const all = await h.apiGet('/api/v1/followup?from=2025-01-06&to=2025-03-02', city);
  h.check(all.status === 200 && all.body.units.length === 3, `city: 3 units (${all.status})`);
  const u1 = all.body.units.find((u) => u.unit === 'U1');
  h.check(u1.status === 'on_track' && u1.weeks[5].deliveries === 3 && u1.weeks[5].pooled === 2, 'U1 on track, 3 deliveries and 2 pooled in week 6');
  const mine = await h.apiGet('/api/v1/followup?from=2025-01-06&to=2025-03-02', unit);
  h.check(mine.status === 200 && mine.body.units.length === 1 && mine.body.units[0].unit === 'U1' && mine.body.total === null, 'unit O10 sees only U1');
  const s = await h.apiGet('/api/v1/followup?from=2025-01-06&to=2025-03-02', sup);
  h.check(s.status === 200 && !JSON.stringify(s.body).includes('Matgrossisten'), 'supplier S21 sees no other supplier');
  const pub = await h.apiGet('/api/v1/followup', '');
  h.check(pub.status === 401, `public is refused (${pub.status})`);

  // the city page, English
  let page = await h.login(city, P, 'en');
  await page.waitForSelector('#fu-table tbody tr');
  const rows = await page.$$eval('#fu-table tbody tr', (trs) => trs.map((t) => [t.dataset.unit, t.dataset.status]));
  h.check(rows.length === 3, `city table lists every unit (${rows.length})`);
  const st = Object.fromEntries(rows);
  h.check(st.U1 === 'on_track' && st.U2 === 'not_yet' && st.U3 === 'no_baseline', `statuses as the API (${JSON.stringify(st)})`);
  const count = await page.$eval('[data-count="on_track"] .v', (e) => e.textContent.trim());
  h.check(count === String(all.body.summary.on_track), `summary card on track = ${count}`);
  const charts = await page.$$eval('#fu-charts figure', (f) => f.length);
  h.check(charts === 3, `city charts drawn (${charts})`);
  h.check((await page.textContent('#fu-status')).includes('-20'), 'the delivery target is stated');
  await h.screenshot(page, 'followup-city-en.png');

  // open U1: weekly charts with baseline and target lines, week table
  await page.click('#fu-table a[href*="unit=U1"]');
  await page.waitForSelector('#fu-weeks tbody tr');
  const weeks = await page.$$eval('#fu-weeks tbody tr', (trs) => trs.length);
  h.check(weeks === 8, `U1 has 8 weekly rows (${weeks})`);
  const legend = await page.$$eval('#fu-charts figure:first-child .u-legend .u-series', (s) => s.map((x) => x.textContent));
  h.check(legend.some((t) => t.includes('Baseline')) && legend.some((t) => t.includes('Target')), `deliveries chart has baseline and target lines (${legend.join('|')})`);
  // set a new baseline for U1 through the form
  await page.waitForSelector('#fu-set');
  await page.fill('#fu-set input[name="from"]', '2025-01-06');
  await page.fill('#fu-set input[name="to"]', '2025-01-19');
  await page.click('#fu-set button');
  await page.waitForFunction(() => (document.querySelector('#fu-set-msg') || {}).textContent);
  h.check((await page.textContent('#fu-set-msg')).includes('saved'), 'city sets a unit baseline from the page');
  const hist = await h.apiGet('/api/v1/followup/baselines?history=1', city);
  h.check(hist.status === 200 && hist.body.baselines.some((x) => x.unit === 'U1' && x.to === '2025-01-19'), 'the new baseline is stored');
  await h.screenshot(page, 'followup-unit-city-en.png');

  // Swedish
  page = await h.login(city, P, 'sv');
  await page.waitForSelector('#fu-table tbody tr');
  h.check((await page.textContent('h2')).includes('Uppföljning'), 'Swedish title');
  h.check((await page.textContent('#fu-table tbody tr[data-unit="U3"]')).includes('Ingen baslinje'), 'Swedish status text');

  // a unit: straight to its own weekly view, no baseline form
  page = await h.login(unit, '#/followup', 'sv');
  await page.waitForSelector('#fu-weeks tbody tr');
  const shown = await page.$eval('#fu-unit', (e) => e.dataset.unit);
  h.check(shown === 'U1', `unit page shows its own unit (${shown})`);
  const others = await page.$$eval('[data-unit="U2"], [data-unit="U3"]', (e) => e.length);
  h.check(others === 0, 'unit page shows no other unit');
  await page.waitForTimeout(300);
  h.check((await page.$$('#fu-set')).length === 0, 'a unit gets no baseline form');
  await h.screenshot(page, 'followup-unit-sv.png');

  // public
  page = await h.login('', '#/followup', 'en');
  await page.waitForSelector('#fu-status.error');
  h.check(true, 'public page shows a refusal');
  await h.finish();
} catch (e) {
  await h.finish(e);
}

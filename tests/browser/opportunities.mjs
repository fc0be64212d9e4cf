// opportunities.mjs — browser test of the pooling-opportunities panel
// (web/src/opportunities.js) on the board page: the city sees the
// opportunity at site A with the saving and every supplier's name; a
// supplier sees itself and the others only as an aggregate ("3 other
// suppliers"), never their names or depots; Swedish texts; an empty day
// says so.  Store: the server fixture plus depots for S1..S4 side by side
// 12 km west of site A (so pooling the four deliveries at A pays).
import { start, fixtureSql } from './lib.mjs';
import { execFileSync } from 'node:child_process';

const h = await start({
  name: 'opportunities',
  setup: async (db) => {
    fixtureSql(db);
    execFileSync('sqlite3', [db], {
      input: `INSERT INTO sites(id, ext_id, org_id, name, unit_type, lon, lat, updated_at, row_hash) VALUES
        (11, 'DEP-S1', 4, 'Depå Alfa', 'depot', 12.500, 56.04, 0, 'x'),
        (12, 'DEP-S2', 5, 'Depå Beta', 'depot', 12.501, 56.04, 0, 'x'),
        (13, 'DEP-S3', 6, 'Depå Gamma', 'depot', 12.502, 56.04, 0, 'x'),
        (14, 'DEP-S4', 7, 'Depå Delta', 'depot', 12.503, 56.04, 0, 'x');`,
    });
  },
});
try {
  const city = h.token('city', 'CITY');
  const s1 = h.token('supplier', 'S1');

  let page = await h.login(city, '#/board/date=2026-01-01');
  await page.waitForSelector('#opp-table', { timeout: 60000 });
  const rows = await page.$$eval('#opp-table tbody tr', (t) => t.map((r) => Number(r.dataset.kmSaved)));
  h.check(rows.length >= 1 && rows[0] > 0, `city sees an opportunity with km saved (${rows})`);
  const cityText = await page.textContent('#opp-panel');
  h.check(cityText.includes('Beta Grossist') && cityText.includes('Delta Frukt'), 'city sees supplier names');
  h.check(cityText.includes('great circle'), 'the distance basis is stated');
  const api = (await h.apiGet('/api/v1/pooling/opportunities?date=2026-01-01', city)).body.totals;
  const jointKm = Number(await page.getAttribute('#opp-joint', 'data-joint-km'));
  h.check(jointKm === api.joint_km_saved && jointKm <= api.km_saved + 1e-9,
    `joint plan shown (${jointKm} km = API ${api.joint_km_saved}, not above the sum ${api.km_saved})`);
  await h.screenshot(page, 'opportunities-city.png');

  page = await h.login(s1, '#/board/date=2026-01-01');
  await page.waitForSelector('#opp-table', { timeout: 60000 });
  const supText = await page.textContent('#opp-panel');
  h.check(supText.includes('Alfa Livs'), 'supplier sees itself');
  h.check(supText.includes('3 other suppliers'), 'supplier sees the others as an aggregate');
  for (const name of ['Beta', 'Gamma', 'Delta', 'DEP-S2', 'S2'])
    h.check(!supText.includes(name), `supplier panel does not show ${name}`);

  page = await h.login(s1, '#/board/date=2026-01-01', 'sv');
  await page.waitForSelector('#opp-table', { timeout: 60000 });
  h.check((await page.textContent('#opp-panel')).includes('Samlastningsmöjligheter'), 'Swedish texts');

  page = await h.login(city, '#/board/date=2026-02-01');
  await page.waitForSelector('#opp-none', { timeout: 60000 });
  h.check(true, 'empty day says so');
  await h.finish();
} catch (e) {
  await h.finish(e);
}

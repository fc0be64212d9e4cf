// board.mjs — browser test of the groupage board page (web/src/board.js):
// the city sees every delivery of the day by name with the pooling candidate
// flagged; a supplier sees its own delivery and, of the others, only the
// aggregate over three suppliers — never their names or rows — and sees the
// rows of a supplier that opted in to share with it; Swedish texts; the
// public is refused; an empty day says so.  Store: the server fixture
// (tests/fixtures/server/fixture.sql): site A gets S1..S4 on 2026-01-01.
import { start } from './lib.mjs';

const h = await start({ name: 'board' });
try {
  const city = h.token('city', 'CITY');
  const s1 = h.token('supplier', 'S1');
  const pub = h.token('public');

  // the city: all four rows at A, names, the candidate flag
  let page = await h.login(city, '#/board/date=2026-01-01');
  await page.waitForSelector('section.board-site[data-site="A"]');
  const rowsA = await page.$$eval('section[data-site="A"] tbody tr', (t) => t.map((r) => r.dataset.supplier));
  h.check(rowsA.length === 4, `city sees 4 deliveries at A (${rowsA})`);
  h.check(await page.$eval('section[data-site="A"]', (e) => e.dataset.candidate) === '1', 'A is flagged as a pooling candidate');
  const cityText = await page.textContent('#board-body');
  h.check(cityText.includes('Beta Grossist') && cityText.includes('Delta Frukt'), 'city sees supplier names');
  h.check(await page.$eval('[data-count="candidates"] .v', (e) => e.textContent.trim()) !== '0', 'candidate count shown');
  await h.screenshot(page, 'board-city.png');

  // a supplier: own row, aggregate of three others, no names
  page = await h.login(s1, '#/board/date=2026-01-01');
  await page.waitForSelector('section.board-site[data-site="A"]');
  const supRows = await page.$$eval('tbody tr', (t) => t.map((r) => r.dataset.supplier));
  h.check(supRows.length === 2 && supRows.every((s) => s === 'S1'), `supplier sees only its own rows (${supRows})`);
  const supText = await page.textContent('#board-body');
  for (const name of ['Beta', 'Gamma', 'Delta', 'S2', 'S3', 'S4', 'D2'])
    h.check(!supText.includes(name), `supplier view does not show ${name}`);
  h.check(await page.$eval('section[data-site="A"] .others', (e) => e.dataset.others) === '3', 'aggregate of 3 other deliveries at A');
  h.check(supText.includes('3 other deliveries from 3 suppliers'), 'aggregate sentence in English');
  await h.screenshot(page, 'board-supplier.png');

  // S2 opts in to share with S1: its row appears by name
  h.run(['share', 'grant', '--db', h.db, '--owner', 'S2', '--to', 'S1']);
  page = await h.login(s1, '#/board/date=2026-01-01', 'sv');
  await page.waitForSelector('section.board-site[data-site="A"]');
  const shared = await page.$$eval('section[data-site="A"] tbody tr', (t) => t.map((r) => r.dataset.supplier));
  h.check(shared.includes('S2') && !shared.includes('S3'), `shared rows appear (${shared})`);
  const sv = await page.textContent('main');
  h.check(sv.includes('Samlastningstavlan') && sv.includes('delad'), 'Swedish texts');

  // an empty day, and the public
  page = await h.login(city, '#/board/date=2026-02-01');
  await page.waitForSelector('#board-empty');
  h.check(true, 'empty day says so');
  page = await h.login(pub, '#/board/date=2026-01-01');
  await page.waitForSelector('#board-status.error');
  h.check((await page.textContent('#board-status')).length > 0, 'public is refused');
  await h.finish();
} catch (e) {
  await h.finish(e);
}

// emissions.mjs — the dashboard's CO2e figures (issue 4): on a small demo
// city (three weeks, ten units; emissions computed on import) the overview
// shows CO2e cards and the breakdowns by energy carrier and vehicle class,
// and a unit's and a supplier's scorecards show their own CO2e next to
// their delivery KPIs — every number equal to the API's.
import { start } from './lib.mjs';

const h = await start({
  name: 'emissions',
  setup: (db, run) => {
    const dir = `/tmp/sl_browser_emissions_${process.pid}`;
    run(['demo-data', '--seed', '3', '--units', '10', '--days', '21', '--out', dir]);
    for (const k of ['organisations', 'sites', 'contracts', 'vehicles', 'trips', 'orders', 'deliveries'])
      run(['import', '--db', db, '--kind', k, `${dir}/${k}.csv`]);
    // one carrier depot reports its terminal's electricity as a hub (ISO 14083 HOC):
    // the overview then adds hub CO2e and the transport-chain total
    run(['emissions', 'hub', '--db', db, '--site', 'D-CAR-02', '--from', '2025-01-01', '--to', '2025-12-31',
      '--carrier', 'electricity', '--energy', '2000', '--unit', 'kWh', '--handled-t', '50']);
  },
});
try {
  const city = h.token('city');
  const fmtEq = (shown, want) => String(want ?? '') === shown;

  let page = await h.login(city, '#/overview');
  await page.waitForSelector('[data-kpi="co2e_wtw_kg"]');
  const tot = (await h.apiGet('/api/v1/kpis?kpi=co2e_wtw_kg,co2e_primary_pct', city)).body.total.values;
  for (const id of ['co2e_wtw_kg', 'co2e_primary_pct']) {
    const shown = await page.getAttribute(`[data-kpi="${id}"]`, 'data-value');
    h.check(fmtEq(shown, tot[id]), `overview ${id}: dashboard ${shown} = API ${tot[id]}`);
  }
  h.check(tot.co2e_wtw_kg > 0, `the small city has CO2e (${tot.co2e_wtw_kg} kg)`);
  const hubAns = (await h.apiGet('/api/v1/kpis?kpi=co2e_wtw_kg,co2e_hub_kg,co2e_chain_kg', city)).body;
  h.check(hubAns.has_hub_emissions === true, 'the API says hub emissions are recorded');
  const hv = hubAns.total.values;
  h.check(hv.co2e_hub_kg > 0 && Math.abs(hv.co2e_chain_kg - hv.co2e_wtw_kg - hv.co2e_hub_kg) < 0.01,
    `chain ${hv.co2e_chain_kg} kg = transport ${hv.co2e_wtw_kg} + hub ${hv.co2e_hub_kg}`);
  for (const id of ['co2e_hub_kg', 'co2e_chain_kg']) {
    await page.waitForSelector(`[data-kpi="${id}"]`);
    const shown = await page.getAttribute(`[data-kpi="${id}"]`, 'data-value');
    h.check(fmtEq(shown, hv[id]), `overview ${id}: dashboard ${shown} = API ${hv[id]}`);
  }
  await page.waitForSelector('table.breakdown[data-by="vehicle_class"]');
  const carriers = (await h.apiGet('/api/v1/kpis?by=energy_carrier&kpi=co2e_wtw_kg', city)).body.rows.map((r) => r.key);
  const shownCarriers = await page.$$eval('table.breakdown[data-by="energy_carrier"] tbody th', (els) => els.map((e) => e.textContent));
  h.check(JSON.stringify(shownCarriers) === JSON.stringify(carriers), `energy carriers shown: ${shownCarriers.join(', ')} (API: ${carriers.join(', ')})`);
  await h.screenshot(page, 'emissions-overview.png');

  const unit = (await h.apiGet('/api/v1/kpis?by=unit&kpi=co2e_wtw_kg', city)).body.rows.find((r) => r.key !== 'all');
  page = await h.login(city, `#/unit/${encodeURIComponent(unit.key)}`);
  await page.waitForSelector('[data-kpi="co2e_wtw_kg"]');
  const u = (await h.apiGet(`/api/v1/kpis?unit=${encodeURIComponent(unit.key)}&kpi=co2e_wtw_kg,co2e_per_stop_kg`, city)).body.total.values;
  for (const id of ['co2e_wtw_kg', 'co2e_per_stop_kg']) {
    const shown = await page.getAttribute(`[data-kpi="${id}"]`, 'data-value');
    h.check(fmtEq(shown, u[id]), `unit ${unit.key} ${id}: dashboard ${shown} = API ${u[id]}`);
  }
  h.check(u.co2e_wtw_kg !== tot.co2e_wtw_kg, 'the unit card is the unit\'s, not the city\'s');
  await page.waitForSelector('#charts figure');
  h.check((await page.$$('#charts figure')).length === 2, 'two weekly CO2e charts on the unit page');

  const sup = (await h.apiGet('/api/v1/kpis?by=supplier&kpi=co2e_wtw_kg', city)).body.rows.find((r) => r.key !== 'all');
  const stok = h.token('supplier', sup.key);
  page = await h.login(stok, `#/supplier/${encodeURIComponent(sup.key)}`, 'sv');
  await page.waitForSelector('[data-kpi="co2e_wtw_kg"]');
  const sv = (await h.apiGet(`/api/v1/kpis?supplier=${encodeURIComponent(sup.key)}&kpi=co2e_wtw_kg`, stok)).body.total.values;
  const shown = await page.getAttribute('[data-kpi="co2e_wtw_kg"]', 'data-value');
  h.check(fmtEq(shown, sv.co2e_wtw_kg), `supplier ${sup.key} sees its own CO2e: ${shown} = API ${sv.co2e_wtw_kg}`);
  h.check((await page.textContent('main')).includes('Utsläpp'), 'Swedish heading on the supplier page');
  await h.screenshot(page, 'emissions-supplier.png');
} catch (e) {
  await h.finish(e);
}
await h.finish();

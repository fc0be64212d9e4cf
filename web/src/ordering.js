// ordering.js — the dashboard's 'ordering' page (issue 7, smarter ordering):
// the proposed delivery days and order rules per receiving unit and supplier
// category, with deliveries per week, vehicle-km and CO2e before → after,
// per unit and for the city, and the Excel export for the units.
// render(ctx, arg): ctx = { main, api, lang, esc, fmt, stale, gen, go } from app.js.
// Everything shown comes from GET /api/v1/ordering; what a caller sees (all
// units, its own unit, its own supplier relations) is decided by the server.
const TEXT = {
  sv: {
    title: 'Smartare beställning: leveransdagar',
    intro: 'Förslag på leveransdagar och beställningsregler per enhet och varukategori, valda gemensamt för alla enheter så att en leverantör kan besöka grannenheter på samma tur. Färskhets- och lagringsgränserna per kategori hålls alltid.',
    from: 'Från', to: 'Till', show: 'Visa', joint: 'Gemensam optimering', alone: 'Varje enhet för sig',
    xlsx: 'Ladda ner Excel', city: 'Staden', per_week: 'Leveranser per vecka', km: 'Fordonskm (perioden)',
    co2e: 'CO2e, kg (perioden)', small: 'Små ordrar som slås ihop', before: 'före', after: 'efter',
    period: 'Period', weeks: 'veckor', distances: 'Avstånd', co2basis: 'CO2e-underlag',
    gc: 'fågelvägen × omvägsfaktor 1,3 (ingen vägnätsgraf)', road: 'vägnätet', none_basis: '–',
    template: 'Veckans turer med alla leveransdagar', unit_by_unit: 'varje enhet för sig', together: 'gemensamt',
    units: 'Per enhet', proposals: 'Förslag per enhet och kategori', unit: 'Enhet', name: 'Namn',
    category: 'Kategori', current: 'Dagar i dag', proposed: 'Föreslagna dagar', change: 'Förändring',
    order_by: 'Beställ senast', min_order: 'Minsta order (kr)', filter: 'Filtrera på enhet',
    nothing: 'Inga leveranser i perioden.', unchanged: 'inget mönster passar: oförändrat',
    denied: 'Ingen behörighet att se förslaget.', loading: 'Räknar …', which: 'vilka', sek: 'kr',
  },
  en: {
    title: 'Smarter ordering: delivery days',
    intro: 'Proposed delivery days and order rules per unit and goods category, chosen jointly for all units so that a supplier can visit neighbouring units on one tour. Each category\'s freshness and storage limits always hold.',
    from: 'From', to: 'To', show: 'Show', joint: 'Joint optimisation', alone: 'Each unit alone',
    xlsx: 'Download Excel', city: 'City', per_week: 'Deliveries per week', km: 'Vehicle-km (period)',
    co2e: 'CO2e, kg (period)', small: 'Small orders merged', before: 'before', after: 'after',
    period: 'Period', weeks: 'weeks', distances: 'Distances', co2basis: 'CO2e basis',
    gc: 'great circle × detour factor 1.3 (no road graph)', road: 'road network', none_basis: '–',
    template: 'A week of tours on every delivery day', unit_by_unit: 'each unit alone', together: 'joint',
    units: 'Per unit', proposals: 'Proposal per unit and category', unit: 'Unit', name: 'Name',
    category: 'Category', current: 'Days today', proposed: 'Proposed days', change: 'Change',
    order_by: 'Order by', min_order: 'Minimum order (SEK)', filter: 'Filter by unit',
    nothing: 'No deliveries in the period.', unchanged: 'no pattern fits: unchanged',
    denied: 'Not allowed to see the proposal.', loading: 'Computing …', which: 'which', sek: 'SEK',
  },
};

const CAT_SV = {
  food: 'Livsmedel', chilled: 'Kylvaror', frozen: 'Frysvaror', bread: 'Bröd', fruit_veg: 'Frukt och grönt',
  office: 'Kontorsmaterial', cleaning: 'Städ och hygien', health_care: 'Vårdmaterial', beverages: 'Drycker',
  play_material: 'Lekmaterial', school_supplies: 'Skolmaterial', textiles: 'Textil', other: 'Övrigt',
};
const DAY_SV = { Mon: 'mån', Tue: 'tis', Wed: 'ons', Thu: 'tor', Fri: 'fre', Sat: 'lör', Sun: 'sön' };

function days(s, lang) {
  if (lang !== 'sv' || !s) return s;
  return s.split('+').map((d) => DAY_SV[d] || d).join('+');
}

function pct(before, after) {
  if (!before) return '';
  const v = (100 * (after - before)) / before;
  return `${v > 0 ? '+' : ''}${v.toFixed(1)} %`;
}

export async function render(ctx, arg) {
  const T = TEXT[ctx.lang] || TEXT.en;
  const { esc, fmt } = ctx;
  // the small orders that would travel with another order, per group
  const smallList = (g) => (g.small_orders_merging && g.small_orders_merging.length
    ? `<details class="ord-small"><summary>${esc(T.which)}</summary><ul>${g.small_orders_merging.map((o) =>
      `<li>${esc(o.order)} (${esc(o.supplier)}), ${esc(o.day)}, ${fmt(o.value_sek, 0)} ${esc(T.sek)} → ${esc(o.delivered)}</li>`).join('')}</ul></details>`
    : '');
  const params = new URLSearchParams(arg || '');
  const from = params.get('from') || '', to = params.get('to') || '';
  const joint = params.get('joint') !== '0';
  ctx.main.innerHTML = `<h2>${esc(T.title)}</h2><p>${esc(T.intro)}</p>
  <form class="filters" id="ord-form">
    <label>${esc(T.from)}<input name="from" type="date" value="${esc(from)}"></label>
    <label>${esc(T.to)}<input name="to" type="date" value="${esc(to)}"></label>
    <label>${esc(T.joint)}<select name="joint"><option value="1"${joint ? ' selected' : ''}>${esc(T.joint)}</option>
      <option value="0"${joint ? '' : ' selected'}>${esc(T.alone)}</option></select></label>
    <button>${esc(T.show)}</button> <button type="button" id="ord-xlsx">${esc(T.xlsx)}</button></form>
  <p id="ord-status" class="muted" aria-live="polite">${esc(T.loading)}</p>
  <div id="ord-city"></div><div id="ord-units"></div><div id="ord-groups"></div>`;
  const $ = (s) => ctx.main.querySelector(s);
  const query = () => {
    const q = new URLSearchParams();
    if (from && to) { q.set('from', from); q.set('to', to); }
    if (!joint) q.set('joint', '0');
    return q.toString();
  };
  $('#ord-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    const q = new URLSearchParams();
    if (fd.get('from') && fd.get('to')) { q.set('from', fd.get('from')); q.set('to', fd.get('to')); }
    if (fd.get('joint') === '0') q.set('joint', '0');
    ctx.go(`#/ordering/${q.toString()}`);
  });
  $('#ord-xlsx').addEventListener('click', async () => {
    // the token travels in a header, so fetch the workbook and hand it over
    const tok = localStorage.getItem('samlast.token');
    const r = await fetch(`/api/v1/ordering/export.xlsx?${query()}`, { headers: tok ? { Authorization: `Bearer ${tok}` } : {} });
    if (!r.ok) { $('#ord-status').textContent = T.denied; return; }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await r.blob());
    a.download = 'leveransdagar.xlsx';
    a.click();
  });

  const r = await ctx.api(`/api/v1/ordering?${query()}`);
  if (ctx.stale(ctx.gen)) return;
  if (r.status !== 200) {
    $('#ord-status').className = 'error';
    $('#ord-status').textContent = (r.body && r.body.detail) || T.denied;
    return;
  }
  const b = r.body;
  const basis = b.distance_basis === 'road_graph' ? T.road : b.distance_basis === 'none' ? T.none_basis : T.gc;
  $('#ord-status').className = 'muted';
  $('#ord-status').textContent = `${T.period}: ${b.period.from} – ${b.period.to} (${fmt(b.period.weeks, 1)} ${T.weeks}). ${T.distances}: ${basis}. ${T.co2basis}: ${ctx.lang === 'sv' ? b.co2e_basis_sv : b.co2e_basis}.`;
  const c = b.city;
  const card = (name, before, after, dec, key) => `<div class="card" data-ord="${key}" data-before="${before}" data-after="${after}">
      <div class="n">${esc(name)}</div><div class="v">${fmt(before, dec)} → ${fmt(after, dec)}</div>
      <div class="n">${esc(pct(before, after))}</div></div>`;
  $('#ord-city').innerHTML = `<h3>${esc(T.city)}</h3><div class="cards">
    ${card(T.per_week, c.per_week_before, c.per_week_after, 1, 'per_week')}
    ${card(T.km, c.km_before, c.km_after, 0, 'km')}
    ${card(T.co2e, c.co2e_before_kg, c.co2e_after_kg, 0, 'co2e')}
    <div class="card" data-ord="small"><div class="n">${esc(T.small)}</div><div class="v">${fmt(c.small_orders_merged, 0)}</div>
      <div class="n">/ ${fmt(c.small_orders, 0)}</div></div></div>
    <p class="muted" id="ord-template">${esc(T.template)}: ${fmt(b.optimisation.template_km_unit_by_unit, 0)} km (${esc(T.unit_by_unit)}) → ${fmt(b.optimisation.template_km_joint, 0)} km (${esc(T.together)})</p>`;
  if (!b.groups.length) {
    $('#ord-groups').innerHTML = `<p id="ord-empty">${esc(T.nothing)}</p>`;
    return;
  }
  $('#ord-units').innerHTML = `<h3>${esc(T.units)}</h3><table id="ord-unit-table"><thead><tr>
    <th scope="col">${esc(T.unit)}</th><th scope="col">${esc(T.name)}</th>
    <th scope="col">${esc(T.per_week)} (${esc(T.before)} → ${esc(T.after)})</th><th scope="col">${esc(T.change)}</th>
    <th scope="col">${esc(T.km)}</th><th scope="col">${esc(T.small)}</th></tr></thead><tbody>
    ${b.units.map((u) => `<tr data-unit="${esc(u.unit)}"><td><a href="#" data-pick="${esc(u.unit)}">${esc(u.unit)}</a></td><td>${esc(u.name)}</td>
      <td>${fmt(u.per_week_before, 2)} → ${fmt(u.per_week_after, 2)}</td><td>${esc(pct(u.per_week_before, u.per_week_after))}</td>
      <td>${fmt(u.km_before, 0)} → ${fmt(u.km_after, 0)}</td><td>${fmt(u.small_orders_merged, 0)} / ${fmt(u.small_orders, 0)}</td></tr>`).join('')}
    </tbody></table>`;
  $('#ord-groups').innerHTML = `<h3>${esc(T.proposals)}</h3>
    <label>${esc(T.filter)} <input id="ord-filter" list="ord-unit-list"></label>
    <datalist id="ord-unit-list">${b.units.map((u) => `<option value="${esc(u.unit)}">${esc(u.name)}</option>`).join('')}</datalist>
    <table id="ord-group-table"><thead><tr><th scope="col">${esc(T.unit)}</th><th scope="col">${esc(T.category)}</th>
    <th scope="col">${esc(T.current)}</th><th scope="col">${esc(T.proposed)}</th>
    <th scope="col">${esc(T.per_week)} (${esc(T.before)} → ${esc(T.after)})</th><th scope="col">${esc(T.km)}</th>
    <th scope="col">${esc(T.min_order)}</th><th scope="col">${esc(T.order_by)}</th><th scope="col">${esc(T.small)}</th></tr></thead>
    <tbody>${b.groups.map((g) => `<tr data-unit="${esc(g.unit)}" data-category="${esc(g.category)}" data-proposed="${esc(g.proposed_days)}">
      <td>${esc(g.unit)}</td><td>${esc(ctx.lang === 'sv' ? CAT_SV[g.category] || g.category : g.category)}</td>
      <td>${esc(days(g.current_days, ctx.lang))}</td>
      <td><strong>${esc(days(g.proposed_days, ctx.lang))}</strong>${g.feasible ? '' : ` <span class="muted">(${esc(T.unchanged)})</span>`}</td>
      <td>${fmt(g.per_week_before, 2)} → ${fmt(g.per_week_after, 2)}</td><td>${fmt(g.km_before, 0)} → ${fmt(g.km_after, 0)}</td>
      <td>${fmt(g.rules.min_order_sek, 0)}</td><td>${esc(ctx.lang === 'sv' ? g.rules.order_by_sv : g.rules.order_by)}</td>
      <td>${fmt(g.small_orders_merged, 0)} / ${fmt(g.small_orders, 0)}${smallList(g)}</td></tr>`).join('')}</tbody></table>`;
  const filter = (u) => {
    ctx.main.querySelectorAll('#ord-group-table tbody tr').forEach((tr) => { tr.hidden = !!u && tr.dataset.unit !== u; });
  };
  $('#ord-filter').addEventListener('input', (e) => filter(e.target.value.trim()));
  ctx.main.querySelectorAll('[data-pick]').forEach((a) => a.addEventListener('click', (e) => {
    e.preventDefault();
    $('#ord-filter').value = a.dataset.pick;
    filter(a.dataset.pick);
    $('#ord-groups').scrollIntoView();
  }));
}

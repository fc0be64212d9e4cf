// opportunities.js — the pooling-opportunities panel of the groupage board
// (issue 7, item 3): where suppliers delivering to the same or neighbouring
// units in overlapping time windows could pool, and what it would save in
// site visits, vehicle-km and CO2e.  board.js imports it and calls
// renderOpportunities(ctx, el, date) with ctx = { api, lang, esc, fmt, stale,
// gen } from app.js, el the element to fill and date 'YYYY-MM-DD'.
// Everything comes from GET /api/v1/pooling/opportunities; what a caller sees
// (names, sites, tours) is decided by the server's role rules.
const TEXT = {
  sv: {
    title: 'Samlastningsmöjligheter',
    intro: 'Leveranser från flera leverantörer till samma eller närliggande enheter inom överlappande tidsfönster. Besparingen är beräknad med ruttplanering: leverantörernas egna turer som de körs i dag mot samlastade turer.',
    days: 'Dagar', show: 'Visa', loading: 'Räknar …', none: 'Inga samlastningsmöjligheter dessa dagar.',
    denied: 'Ingen behörighet att se samlastningsmöjligheter.',
    total: 'Totalt', opportunities: 'möjligheter', visits: 'Färre besök', km: 'Sparade fordonskm',
    co2e: 'Sparad CO2e, kg', day: 'Dag', window: 'Tidsfönster', suppliers: 'Leverantörer', deliveries: 'Leveranser',
    visits_col: 'Besök före → efter', km_col: 'Fordonskm före → efter', saved: 'Sparat', parties: 'Parter',
    sites: 'Enheter', model: 'Hur', handover: 'lämnas över till en annan leverantörs tur',
    shared_trip: 'gemensam tur', you: 'du', others: 'andra leverantörer', suppressed: 'andra (färre än tre: visas inte)',
    distances: 'Avstånd', gc: 'fågelvägen × omvägsfaktor 1,3 (ingen vägnätsgraf)', road: 'vägnätet',
    quality: 'CO2e-underlag', q_vehicle: 'fordonets egna resor', q_class_average: 'snitt för fordonsklass och bränsle',
    q_city_average: 'stadens snitt', q_assumed: 'antagande', tours: 'Samlastade turer', vehicle_of: 'Fordon från',
    pickup: 'hämta hos', deliver: 'lämna hos', kg: 'kg',
    hidden: 'Dolt: färre än tre andra leverantörer skulle kunna urskiljas',
    joint: (n, v, km, co2) => `Genomförs alla tillsammans (samma turer kan bara användas en gång): ${n} möjligheter, ${v} färre besök, ${km} fordonskm och ${co2} kg CO2e sparas.`,
  },
  en: {
    title: 'Pooling opportunities',
    intro: 'Deliveries from several suppliers to the same or neighbouring units in overlapping time windows. The saving is computed with route planning: the suppliers\' own tours as they run today against pooled tours.',
    days: 'Days', show: 'Show', loading: 'Computing …', none: 'No pooling opportunities on these days.',
    denied: 'Not allowed to see pooling opportunities.',
    total: 'Total', opportunities: 'opportunities', visits: 'Fewer site visits', km: 'Vehicle-km saved',
    co2e: 'CO2e saved, kg', day: 'Day', window: 'Window', suppliers: 'Suppliers', deliveries: 'Deliveries',
    visits_col: 'Visits before → after', km_col: 'Vehicle-km before → after', saved: 'Saved', parties: 'Parties',
    sites: 'Units', model: 'How', handover: 'handed over to another supplier\'s tour',
    shared_trip: 'shared tour', you: 'you', others: 'other suppliers', suppressed: 'others (fewer than three: not shown)',
    distances: 'Distances', gc: 'great circle × detour factor 1.3 (no road graph)', road: 'road network',
    quality: 'CO2e basis', q_vehicle: 'the vehicle\'s own trips', q_class_average: 'average of vehicle class and fuel',
    q_city_average: 'city average', q_assumed: 'assumption', tours: 'Pooled tours', vehicle_of: 'Vehicle of',
    pickup: 'pick up at', deliver: 'deliver to', kg: 'kg',
    hidden: 'Hidden: fewer than three other suppliers could be told apart',
    joint: (n, v, km, co2) => `Carried out together (a tour can only be changed once): ${n} opportunities, ${v} fewer site visits, ${km} vehicle-km and ${co2} kg CO2e saved.`,
  },
};

export { TEXT as OPPORTUNITY_TEXT };

function parties(o, T, esc) {
  const named = o.parties.map((p) => `${esc(p.name)}${p.self ? ` (${esc(T.you)})` : ''}`);
  if (o.others && o.others.suppressed) named.push(esc(T.suppressed));
  else if (o.others) named.push(`${o.others.suppliers} ${esc(T.others)}`);
  return named.join(', ');
}

function tours(o, T, esc, fmt) {
  if (!o.tours || !o.tours.length) return '';
  return `<details><summary>${esc(T.tours)} (${o.tours.length})</summary><ol>${o.tours.map((t) => `<li>${esc(T.vehicle_of)} ${esc(t.vehicle_of)}, ${fmt(t.km, 1)} km: ${t.stops.map((s) => (s.pickup_at
    ? `${esc(T.pickup)} ${esc(s.pickup_at)}` : `${esc(T.deliver)} ${esc(s.deliver_to)} ${esc(s.arrival)}`)).join(' → ')}</li>`).join('')}</ol></details>`;
}

export async function renderOpportunities(ctx, el, date) {
  const T = TEXT[ctx.lang] || TEXT.en;
  const { esc, fmt } = ctx;
  const gen = ctx.gen;
  el.innerHTML = `<section id="opp-panel"><h3>${esc(T.title)}</h3><p class="muted">${esc(T.intro)}</p>
    <form id="opp-form" class="row"><label>${esc(T.days)} <select name="days">${[1, 5, 7].map((n) => `<option value="${n}">${n}</option>`).join('')}</select></label>
    <button type="submit">${esc(T.show)}</button></form>
    <p id="opp-status" class="muted">${esc(T.loading)}</p><div id="opp-body"></div></section>`;
  const $ = (s) => el.querySelector(s);
  const load = async (days) => {
    $('#opp-status').className = 'muted';
    $('#opp-status').textContent = T.loading;
    $('#opp-body').innerHTML = '';
    const r = await ctx.api(`/api/v1/pooling/opportunities?date=${encodeURIComponent(date)}&days=${days}`);
    if (ctx.stale && ctx.stale(gen)) return;
    if (r.status !== 200) {
      $('#opp-status').className = 'error';
      $('#opp-status').textContent = (r.body && r.body.detail) || T.denied;
      return;
    }
    const b = r.body;
    const basis = b.distance_basis === 'road_graph' ? T.road : T.gc;
    $('#opp-status').textContent = `${b.from} – ${b.to}. ${T.distances}: ${basis}.`;
    if (!b.opportunities.length) {
      $('#opp-body').innerHTML = `<p id="opp-none">${esc(T.none)}</p>`;
      return;
    }
    const t = b.totals;
    const rows = b.opportunities.map((o) => `<tr data-km-saved="${o.km_saved}">
      <td>${esc(o.day)}</td><td>${o.figures_hidden ? '–' : esc(o.window)}</td>
      <td>${o.figures_hidden ? '–' : o.suppliers}</td><td>${o.figures_hidden ? '–' : o.deliveries}</td>
      <td>${o.figures_hidden ? `−${o.visits_removed}` : `${o.visits_before} → ${o.visits_after}`}</td>
      <td>${o.figures_hidden ? `<span class="muted" title="${esc(T.hidden)}">–</span>` : `${fmt(o.km_before, 0)} → ${fmt(o.km_after, 0)}`}</td>
      <td><strong>${fmt(o.km_saved, 1)} km</strong><br>${fmt(o.co2e_saved_kg, 1)} kg CO2e <span class="muted" title="${esc(T.quality)}">(${esc(T[`q_${o.co2e_quality}`] || o.co2e_quality)})</span></td>
      <td>${esc(T[o.model] || o.model)}</td><td>${parties(o, T, esc)}</td>
      <td>${o.visible_sites.map((s) => esc(s.name)).join(', ')}${tours(o, T, esc, fmt)}</td></tr>`).join('');
    $('#opp-body').innerHTML = `<div class="cards" id="opp-totals">
      <div class="card"><div class="n">${esc(T.total)}</div><div class="v">${t.opportunities}</div><div class="n">${esc(T.opportunities)}</div></div>
      <div class="card"><div class="n">${esc(T.visits)}</div><div class="v">${fmt(t.visits_removed, 0)}</div></div>
      <div class="card"><div class="n">${esc(T.km)}</div><div class="v">${fmt(t.km_saved, 0)}</div></div>
      <div class="card"><div class="n">${esc(T.co2e)}</div><div class="v">${fmt(t.co2e_saved_kg, 0)}</div></div></div>
      ${t.joint_opportunities === undefined ? '' : `<p id="opp-joint" data-joint-km="${t.joint_km_saved}">${esc(T.joint(t.joint_opportunities, fmt(t.joint_visits_removed, 0), fmt(t.joint_km_saved, 0), fmt(t.joint_co2e_saved_kg, 0)))}</p>`}
      <table id="opp-table"><thead><tr><th>${esc(T.day)}</th><th>${esc(T.window)}</th><th>${esc(T.suppliers)}</th>
      <th>${esc(T.deliveries)}</th><th>${esc(T.visits_col)}</th><th>${esc(T.km_col)}</th><th>${esc(T.saved)}</th>
      <th>${esc(T.model)}</th><th>${esc(T.parties)}</th><th>${esc(T.sites)}</th></tr></thead><tbody>${rows}</tbody></table>`;
  };
  $('#opp-form').addEventListener('submit', (e) => {
    e.preventDefault();
    load(Number(new FormData(e.target).get('days')) || 1);
  });
  await load(1);
}

// followup.js — the dashboard's 'followup' page (issue 7, item 5): the pilot
// targets followed week by week.  The city table lists every receiving unit
// it may see with its status (on track / not yet / no baseline), baseline and
// recent deliveries per week, contract fidelity, small orders and realised
// pooled deliveries; a unit's own view has weekly charts (uPlot) with the
// baseline and target lines.  City and admin tokens can set baselines here.
// render(ctx, arg): ctx = { main, api, lang, esc, fmt, stale, gen, go } from app.js;
// arg is a query string (from, to, unit).  Everything comes from
// GET /api/v1/followup; what a caller sees is decided by the server.
import uPlot from 'uplot';

const TEXT = {
  sv: {
    title: 'Uppföljning mot målen',
    intro: 'Vecka för vecka: leveranser per enhet, avtalstrohet och små ordrar jämfört med enhetens baslinje (dess veckomedel) och pilotens mål, med de samlastade leveranserna som faktiskt blev av.',
    from: 'Från', to: 'Till', show: 'Visa', all_units: 'Alla enheter', period: 'Period', status_window: 'Status avgörs av',
    targets: 'Mål', target_deliv: 'leveranser', target_fid: 'avtalstrohet minst',
    on_track: 'I fas', not_yet: 'Inte än', no_baseline: 'Ingen baslinje', units: 'enheter',
    unit: 'Enhet', name: 'Namn', status: 'Status', base_pw: 'Baslinje/v', now_pw: 'Nu/v', change: 'Förändring',
    fidelity: 'Avtalstrohet', small: 'Små ordrar', pooled: 'Samlastade', city: 'Staden totalt', own_total: 'Totalt (egna)',
    week: 'Vecka', deliveries: 'Leveranser', orders: 'Ordrar', baseline: 'Baslinje', target: 'Mål',
    deliv_chart: 'Leveranser per vecka', fid_chart: 'Avtalstrohet per vecka (%)', pooled_chart: 'Samlastade leveranser per vecka',
    default_base: 'stadens standard', own_base: 'egen', none: 'ingen', back: 'Tillbaka till alla enheter',
    set_title: 'Sätt baslinje', set_for_unit: 'för den här enheten', set_default: 'stadens standard (alla enheter utan egen)',
    note: 'Anteckning', save: 'Spara', saved: 'Baslinjen är sparad; den gamla finns kvar i historiken.',
    denied: 'Ingen behörighet att se uppföljningen.', loading: 'Räknar …', nothing: 'Inga enheter att visa.',
    per_wk: 'leveranser/vecka', filter: 'Filtrera', pooled_def: 'Samlastad = leveransen gick på en tur som även hade en annan leverantörs leveranser.',
  },
  en: {
    title: 'Follow-up against the targets',
    intro: 'Week by week: deliveries per unit, contract fidelity and small orders against the unit\'s baseline (its weekly average) and the pilot\'s targets, with the pooled deliveries that were actually realised.',
    from: 'From', to: 'To', show: 'Show', all_units: 'All units', period: 'Period', status_window: 'Status decided by',
    targets: 'Targets', target_deliv: 'deliveries', target_fid: 'contract fidelity at least',
    on_track: 'On track', not_yet: 'Not yet', no_baseline: 'No baseline', units: 'units',
    unit: 'Unit', name: 'Name', status: 'Status', base_pw: 'Baseline/wk', now_pw: 'Now/wk', change: 'Change',
    fidelity: 'Contract fidelity', small: 'Small orders', pooled: 'Pooled', city: 'City total', own_total: 'Total (own)',
    week: 'Week', deliveries: 'Deliveries', orders: 'Orders', baseline: 'Baseline', target: 'Target',
    deliv_chart: 'Deliveries per week', fid_chart: 'Contract fidelity per week (%)', pooled_chart: 'Pooled deliveries per week',
    default_base: 'city default', own_base: 'own', none: 'none', back: 'Back to all units',
    set_title: 'Set baseline', set_for_unit: 'for this unit', set_default: 'city default (every unit without its own)',
    note: 'Note', save: 'Save', saved: 'The baseline is saved; the previous one stays in the history.',
    denied: 'Not allowed to see the follow-up.', loading: 'Computing …', nothing: 'No units to show.',
    per_wk: 'deliveries/week', filter: 'Filter', pooled_def: 'Pooled = the delivery travelled on a trip that also carried another supplier\'s deliveries.',
  },
};

const pct = (v, fmt) => (v === null || v === undefined ? '–' : `${v > 0 ? '+' : ''}${fmt(v, 1)} %`);

function chart(el, title, weeks, series, height = 220) {
  const box = document.createElement('figure');
  box.className = 'fu-chart';
  box.innerHTML = `<figcaption></figcaption>`;
  box.querySelector('figcaption').textContent = title;
  el.appendChild(box);
  const xs = weeks.map((w) => Date.parse(w.from) / 1000);
  const width = Math.min(640, el.clientWidth || 640);
  new uPlot({
    width, height,
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: s.width || 2, dash: s.dash, spanGaps: true }))],
    axes: [{}, {}],
  }, [xs, ...series.map((s) => s.values)], box);
}

function statusCell(T, s) {
  return `<span class="fu-status fu-${s}" data-status="${s}">${T[s] || s}</span>`;
}

export async function render(ctx, arg) {
  const T = TEXT[ctx.lang] || TEXT.en;
  const { esc, fmt } = ctx;
  const params = new URLSearchParams(arg || '');
  const from = params.get('from') || '', to = params.get('to') || '', unit = params.get('unit') || '';
  const link = (extra) => {
    const q = new URLSearchParams();
    if (from && to) { q.set('from', from); q.set('to', to); }
    Object.entries(extra).forEach(([k, v]) => { if (v) q.set(k, v); });
    return `#/followup/${q.toString()}`;
  };
  ctx.main.innerHTML = `<h2>${esc(T.title)}</h2><p>${esc(T.intro)}</p>
  <form class="filters" id="fu-form">
    <label>${esc(T.from)}<input name="from" type="date" value="${esc(from)}"></label>
    <label>${esc(T.to)}<input name="to" type="date" value="${esc(to)}"></label>
    <button>${esc(T.show)}</button></form>
  <p id="fu-status" class="muted" aria-live="polite">${esc(T.loading)}</p>
  <div id="fu-body"></div><div id="fu-baseline"></div>`;
  const $ = (s) => ctx.main.querySelector(s);
  $('#fu-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    const q = new URLSearchParams();
    if (fd.get('from') && fd.get('to')) { q.set('from', fd.get('from')); q.set('to', fd.get('to')); }
    if (unit) q.set('unit', unit);
    ctx.go(`#/followup/${q.toString()}`);
  });

  const q = new URLSearchParams();
  if (from && to) { q.set('from', from); q.set('to', to); }
  if (unit) q.set('unit', unit); else q.set('weeks', '0');
  let r = await ctx.api(`/api/v1/followup?${q.toString()}`);
  if (ctx.stale(ctx.gen)) return;
  if (r.status !== 200) {
    $('#fu-status').className = 'error';
    $('#fu-status').textContent = (r.body && r.body.detail) || T.denied;
    return;
  }
  // a unit token with a single site goes straight to its weekly view
  if (!unit && !r.body.total && r.body.units.length === 1) {
    q.set('unit', r.body.units[0].unit);
    q.delete('weeks');
    r = await ctx.api(`/api/v1/followup?${q.toString()}`);
    if (ctx.stale(ctx.gen)) return;
    if (r.status !== 200) { $('#fu-status').className = 'error'; $('#fu-status').textContent = r.body.detail || T.denied; return; }
  }
  const b = r.body;
  $('#fu-status').className = 'muted';
  $('#fu-status').textContent = `${T.period}: ${b.period.from} – ${b.period.to}. ${T.status_window}: ${b.status_window.from} – ${b.status_window.to}. ${T.targets}: ${T.target_deliv} ${pct(b.targets.deliveries_change_pct, fmt)}, ${T.target_fid} ${fmt(b.targets.fidelity_pct, 0)} %.`;
  const one = q.get('unit') ? b.units[0] : null;
  if (one) unitView(ctx, T, b, one, $('#fu-body'), link);
  else cityView(ctx, T, b, $('#fu-body'), link);
  baselineForm(ctx, T, one, $('#fu-baseline'));
}

function row(ctx, T, u, link, total) {
  const { esc, fmt } = ctx;
  const base = u.baseline ? fmt(u.baseline.deliveries_per_week, 2) : '–';
  return `<tr data-unit="${esc(u.unit)}" data-status="${esc(u.status)}">
    <td>${total ? esc(u.unit) : `<a href="${esc(link({ unit: u.unit }))}">${esc(u.unit)}</a>`}</td><td>${esc(u.name)}</td>
    <td>${statusCell(T, u.status)}</td><td>${base}</td><td>${fmt(u.recent.deliveries_per_week, 2)}</td>
    <td>${pct(u.recent.deliveries_change_pct, fmt)}</td><td>${u.recent.fidelity_pct === null ? '–' : `${fmt(u.recent.fidelity_pct, 1)} %`}</td>
    <td>${fmt(u.small_orders, 0)}</td><td>${fmt(u.pooled, 0)}</td></tr>`;
}

function cityView(ctx, T, b, el, link) {
  const { esc, fmt } = ctx;
  const s = b.summary;
  el.innerHTML = `<div class="cards" id="fu-summary">
      <div class="card" data-count="on_track"><div class="n">${esc(T.on_track)}</div><div class="v">${fmt(s.on_track, 0)}</div><div class="n">${esc(T.units)}</div></div>
      <div class="card" data-count="not_yet"><div class="n">${esc(T.not_yet)}</div><div class="v">${fmt(s.not_yet, 0)}</div><div class="n">${esc(T.units)}</div></div>
      <div class="card" data-count="no_baseline"><div class="n">${esc(T.no_baseline)}</div><div class="v">${fmt(s.no_baseline, 0)}</div><div class="n">${esc(T.units)}</div></div></div>
    <div class="charts" id="fu-charts"></div>
    ${b.units.length ? '' : `<p id="fu-empty">${esc(T.nothing)}</p>`}
    <label>${esc(T.filter)} <input id="fu-filter" type="search"></label>
    <table id="fu-table"><thead><tr><th scope="col">${esc(T.unit)}</th><th scope="col">${esc(T.name)}</th><th scope="col">${esc(T.status)}</th>
      <th scope="col">${esc(T.base_pw)}</th><th scope="col">${esc(T.now_pw)}</th><th scope="col">${esc(T.change)}</th>
      <th scope="col">${esc(T.fidelity)}</th><th scope="col">${esc(T.small)}</th><th scope="col">${esc(T.pooled)}</th></tr></thead>
      <tbody>${b.units.map((u) => row(ctx, T, u, link, false)).join('')}</tbody>
      ${b.total ? `<tfoot>${row(ctx, T, { ...b.total, unit: b.total.unit, name: b.total.name === 'All units' ? T.city : T.own_total }, link, true)}</tfoot>` : ''}
    </table><p class="muted">${esc(T.pooled_def)}</p>`;
  el.querySelector('#fu-filter').addEventListener('input', (e) => {
    const v = e.target.value.trim().toLowerCase();
    el.querySelectorAll('#fu-table tbody tr').forEach((tr) => { tr.hidden = !!v && !tr.textContent.toLowerCase().includes(v); });
  });
  if (b.total && b.total.weeks) weekCharts(ctx, T, b.total, el.querySelector('#fu-charts'), b.targets);
}

function weekCharts(ctx, T, u, el, targets) {
  const w = u.weeks;
  if (!w || !w.length) return;
  // deliveries per week, scaled to 7 days for weeks cut by the period
  const perWeek = w.map((k) => {
    const days = (Date.parse(k.to) - Date.parse(k.from)) / 86400000 + 1;
    return k.deliveries * 7 / days;
  });
  const base = u.baseline ? u.baseline.deliveries_per_week : null;
  chart(el, T.deliv_chart, w, [
    { label: T.deliveries, stroke: '#0b5394', values: perWeek },
    { label: T.baseline, stroke: '#6c757d', dash: [6, 4], values: w.map(() => base) },
    { label: `${T.target} (${targets.deliveries_change_pct} %)`, stroke: '#2b8a3e', dash: [2, 3], values: w.map(() => u.target_deliveries_per_week) },
  ]);
  chart(el, T.fid_chart, w, [
    { label: T.fidelity, stroke: '#0b5394', values: w.map((k) => k.fidelity_pct) },
    { label: T.baseline, stroke: '#6c757d', dash: [6, 4], values: w.map(() => (u.baseline ? u.baseline.fidelity_pct : null)) },
    { label: `${T.target} (${targets.fidelity_pct} %)`, stroke: '#2b8a3e', dash: [2, 3], values: w.map(() => targets.fidelity_pct) },
  ]);
  chart(el, T.pooled_chart, w, [{ label: T.pooled, stroke: '#7048e8', values: w.map((k) => k.pooled) }], 160);
}

function unitView(ctx, T, b, u, el, link) {
  const { esc, fmt } = ctx;
  const base = u.baseline
    ? `${esc(u.baseline.from)} – ${esc(u.baseline.to)} (${esc(u.baseline.default ? T.default_base : T.own_base)}): ${fmt(u.baseline.deliveries_per_week, 2)} ${esc(T.per_wk)}, ${fmt(u.baseline.fidelity_pct, 1)} %`
    : esc(T.none);
  el.innerHTML = `<p><a href="${esc(link({}))}" id="fu-back">${esc(T.back)}</a></p>
    <h3 id="fu-unit" data-unit="${esc(u.unit)}">${esc(u.name)} (${esc(u.unit)}) ${statusCell(T, u.status)}</h3>
    <p id="fu-base">${esc(T.baseline)}: ${base}</p>
    <div class="charts" id="fu-charts"></div>
    <table id="fu-weeks"><thead><tr><th scope="col">${esc(T.week)}</th><th scope="col">${esc(T.deliveries)}</th>
      <th scope="col">${esc(T.change)}</th><th scope="col">${esc(T.orders)}</th><th scope="col">${esc(T.fidelity)}</th>
      <th scope="col">${esc(T.small)}</th><th scope="col">${esc(T.pooled)}</th></tr></thead><tbody>
      ${u.weeks.map((k) => `<tr data-week="${esc(k.week)}"><td>${esc(k.week)}</td><td>${fmt(k.deliveries, 0)}</td>
        <td>${pct(k.deliveries_change_pct, fmt)}</td><td>${fmt(k.orders, 0)}</td>
        <td>${k.fidelity_pct === null ? '–' : `${fmt(k.fidelity_pct, 1)} %`}</td><td>${fmt(k.small_orders, 0)}</td><td>${fmt(k.pooled, 0)}</td></tr>`).join('')}
    </tbody></table><p class="muted">${esc(T.pooled_def)}</p>`;
  weekCharts(ctx, T, u, el.querySelector('#fu-charts'), b.targets);
}

// Only city and admin tokens may set baselines; the server says no to the
// others, so the form is shown only after GET /followup/baselines succeeds.
async function baselineForm(ctx, T, one, el) {
  const { esc } = ctx;
  const probe = await ctx.api('/api/v1/followup/baselines');
  if (probe.status !== 200 || ctx.stale(ctx.gen)) return;
  el.innerHTML = `<h3>${esc(T.set_title)}</h3><form class="filters" id="fu-set">
    <label>${esc(T.from)}<input name="from" type="date" required></label>
    <label>${esc(T.to)}<input name="to" type="date" required></label>
    <label>${esc(T.note)}<input name="note" maxlength="190"></label>
    <span class="muted">${esc(one ? `${T.set_for_unit} (${one.unit})` : T.set_default)}</span>
    <button>${esc(T.save)}</button></form><p id="fu-set-msg" aria-live="polite"></p>`;
  el.querySelector('#fu-set').addEventListener('submit', async (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    const body = { unit: one ? one.unit : null, from: fd.get('from'), to: fd.get('to') };
    if (fd.get('note')) body.note = fd.get('note');
    const r = await ctx.api('/api/v1/followup/baselines', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const msg = el.querySelector('#fu-set-msg');
    msg.className = r.status === 201 ? '' : 'error';
    msg.textContent = r.status === 201 ? T.saved : (r.body && r.body.detail) || String(r.status);
    if (r.status === 201) setTimeout(() => ctx.go(location.hash), 600);
  });
}

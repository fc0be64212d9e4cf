// board.js — the dashboard's 'board' page of the groupage place (issue 7,
// item 2): one day's announced and delivered deliveries per receiving site,
// with pooling candidates flagged (several suppliers with small loads at the
// same site; neighbouring sites in overlapping windows), and below it the
// pooling-opportunities panel (opportunities.js).  Everything comes from
// GET /api/v1/pooling/board; what a caller sees (names, rows, aggregates over
// at least three suppliers) is decided by the server's role rules.
// render(ctx, arg): ctx = { main, api, lang, esc, fmt, stale, gen, go } from
// app.js; arg is a query string (date, site, only=candidates).
import { renderOpportunities } from './opportunities.js';

const TEXT = {
  sv: {
    title: 'Samlastningstavlan',
    intro: 'Dagens aviserade och levererade leveranser per enhet. Markerade enheter får små leveranser från flera leverantörer samma dag, eller ligger nära en annan enhet med små leveranser i överlappande tidsfönster — där lönar det sig att samlasta.',
    date: 'Dag', show: 'Visa', only: 'Bara samlastningskandidater', loading: 'Hämtar …',
    denied: 'Ingen behörighet att se samlastningstavlan.', empty: 'Inga leveranser den här dagen.',
    sites: 'Enheter', deliveries: 'Synliga leveranser', candidates: 'Samlastningskandidater',
    candidate: 'Samlastningskandidat', same_site: 'flera leverantörer med små leveranser',
    nearby: 'Nära', time: 'Tid', status: 'Status', supplier: 'Leverantör', id: 'Id', kg: 'kg', parcels: 'Kollin',
    temp: 'Temp.', window: 'Tidsfönster', announced: 'aviserad', delivered: 'levererad', own: 'egen', shared: 'delad',
    small: 'liten', confirms: 'bekräftar avisering', all: 'Alla enheter',
    others: (n, s, kg, p, w) => `${n} andra leveranser från ${s} leverantörer anländer hit denna dag, totalt ${kg} kg i ${p} kollin, ${w}.`,
    rule: 'Andra leverantörers leveranser visas bara som summor, och bara när minst tre leverantörer ingår — om de inte har valt att dela med dig.',
    ambient: 'torrt', chilled: 'kyl', frozen: 'frys', mixed: 'blandat', m: 'm',
  },
  en: {
    title: 'The groupage board',
    intro: 'The day\'s announced and delivered deliveries per receiving unit. Flagged units get small loads from several suppliers on the same day, or lie close to another unit with small loads in overlapping windows — that is where pooling pays.',
    date: 'Day', show: 'Show', only: 'Pooling candidates only', loading: 'Loading …',
    denied: 'Not allowed to see the groupage board.', empty: 'No deliveries on this day.',
    sites: 'Sites', deliveries: 'Visible deliveries', candidates: 'Pooling candidates',
    candidate: 'Pooling candidate', same_site: 'several suppliers with small loads',
    nearby: 'Near', time: 'Time', status: 'Status', supplier: 'Supplier', id: 'Id', kg: 'kg', parcels: 'Parcels',
    temp: 'Temp.', window: 'Window', announced: 'announced', delivered: 'delivered', own: 'own', shared: 'shared',
    small: 'small', confirms: 'confirms an announcement', all: 'All sites',
    others: (n, s, kg, p, w) => `${n} other deliveries from ${s} suppliers arrive here on this day, totalling ${kg} kg in ${p} parcels, ${w}.`,
    rule: 'Other suppliers\' deliveries are only shown as totals, and only when at least three suppliers are involved — unless they opted in to share with you.',
    ambient: 'ambient', chilled: 'chilled', frozen: 'frozen', mixed: 'mixed', m: 'm',
  },
};

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function siteBlock(ctx, T, s, date) {
  const { esc, fmt } = ctx;
  const flags = [];
  if (s.candidate) flags.push(`<span class="badge candidate">${esc(T.candidate)}</span>`);
  if (s.same_site) flags.push(`<span class="muted">${esc(T.same_site)}</span>`);
  const rows = s.deliveries.map((d) => {
    const tags = [d.own ? T.own : '', d.shared ? T.shared : '', d.small ? T.small : '', d.confirms ? T.confirms : '']
      .filter(Boolean).join(', ');
    return `<tr data-id="${esc(d.id)}" data-supplier="${esc(d.supplier)}" data-status="${esc(d.status)}">
      <td>${esc(d.time || '–')}</td><td>${esc(T[d.status] || d.status)}</td>
      <td>${esc(d.supplier_name)} <span class="muted">(${esc(d.supplier)})</span></td><td>${esc(d.id)}</td>
      <td class="num">${fmt(d.mass_kg, 1)}</td><td class="num">${fmt(d.parcels, 0)}</td>
      <td>${esc(T[d.temp_class] || d.temp_class)}</td>
      <td>${d.window_from ? `${esc(d.window_from)}–${esc(d.window_to)}` : '–'}</td><td>${esc(tags)}</td></tr>`;
  }).join('');
  const o = s.others;
  const others = o
    ? `<p class="others" data-others="${o.deliveries}">${esc(T.others(fmt(o.deliveries, 0), fmt(o.suppliers, 0), fmt(o.mass_kg, 0), fmt(o.parcels, 0), `${o.window_from || '?'}–${o.window_to || '?'}`))}</p>`
    : '';
  const near = s.nearby.length
    ? `<p class="nearby">${esc(T.nearby)}: ${s.nearby.map((n) => `<a href="#/board/date=${encodeURIComponent(date)}&site=${encodeURIComponent(n.site)}">${esc(n.name)}</a> (${fmt(n.distance_m, 0)} ${esc(T.m)})`).join(', ')}</p>`
    : '';
  const table = rows
    ? `<table><thead><tr><th>${esc(T.time)}</th><th>${esc(T.status)}</th><th>${esc(T.supplier)}</th><th>${esc(T.id)}</th>
      <th>${esc(T.kg)}</th><th>${esc(T.parcels)}</th><th>${esc(T.temp)}</th><th>${esc(T.window)}</th><th></th></tr></thead>
      <tbody>${rows}</tbody></table>`
    : '';
  return `<section class="board-site" data-site="${esc(s.site)}" data-candidate="${s.candidate ? 1 : 0}">
    <h3>${esc(s.name)} <span class="muted">${esc(s.site)}</span> ${flags.join(' ')}</h3>${table}${others}${near}</section>`;
}

export async function render(ctx, arg) {
  const T = TEXT[ctx.lang] || TEXT.en;
  const { esc, fmt } = ctx;
  const params = new URLSearchParams(arg || '');
  const date = params.get('date') || today();
  const site = params.get('site') || '';
  const only = params.get('only') === 'candidates';
  ctx.main.innerHTML = `<h2>${esc(T.title)}</h2><p>${esc(T.intro)}</p>
  <form class="filters" id="board-form">
    <label>${esc(T.date)}<input name="date" type="date" required value="${esc(date)}"></label>
    <label><input name="only" type="checkbox" ${only ? 'checked' : ''}> ${esc(T.only)}</label>
    <button>${esc(T.show)}</button></form>
  <p id="board-status" class="muted" aria-live="polite">${esc(T.loading)}</p>
  <div id="board-body"></div><div id="board-opportunities"></div>`;
  const $ = (s) => ctx.main.querySelector(s);
  $('#board-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    const q = new URLSearchParams();
    q.set('date', fd.get('date'));
    if (site) q.set('site', site);
    if (fd.get('only')) q.set('only', 'candidates');
    ctx.go(`#/board/${q.toString()}`);
  });
  const q = new URLSearchParams({ date });
  if (site) q.set('site', site);
  const r = await ctx.api(`/api/v1/pooling/board?${q.toString()}`);
  if (ctx.stale(ctx.gen)) return;
  if (r.status !== 200) {
    $('#board-status').className = 'error';
    $('#board-status').textContent = (r.body && r.body.detail) || T.denied;
    return;
  }
  const b = r.body;
  const n = b.sites.reduce((a, s) => a + s.deliveries.length, 0);
  $('#board-status').className = 'muted';
  $('#board-status').textContent = b.viewer === 'city' ? '' : T.rule;
  const shown = only ? b.sites.filter((s) => s.candidate) : b.sites;
  const back = site ? `<p><a id="board-all" href="#/board/date=${encodeURIComponent(date)}">${esc(T.all)}</a></p>` : '';
  $('#board-body').innerHTML = `${back}<div class="cards" id="board-summary">
      <div class="card" data-count="sites"><div class="n">${esc(T.sites)}</div><div class="v">${fmt(b.sites.length, 0)}</div></div>
      <div class="card" data-count="deliveries"><div class="n">${esc(T.deliveries)}</div><div class="v">${fmt(n, 0)}</div></div>
      <div class="card" data-count="candidates"><div class="n">${esc(T.candidates)}</div><div class="v">${fmt(b.candidates, 0)}</div></div></div>
    ${shown.length ? shown.map((s) => siteBlock(ctx, T, s, date)).join('') : `<p class="muted" id="board-empty">${esc(T.empty)}</p>`}`;
  if (b.viewer !== 'unit') {
    const el = $('#board-opportunities');
    renderOpportunities(ctx, el, date).catch((e) => { el.textContent = String(e); });
  }
}

// app.js — the samlast dashboard: a small hash-routed single page over the
// JSON API v1 (KPI cards and weekly charts with uPlot, a Leaflet map of the
// receiving units on a plain background, a filterable deliveries table with
// CSV download, supplier scorecards, unit pages, uploads with row errors).
// The token lives in localStorage; every number shown comes from the API.
import L from 'leaflet';
import uPlot from 'uplot';
import { TEXT } from './i18n.js';
import * as board from './board.js';
import * as ordering from './ordering.js';
import * as followup from './followup.js';

const $ = (sel, el = document) => el.querySelector(sel);
const main = $('#main');
let lang = localStorage.getItem('samlast.lang') || 'sv';
const t = (k) => (TEXT[lang] && TEXT[lang][k]) || TEXT.en[k] || k;
const token = () => localStorage.getItem('samlast.token');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
let defs = [];
let generation = 0; // bumped per navigation: stale renders stop adding to the page
const stale = (g) => g !== generation;

async function api(path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const r = await fetch(path, { ...opts, headers });
  const ct = r.headers.get('content-type') || '';
  const body = ct.includes('json') ? await r.json() : await r.text();
  return { status: r.status, body };
}

function fmt(v, dec = 1) {
  if (v === null || v === undefined) return '–';
  return Number(v).toLocaleString(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: dec });
}
const defOf = (id) => defs.find((d) => d.id === id) || { id, name_en: id, name_sv: id, unit: '', decimals: 1 };
const kname = (id) => (lang === 'sv' ? defOf(id).name_sv : defOf(id).name_en);

function applyI18n() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $('#lang').value = lang;
}

function cards(values, ids) {
  return `<div class="cards">${ids.map((id) => `
    <div class="card" data-kpi="${id}" data-value="${values[id] ?? ''}">
      <div class="n">${esc(kname(id))}</div>
      <div class="v">${values[id] === null || values[id] === undefined ? `<span class="muted" title="${esc(t('suppressed'))}">–</span>` : fmt(values[id], defOf(id).decimals)}</div>
      <div class="n">${esc(defOf(id).unit)}</div></div>`).join('')}</div>`;
}

const MAIN_KPIS = ['deliveries', 'deliveries_per_unit_week', 'receiving_units', 'contract_fidelity_pct',
  'small_order_share_pct', 'euro6_share_pct', 'fossil_free_share_pct', 'fill_rate_mass_pct', 'punctuality_pct'];
// Shown when the store holds computed emissions (has_emissions in the answer).
const EMISSION_KPIS = ['co2e_wtw_kg', 'co2e_per_stop_kg', 'co2e_kg_per_t', 'co2e_primary_pct'];
// Added when hub periods are recorded (has_hub_emissions): hub operations and the chain total.
const HUB_KPIS = ['co2e_hub_kg', 'co2e_chain_kg'];
const emissionIds = (body) => (body.has_hub_emissions ? [...EMISSION_KPIS, ...HUB_KPIS] : EMISSION_KPIS);

function chart(el, title, rows, id) {
  const xs = rows.map((r) => Date.parse(r.from) / 1000);
  const ys = rows.map((r) => r.values[id]);
  const first = ys.slice(0, 4).filter((v) => v !== null);
  const base = first.length ? first.reduce((a, b) => a + b, 0) / first.length : null;
  const box = document.createElement('figure');
  box.innerHTML = `<figcaption>${esc(title)}</figcaption>`;
  el.appendChild(box);
  const width = Math.min(560, el.clientWidth || 560);
  new uPlot({ width, height: 220, series: [{}, { label: title, stroke: '#0b5394', width: 2 },
    { label: t('baseline'), stroke: '#a4161a', dash: [6, 4] }], axes: [{}, {}] },
  [xs, ys, xs.map(() => base)], box);
}

async function overview() {
  main.innerHTML = `<h2>${t('overview')}</h2><div id="cards"></div><div class="charts" id="charts"></div>`;
  const r = await api(`/api/v1/kpis?kpi=${MAIN_KPIS.join(',')}`);
  if (r.status !== 200) { main.innerHTML += `<p class="error">${esc(r.body.detail || t('denied'))}</p>`; return; }
  $('#cards').innerHTML = `<p>${t('period')}: ${r.body.period.from} – ${r.body.period.to}</p>` + cards(r.body.total.values, MAIN_KPIS);
  const g = generation;
  const em = r.body.has_emissions;
  if (em) {
    const e = await api(`/api/v1/kpis?kpi=${[...EMISSION_KPIS, ...HUB_KPIS].join(',')}`);
    if (e.status === 200 && !stale(g))
      $('#cards').insertAdjacentHTML('beforeend', `<h3>${esc(t('emissions'))}</h3>` + cards(e.body.total.values, emissionIds(e.body)));
    if (!stale(g)) {
      $('#cards').insertAdjacentHTML('beforeend', '<div class="breakdowns" id="breakdowns"></div>');
      await emissionBreakdown($('#breakdowns'), 'energy_carrier', g);
      if (!stale(g)) await emissionBreakdown($('#breakdowns'), 'vehicle_class', g);
    }
  }
  const weekly = ['deliveries_per_unit_week', 'contract_fidelity_pct', 'small_order_share_pct', 'euro6_share_pct',
    'fossil_free_share_pct', ...(em ? ['co2e_per_stop_kg'] : [])];
  const w = await api(`/api/v1/kpis?by=week&kpi=${weekly.join(',')}`);
  if (w.status === 200 && !stale(g)) {
    for (const id of weekly)
      chart($('#charts'), `${kname(id)} – ${t('weekly')}`, w.body.rows, id);
  }
}

async function mapView() {
  main.innerHTML = `<h2>${t('map_title')}</h2><p>${t('map_note')}</p><div id="map" role="region" aria-label="${esc(t('map_title'))}"></div><p id="maperr" class="error"></p>`;
  const [k, s] = await Promise.all([api('/api/v1/kpis?by=unit&kpi=deliveries'), api('/api/v1/sites?format=geojson&limit=1000')]);
  if (s.status !== 200) { $('#maperr').textContent = s.body.detail || t('denied'); return; }
  const count = {};
  if (k.status === 200) k.body.rows.forEach((r) => { count[r.key] = r.values.deliveries; });
  const map = L.map('map', { attributionControl: false });
  const tiles = localStorage.getItem('samlast.tiles');
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  const layer = L.featureGroup().addTo(map);
  for (const f of s.body.features) {
    if (f.properties.unit_type === 'depot' || f.properties.unit_type === 'hub') continue; // receiving units only
    const [lon, lat] = f.geometry.coordinates;
    const n = count[f.properties.ext_id];
    const c = L.circleMarker([lat, lon], { radius: 2 + Math.sqrt(n || 0) / 4, color: '#0b5394', weight: 1, fillOpacity: 0.5 })
      .bindPopup(`<b>${esc(f.properties.name)}</b><br>${esc(f.properties.unit_type)}<br>${esc(t('nav_deliveries'))}: ${n === null || n === undefined ? '–' : fmt(n, 0)}`);
    c.addTo(layer);
  }
  if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.1)); else map.setView([56.05, 12.7], 11);
}

function toCsv(items) {
  if (!items.length) return '';
  const cols = Object.keys(items[0]);
  const q = (v) => (v === null || v === undefined ? '' : /[",;\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [cols.join(','), ...items.map((r) => cols.map((c) => q(r[c])).join(','))].join('\r\n') + '\r\n';
}

async function deliveries(params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  main.innerHTML = `<h2>${t('deliveries_title')}</h2>
  <form class="filters" id="f">
    <label>${t('supplier')}<input name="supplier" value="${esc(params.supplier)}"></label>
    <label>${t('site')}<input name="site" value="${esc(params.site)}"></label>
    <label>${t('from')}<input name="from" type="date" value="${esc(params.from)}"></label>
    <label>${t('to')}<input name="to" type="date" value="${esc(params.to)}"></label>
    <button>${t('filter')}</button> <button type="button" id="csv">${t('csv')}</button></form>
  <p id="err" class="error"></p><table><thead><tr id="th"></tr></thead><tbody id="tb"></tbody></table>
  <button type="button" id="more" hidden>${t('more')}</button>`;
  const items = [];
  let cursor = null;
  const cols = ['ext_id', 'supplier', 'site', 'delivered_at', 'status', 'mass_kg', 'temp_class'];
  $('#th').innerHTML = cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('');
  async function page() {
    const qq = new URLSearchParams(q); qq.set('limit', '100'); if (cursor) qq.set('cursor', cursor);
    const r = await api(`/api/v1/deliveries?${qq}`);
    if (r.status !== 200) { $('#err').textContent = r.body.detail || t('denied'); return; }
    items.push(...r.body.items);
    $('#tb').insertAdjacentHTML('beforeend', r.body.items.map((d) => `<tr>${cols.map((c) => `<td>${esc(d[c])}</td>`).join('')}</tr>`).join(''));
    if (!items.length) $('#tb').innerHTML = `<tr><td colspan="${cols.length}">${t('none')}</td></tr>`;
    cursor = r.body.next_cursor; $('#more').hidden = !cursor;
  }
  $('#f').addEventListener('submit', (e) => { e.preventDefault(); const fd = new FormData(e.target); deliveries(Object.fromEntries(fd)); });
  $('#more').addEventListener('click', page);
  $('#csv').addEventListener('click', () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([toCsv(items)], { type: 'text/csv' })); a.download = 'deliveries.csv'; a.click();
  });
  await page();
}

async function listPage(kind) {
  const sup = kind === 'suppliers';
  main.innerHTML = `<h2>${t(sup ? 'suppliers_title' : 'units_title')}</h2><p id="err" class="error"></p><ul id="list"></ul>`;
  const r = await api(sup ? '/api/v1/organisations?kind=supplier&limit=1000' : '/api/v1/sites?limit=1000');
  if (r.status !== 200) { $('#err').textContent = r.body.detail || t('denied'); return; }
  const items = sup ? r.body.items : r.body.items.filter((s) => s.unit_type !== 'depot' && s.unit_type !== 'hub');
  $('#list').innerHTML = items.map((o) => `<li><a href="#/${sup ? 'supplier' : 'unit'}/${encodeURIComponent(o.ext_id)}">${esc(o.name)}</a> <span class="muted">${esc(o.ext_id)}</span></li>`).join('');
}

async function scorecard(kind, id) {
  const sup = kind === 'supplier';
  main.innerHTML = `<h2>${t(sup ? 'scorecard' : 'unit')}: ${esc(id)}</h2><div id="cards"></div><p id="err" class="error"></p>`;
  const r = await api(`/api/v1/kpis?${sup ? 'supplier' : 'unit'}=${encodeURIComponent(id)}&kpi=${MAIN_KPIS.join(',')}`);
  if (r.status !== 200) { $('#err').textContent = r.body.detail || t('denied'); return; }
  $('#cards').innerHTML = cards(r.body.total.values, MAIN_KPIS);
  if (!r.body.has_emissions) return;
  // CO2e of this unit or supplier next to its delivery KPIs, and per week.
  const g = generation;
  const q = `${sup ? 'supplier' : 'unit'}=${encodeURIComponent(id)}`;
  const [e, w] = await Promise.all([api(`/api/v1/kpis?${q}&kpi=${[...EMISSION_KPIS, ...HUB_KPIS].join(',')}`),
    api(`/api/v1/kpis?${q}&by=week&kpi=co2e_wtw_kg,co2e_per_stop_kg`)]);
  if (stale(g)) return;
  if (e.status === 200)
    $('#cards').insertAdjacentHTML('beforeend', `<h3>${esc(t('emissions'))}</h3>` + cards(e.body.total.values, emissionIds(e.body)));
  if (w.status === 200) {
    $('#cards').insertAdjacentHTML('beforeend', '<div class="charts" id="charts"></div>');
    for (const k of ['co2e_wtw_kg', 'co2e_per_stop_kg']) chart($('#charts'), `${kname(k)} – ${t('weekly')}`, w.body.rows, k);
  }
}

// CO2e by vehicle class or energy carrier (the KPI module's grouping).
async function emissionBreakdown(el, by, g) {
  const ids = ['deliveries', 'co2e_wtw_kg', 'co2e_per_stop_kg', 'co2e_primary_pct'];
  const r = await api(`/api/v1/kpis?by=${by}&kpi=${ids.join(',')}`);
  if (r.status !== 200 || stale(g)) return;
  el.insertAdjacentHTML('beforeend', `<table class="breakdown" data-by="${by}"><caption>${esc(t(`by_${by}`))}</caption>
    <thead><tr><th scope="col">${esc(t(`by_${by}`))}</th>${ids.map((k) => `<th scope="col">${esc(kname(k))}</th>`).join('')}</tr></thead>
    <tbody>${r.body.rows.map((row) => `<tr><th scope="row">${esc(row.key)}</th>${ids.map((k) => `<td>${fmt(row.values[k], defOf(k).decimals)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
}

async function upload() {
  main.innerHTML = `<h2>${t('upload_title')}</h2>
  <form id="up" class="filters">
    <label>${t('kind')}<select name="kind">${['deliveries', 'announcements', 'orders', 'trips', 'vehicles', 'organisations', 'sites', 'contracts'].map((k) => `<option>${k}</option>`).join('')}</select></label>
    <label>${t('file')}<input type="file" name="file" required accept=".csv,.json,text/csv,application/json"></label>
    <label><span><input type="checkbox" name="accept_valid"> ${t('accept_valid')}</span></label>
    <button>${t('send')}</button></form><div id="result" aria-live="polite"></div>`;
  $('#up').addEventListener('submit', async (e) => {
    e.preventDefault();
    const fd = new FormData(e.target); const file = fd.get('file');
    const json = file.name.endsWith('.json');
    // Announcements (planned deliveries, issue 7) have their own endpoint
    // with the uploads' answer shape.
    const url = fd.get('kind') === 'announcements' ? '/api/v1/pooling/announcements' : `/api/v1/imports/${fd.get('kind')}`;
    const r = await api(`${url}${fd.get('accept_valid') ? '?accept_valid=true' : ''}`,
      { method: 'POST', body: file, headers: { 'Content-Type': json ? 'application/json' : 'text/csv' } });
    const b = r.body; const ok = r.status === 200;
    let html = `<p class="${ok ? '' : 'error'}" id="upstatus">${ok ? t('imported') : esc(b.detail || t('rejected'))}</p>`;
    if (b.rows !== undefined) html += `<p>rows ${b.rows}, inserted ${b.inserted}, updated ${b.updated}, unchanged ${b.unchanged}, rejected ${b.rejected}</p>`;
    if (b.errors && b.errors.length) {
      html += `<table id="uperrors"><thead><tr><th scope="col">${t('line')}</th><th scope="col">${t('column')}</th><th scope="col">${t('field')}</th><th scope="col">${t('reason')}</th></tr></thead><tbody>${b.errors.map((x) => `<tr><td>${x.line}</td><td>${x.column}</td><td>${esc(x.field)}</td><td>${esc(x.reason)}</td></tr>`).join('')}</tbody></table>`;
    }
    $('#result').innerHTML = html;
  });
}

function login() {
  main.innerHTML = `<h2>${t('login_title')}</h2><form id="login" class="filters">
    <label>${t('token')}<input id="tok" name="token" type="password" autocomplete="off" required></label>
    <button>${t('login')}</button></form><p><button type="button" id="pub">${t('public')}</button></p>`;
  $('#login').addEventListener('submit', (e) => { e.preventDefault(); localStorage.setItem('samlast.token', $('#tok').value.trim()); go('#/overview'); });
  $('#pub').addEventListener('click', () => { localStorage.setItem('samlast.token', ''); go('#/overview'); });
}

// Navigate: a hash change triggers route() by itself; the same hash needs a call.
function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }

async function route() {
  generation++;
  applyI18n();
  const h = location.hash.replace(/^#\//, '') || 'overview';
  document.querySelectorAll('nav a').forEach((a) => a.setAttribute('aria-current', a.getAttribute('href') === `#/${h.split('/')[0]}` ? 'page' : 'false'));
  $('#who').textContent = token() ? '' : (localStorage.getItem('samlast.token') === '' ? 'public' : '');
  if (localStorage.getItem('samlast.token') === null) return login();
  if (!defs.length) { const d = await api('/api/v1/kpis/definitions'); if (d.status === 200) defs = d.body; }
  const [page, arg] = h.split('/');
  if (page === 'map') return mapView();
  if (page === 'deliveries') return deliveries();
  if (page === 'suppliers' || page === 'units') return listPage(page);
  if (page === 'supplier' || page === 'unit') return scorecard(page, decodeURIComponent(arg || ''));
  if (page === 'upload') return upload();
  // Pages of the groupage place (issue 7), each in its own module with its
  // own texts; they get what they need from here.
  const ctx = { main, api, lang, esc, fmt, stale, gen: generation, go };
  if (page === 'board') return board.render(ctx, arg);
  if (page === 'ordering') return ordering.render(ctx, arg);
  if (page === 'followup') return followup.render(ctx, arg);
  if (page === 'login') return login();
  return overview();
}

$('#lang').addEventListener('change', (e) => { lang = e.target.value; localStorage.setItem('samlast.lang', lang); route(); });
$('#logout').addEventListener('click', () => { localStorage.removeItem('samlast.token'); go('#/login'); });
window.addEventListener('hashchange', route);
route();

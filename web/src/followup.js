// followup.js — the dashboard's 'followup' page of the groupage place (issue 7).
// render(ctx, arg): ctx = { main, api, lang, esc, fmt, stale, gen, go } from app.js.
// Until this page is built it says so instead of showing numbers.
const TEXT = {
  sv: { pending: 'Den här sidan är inte byggd ännu.' },
  en: { pending: 'This page is not built yet.' },
};

export function render(ctx) {
  ctx.main.innerHTML = `<p class="muted">${ctx.esc(TEXT[ctx.lang].pending)}</p>`;
}

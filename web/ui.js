// Small DOM helpers shared by the pages: element builder, tables, number formats, the error and
// notice banner, the confirmation modal (a real dialog in the page, not window.confirm, so that
// browser tests can click it) and ECharts set-up.

import { t, getLang } from './i18n.js';
import { engineText } from './engine_text.js';

// h('div', {class: 'x', onclick: f}, 'text', child, [more]) -> Element. null/false children skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// A table: columns [{label, cell: row => Node|string, class}], rows [].
export function table(columns, rows, opts = {}) {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class }, c.label))));
  const body = h('tbody');
  if (!rows.length) {
    body.append(h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, t('common.none'))));
  }
  for (const r of rows) {
    const tr = h('tr', opts.rowAttrs ? opts.rowAttrs(r) : null, columns.map((c) => h('td', { class: c.class }, c.cell(r))));
    body.append(tr);
  }
  return h('table', { class: 'grid' + (opts.class ? ' ' + opts.class : ''), id: opts.id }, head, body);
}

// An element showing a text the engine wrote in English (an event, a note, an explanation line,
// an alarm's title or detail) in the console's language; when translated, the English original
// is its tooltip and data-en, so it can still be quoted to a developer or searched in the logs.
export function engineEl(tag, attrs, text) {
  const shown = engineText(text, getLang());
  const orig = shown !== text ? { title: text, 'data-en': text } : null;
  return h(tag, { ...attrs, ...orig, class: ['engine-text', attrs && attrs.class].filter(Boolean).join(' ') }, shown);
}

export function fmt(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtInt(v) {
  if (v === null || v === undefined) return '—';
  return Number(v).toLocaleString('en-US');
}

export function today() {
  // Beijing day (UTC+8), which is what the API's days are.
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

export function minuteLabels() {
  const out = [];
  for (let m = 0; m < 1440; ++m) out.push(String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0'));
  return out;
}

// ---- banner ----
export function showError(message) {
  const b = document.getElementById('banner');
  b.className = 'banner error';
  b.textContent = message;
  b.hidden = false;
}

export function showNotice(message) {
  const b = document.getElementById('banner');
  b.className = 'banner notice';
  b.textContent = message;
  b.hidden = false;
}

export function clearBanner() {
  const b = document.getElementById('banner');
  b.hidden = true;
  b.textContent = '';
}

// ---- modal ----
// confirmDialog({message, body, okLabel, danger}) -> Promise<boolean>. `body` is an optional
// element (inputs) the caller reads after a true answer.
export function confirmDialog({ message, body, okLabel, danger = true }) {
  const modal = document.getElementById('modal');
  const content = document.getElementById('modal-body');
  const ok = document.getElementById('modal-ok');
  const cancel = document.getElementById('modal-cancel');
  document.getElementById('modal-title').textContent = t('common.confirm_title');
  content.replaceChildren(h('p', { class: 'modal-message' }, message), body || '');
  ok.textContent = okLabel || t('common.ok');
  ok.className = danger ? 'btn danger' : 'btn primary';
  cancel.textContent = t('common.cancel');
  modal.hidden = false;
  (body && body.querySelector('input, select') ? body.querySelector('input, select') : ok).focus();
  return new Promise((resolve) => {
    const done = (v) => {
      modal.hidden = true;
      ok.removeEventListener('click', onOk);
      cancel.removeEventListener('click', onCancel);
      document.removeEventListener('keydown', onKey);
      resolve(v);
    };
    const onOk = () => done(true);
    const onCancel = () => done(false);
    const onKey = (e) => {
      if (e.key === 'Escape') done(false);
    };
    ok.addEventListener('click', onOk);
    cancel.addEventListener('click', onCancel);
    document.addEventListener('keydown', onKey);
  });
}

// ---- charts ----
// chart(element) -> an ECharts instance that follows the window size; dispose it in cleanup.
export function chart(el) {
  const c = window.echarts.init(el, null, { renderer: 'canvas' });
  const onResize = () => c.resize();
  window.addEventListener('resize', onResize);
  const dispose = c.dispose.bind(c);
  c.dispose = () => {
    window.removeEventListener('resize', onResize);
    dispose();
  };
  return c;
}

export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('small', null, hint) : null);
}

export function badge(text, kind, attrs = {}) {
  return h('span', { class: 'badge ' + (kind || ''), ...attrs }, text);
}

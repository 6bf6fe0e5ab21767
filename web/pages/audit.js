// The audit log, oldest first, paged with `after`; "verify chain" shows ok or where it breaks.

import { api } from '../app.js';
import { t } from '../i18n.js';
import { h, table } from '../ui.js';

const LIMIT = 200;

export async function render(root, args, query, ctx) {
  let after = 0;
  const rows = [];
  const slot = h('div', { id: 'audit-slot' });
  const result = h('div', { id: 'audit-verify-result', class: 'verify', hidden: true });
  const more = h('button', { class: 'btn', id: 'audit-more', onclick: () => load() }, t('au.more'));
  const load = async () => {
    const page = await api('GET', '/api/v1/audit?after=' + after + '&limit=' + LIMIT);
    if (!ctx.alive()) return;
    rows.push(...page.rows);
    more.hidden = page.rows.length < LIMIT;
    after = page.next_after;
    slot.replaceChildren(table([
      { label: t('au.seq'), cell: (r) => String(r.seq), class: 'num' },
      { label: t('au.at'), cell: (r) => r.at },
      { label: t('au.user'), cell: (r) => r.username },
      { label: t('au.source'), cell: (r) => r.source },
      { label: t('au.operation'), cell: (r) => r.operation },
      { label: t('au.object'), cell: (r) => r.object },
      { label: t('au.result'), cell: (r) => h('span', { class: r.result === 'ok' ? 'good' : 'bad' }, r.result) },
      { label: t('au.detail'), cell: (r) => r.detail },
      { label: t('au.hash'), cell: (r) => h('code', { title: r.hash }, r.hash.slice(0, 12) + '…') },
    ], rows, { id: 'audit-table' }));
  };
  const verify = async () => {
    let v;
    try {
      v = await api('GET', '/api/v1/audit/verify');
    } catch (e) {
      return;
    }
    result.hidden = false;
    result.dataset.ok = String(v.ok);
    if (v.ok) {
      result.className = 'verify good';
      result.textContent = t('au.verify_ok', { rows: v.rows, seq: v.head_seq, hash: v.head_hash.slice(0, 16) + '…' });
    } else {
      result.className = 'verify bad';
      const br = v.break || { seq: '?', reason: '' };
      result.textContent = t('au.verify_break', { seq: br.seq, reason: br.reason });
    }
  };
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('au.title')), h('button', { class: 'btn primary', id: 'audit-verify', onclick: verify }, t('au.verify'))),
    result,
    h('section', { class: 'panel' }, slot, more),
  );
  await load();
}

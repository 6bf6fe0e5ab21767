// Operator platforms (no secrets): onboarding itself is `vgi peer add`, which shows the keys once.

import { api } from '../app.js';
import { t } from '../i18n.js';
import { h, table } from '../ui.js';

export async function render(root, args, query, ctx) {
  const list = await api('GET', '/api/v1/peers');
  if (!ctx.alive()) return;
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('pe.title'))),
    h('p', { class: 'muted' }, t('pe.hint')),
    h('section', { class: 'panel' }, table([
      { label: t('op.id'), cell: (p) => p.operator_id },
      { label: t('common.name'), cell: (p) => p.name },
      { label: t('pe.base_url'), cell: (p) => h('code', null, p.base_url) },
      { label: t('common.enabled'), cell: (p) => (p.enabled ? t('common.yes') : t('common.no')) },
    ], list, { id: 'peers-table' })),
  );
}

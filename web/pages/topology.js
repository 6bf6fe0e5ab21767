// Grid topology (#/topology, system administrators): which market and transformer area (台区)
// each station is in, as the administrator imported it. Shows the import in force (version, when,
// from what, stations, and how many of them the operators' models lack), the markets and
// transformer areas with their station and operator counts, a CSV download of the whole file, and
// (manage_peers) an import form that reads a .csv file in the browser and replaces the topology
// after a confirmation. A refused file's error is shown as the server words it (line and rule).

import { api, can } from '../app.js';
import { t } from '../i18n.js';
import { h, table, field, fmtInt, confirmDialog, showNotice, clearBanner } from '../ui.js';

function groupsTable(id, rows) {
  return table(
    [
      { label: t('topo.id'), cell: (g) => g.id },
      { label: t('topo.stations'), cell: (g) => fmtInt(g.stations), class: 'num' },
      { label: t('topo.operators'), cell: (g) => fmtInt(g.operators), class: 'num' },
    ],
    rows,
    { id, rowAttrs: (g) => ({ dataset: { id: g.id } }) },
  );
}

function infoPanel(info) {
  const facts = [
    ['topo-version', t('topo.version'), info.version ? String(info.version) : t('topo.never')],
    ['topo-imported-at', t('topo.imported_at'), info.imported_at || '—'],
    ['topo-source', t('topo.source'), info.source || '—'],
    ['topo-stations', t('topo.stations'), fmtInt(info.stations)],
    ['topo-unmodelled', t('topo.unmodelled'), h('span', { class: info.unmodelled > 0 ? 'bad' : 'good' }, fmtInt(info.unmodelled))],
  ];
  return h('section', { class: 'panel', id: 'topo-info' },
    h('dl', { class: 'facts' }, facts.map(([id, k, v]) => [h('dt', null, k), h('dd', { id }, v)])),
    info.unmodelled > 0 ? h('p', { class: 'muted', id: 'topo-unmodelled-hint' }, t('topo.unmodelled_hint')) : null,
    h('div', { class: 'toolbar' },
      h('a', { class: 'btn', id: 'topo-csv', href: '/api/v1/topology.csv', download: 'vgi-topology-v' + info.version + '.csv' }, t('topo.download'))));
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file, 'utf-8');
  });
}

function importPanel(onImported) {
  const file = h('input', { type: 'file', id: 'topo-file', accept: '.csv,text/csv' });
  const error = h('pre', { class: 'form-error', id: 'topo-import-error', role: 'alert', hidden: true });
  const showFailure = (message) => {
    error.textContent = message;
    error.hidden = false;
  };
  const submit = async (e) => {
    e.preventDefault();
    error.hidden = true;
    const f = file.files && file.files[0];
    if (!f) return showFailure(t('err.required', { field: t('topo.file') }));
    if (!(await confirmDialog({ message: t('topo.confirm_import', { file: f.name }), okLabel: t('topo.import') }))) return;
    let csv;
    try {
      csv = await readFile(f);
    } catch (err) {
      return showFailure(t('topo.read_failed', { file: f.name }));
    }
    try {
      const info = await api('POST', '/api/v1/topology', { csv, source: f.name }, { quiet: true });
      file.value = '';
      clearBanner();
      showNotice(t('topo.imported', { version: info.version, stations: fmtInt(info.stations) }));
      onImported(info);
    } catch (err) {
      // 413 comes from the HTTP server (server.limits.max_body_bytes) before the API sees the file.
      showFailure(err.status === 413 ? t('topo.too_large', { file: f.name }) : err.message);
    }
  };
  return h('section', { class: 'panel' }, h('h3', null, t('topo.import_title')),
    h('p', { class: 'muted' }, t('topo.import_hint')),
    h('form', { class: 'toolbar', id: 'topo-import-form', onsubmit: submit },
      field(t('topo.file'), file),
      h('button', { type: 'submit', class: 'btn primary', id: 'topo-import-submit' }, t('topo.import'))),
    error);
}

export async function render(root, args, query, ctx) {
  const info = await api('GET', '/api/v1/topology');
  if (!ctx.alive()) return;
  const body = h('div', { id: 'topo-body' });
  const paint = (i) => {
    body.replaceChildren(
      infoPanel(i),
      h('section', { class: 'panel' }, h('h3', null, t('topo.markets') + ' (' + fmtInt(i.markets.length) + ')'), groupsTable('topo-markets', i.markets)),
      h('section', { class: 'panel' }, h('h3', null, t('topo.areas') + ' (' + fmtInt(i.transformer_areas.length) + ')'),
        groupsTable('topo-areas', i.transformer_areas)));
  };
  paint(info);
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h2', null, t('topo.title'))),
    h('p', { class: 'muted' }, t('topo.hint')),
    can('manage_peers') ? importPanel(paint) : null,
    body,
  );
}

// Renders every console page against a mock of the API (mock-server.mjs, answers shaped and
// checked per libs/console/api/openapi.json) in headless Debian chromium, in Chinese and English,
// and runs the same role flows as console.test.mjs. Screenshots go to $VGI_SCREENSHOT_DIR/mock.
// Exit code 0 when every check passed.

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMock } from './mock-server.mjs';
import { shotDir, ok, openPage, login, visit, shot, navRoutes, apiFetchCsrf, dispatcherFlow, viewerFlow, auditorFlow, peerOnboardFlow, peerDisableFlow, peerRotateFlow } from './steps.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
process.env.VGI_SCREENSHOT_DIR = path.join(process.env.VGI_SCREENSHOT_DIR || '/tmp/vgi-console-shots', 'mock');
const i18n = await import(path.join(root, 'web/i18n.js'));

const USERS = {
  disp: { password: 'd-pass-1', roles: ['dispatcher'], display_name: '调度员甲' },
  view: { password: 'v-pass-1', roles: ['viewer'], display_name: '查看员乙' },
  audit: { password: 'a-pass-1', roles: ['auditor'], display_name: '审计员丙' },
  sys: { password: 's-pass-1', roles: ['sysadmin'], display_name: '系统管理员' },
  sec: { password: 'c-pass-1', roles: ['secadmin'], display_name: '安全管理员' },
};
const as = (u) => ({ user: u, pass: USERS[u].password });

// Page -> [hash, element that shows it rendered, a text (key) that must be on it].
const PAGES = [
  ['overview', '#/overview', '#overview-chart canvas', 'ov.by_operator'],
  ['operators', '#/operators', '#stations-table', 'op.quality'],
  ['station', '#/operators/station/SIM000001/ST0101', '#station-chart canvas', 'st.stakes_title'],
  ['demands', '#/demands', '#demands-table', 'dm.create'],
  ['demand-detail', '#/demands/MOCK-SEED-1', '#instructions-table', 'dm.explanation'],
  ['execution', '#/execution', '#exec-chart canvas', 'ex.delivered'],
  ['settlement', '#/settlement', '#statements-table', 'se.csv'],
  ['reports', '#/reports', '#report-chart canvas', 'rp.settlement'],
  ['reports-month', '#/reports?period=month&date=' + new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7), '#report-chart canvas', 'rp.period.month'],
  ['alarms', '#/alarms', '#alarms-table', 'al.ack'],
];

function assertTranslated(text, lang) {
  const leaked = i18n.KEYS.zh.filter((k) => k.includes('.') && text.includes(k));
  assert.deepEqual(leaked, [], lang + ': untranslated keys on the page');
}

// The chart of one live trace panel: point count per series and legend names, read from ECharts.
const traceChart = (page, sel) => page.$eval(sel + ' .exec-trace-chart', (el) => {
  const o = window.echarts.getInstanceByDom(el).getOption();
  return { legend: o.legend[0].data, names: o.series.map((s) => s.name), lengths: o.series.map((s) => s.data.length), data: o.series.map((s) => s.data),
    axis: o.xAxis[0].data.length };
});
const execRequests = () => mock.requests.filter((r) => r === 'GET /api/v1/demands/MOCK-EXEC-1/execution').length;

// MOCK-EXEC-1: SIM000001 accepted two windows of 600/2 kW peak shaving, the first started 20
// minutes ago (the mock adds a minute per call), the second starts in two hours.
async function liveExecution(page, lang, dict) {
  const before = execRequests();
  await visit(page, '#/execution?task=MOCK-EXEC-1', '#exec-live .exec-trace-chart canvas');
  assert.equal(await page.inputValue('#exec-demand'), 'MOCK-EXEC-1');
  assert.equal(await page.$$eval('#exec-live .exec-trace', (e) => e.length), 2, 'two traces');
  const started = '#exec-live .exec-trace:nth-child(1)';
  const waiting = '#exec-live .exec-trace:nth-child(2)';
  assert.equal(await page.getAttribute(started, 'data-operator'), 'SIM000001');
  const first = await traceChart(page, started);
  const names = [dict('ex.target_load'), dict('ex.baseline'), dict('ex.actual')];
  assert.deepEqual(first.legend, names, lang + ': legend names');
  assert.deepEqual(first.names, names, lang + ': series names');
  assert.equal(first.axis, 60, 'the x axis spans the whole 60-minute window');
  const n0 = first.lengths[2];
  assert.ok(n0 >= 20 && first.lengths.every((l) => l === n0), 'three series of the same length, at least 20 minutes: ' + first.lengths);
  assert.equal(Number(await page.getAttribute(started, 'data-points')), n0);
  const [target, baseline, actual] = first.data.map((d) => d.map(Number));
  baseline.forEach((b, k) => assert.equal(target[k], Math.round((b - 300) * 100) / 100, 'target load = baseline - 300 kW at minute ' + k));
  assert.ok(actual.slice(5).every((a, k) => a < baseline[k + 5] - 200), 'actual is well under the baseline once the ramp is done');
  assert.ok((await page.textContent(started + ' .trace-reference')).startsWith('high-5-of-10'), 'the baseline reference is shown as text');
  const completion = await page.textContent(started + ' .trace-completion');
  const response = await page.textContent(started + ' .trace-response');
  assert.ok(/^\d+\.\d$/.test(completion) && Number(completion) > 70 && Number(completion) < 95, 'completion so far 70..95 % (a ramp to 90 %): ' + completion);
  assert.ok(/^\d+\.\d\d$/.test(response) && Math.abs(Number(response) / 3 - Number(completion)) < 0.1, 'average response ' + response + ' kW = completion × 300 kW');
  // the table row of the started window carries the same live figures; the waiting one has none
  const startedAt = await page.getAttribute(started, 'data-start');
  const waitingAt = await page.getAttribute(waiting, 'data-start');
  assert.equal(await page.textContent('#exec-table tr[data-operator="SIM000001"][data-start="' + startedAt + '"] .live-completion'), completion);
  assert.equal(await page.textContent('#exec-table tr[data-operator="SIM000001"][data-start="' + waitingAt + '"] .live-completion'), '—');
  // the window not started: no chart, a note naming its start, no reference yet
  assert.equal(await page.$(waiting + ' .exec-trace-chart'), null, 'no chart before the window starts');
  assert.equal(await page.textContent(waiting + ' .exec-not-started'), dict('ex.not_started').replace('{start}', waitingAt));
  assert.equal(await page.textContent(waiting + ' .trace-reference'), dict('ex.reference_pending'));
  assert.equal(await page.getAttribute(waiting, 'data-points'), '0');
  await shot(page, lang + '-execution-live');
  // the next poll (5 s) asks the route again and the lines grow
  const asked = execRequests();
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).dataset.points) > n, [started, n0], { timeout: 12000 });
  assert.ok(execRequests() > asked, 'a second poll requested the route again');
  const second = await traceChart(page, started);
  assert.ok(second.lengths.every((l) => l > n0), 'every series grew: ' + n0 + ' -> ' + second.lengths);
  assert.deepEqual(second.legend, names);
  await shot(page, lang + '-execution-live-polled');
  ok('execution live (' + lang + '): ' + names.join(' / ') + ', ' + n0 + ' -> ' + second.lengths[0] + ' minutes after a poll, not-started note, ' + (execRequests() - before) + ' request(s)');
  // leaving the page stops the polling
  await visit(page, '#/overview', '#overview-chart canvas');
  const left = execRequests();
  await page.waitForTimeout(6000);
  assert.equal(execRequests(), left, 'no execution requests after leaving the page');
  ok('execution live: polling stops when leaving the page');
}

// MOCK-MANY-1: 230 station instructions (an area scope) are shown 100 a page, filtered by a
// regulation ID or station code, and only the last 200 of its 233 events until asked for all.
async function manyInstructions(page, lang, dict) {
  const rowIds = () => page.$$eval('#instructions-table tbody tr', (rows) => rows.map((r) => r.children[1].textContent));
  await visit(page, '#/demands/MOCK-MANY-1', '#instructions-table');
  let ids = await rowIds();
  assert.equal(ids.length, 100, lang + ': first page');
  assert.equal(ids[0], 'MOCK-MANY-1-R001');
  assert.equal(await page.innerText('#ins-page-info'), dict('common.page').replace('{page}', '1').replace('{pages}', '3').replace('{total}', '230'));
  assert.ok(await page.isDisabled('#ins-page-prev'));
  await page.click('#ins-page-next');
  await page.click('#ins-page-next');
  ids = await rowIds();
  assert.deepEqual([ids.length, ids[0], ids[29]], [30, 'MOCK-MANY-1-R201', 'MOCK-MANY-1-R230'], lang + ': last page');
  assert.ok(await page.isDisabled('#ins-page-next'));
  await page.fill('#ins-filter', 'st0150');
  await page.click('#ins-filter-submit');
  assert.deepEqual(await rowIds(), ['MOCK-MANY-1-R150'], lang + ': filtered by station code');
  assert.equal(await page.$('#ins-page-info'), null, 'one match: no pager');
  assert.equal(await page.$$eval('#events li', (e) => e.length), 200, lang + ': the last 200 events');
  assert.equal(await page.getAttribute('#events', 'start'), '34');
  await page.click('#events-all');
  assert.equal(await page.$$eval('#events li', (e) => e.length), 233, lang + ': all events');
  await shot(page, lang + '-demand-many');
  ok(lang + ': 230 instructions paged 100 at a time and filtered; events cut to the last 200');
}

// The engine's English texts (events, notes, explanation lines, alarm title and detail) in the
// console's language: Chinese with the English original as the tooltip; in English unchanged. A
// text no template knows is shown as it came. MOCK-SEED-1: window 18:00–18:59, 800 kW.
async function engineTexts(page, lang) {
  const texts = (sel) => page.$$eval(sel, (els) => els.map((e) => ({ text: e.textContent, title: e.getAttribute('title') })));
  const shown = (en, zh) => lang === 'zh' ? { text: zh, title: en } : { text: en, title: null };
  const events = await texts('#events li');
  const created = events[0].text.slice(0, 16);
  const accepted = events[2].text.slice(0, 16);
  assert.deepEqual(events, [
    shown(created + ' created by disp', created + ' 由 disp 创建'),
    shown(created + ' decomposed over 2 participant(s): SIM000001, SIM000002', created + ' 已分解给 2 个参与方：SIM000001, SIM000002'),
    shown(accepted + ' SIM000001 MOCK-SEED-1-SIM000001-1: accepted by the operator (callback_task_overview)',
      accepted + ' SIM000001 MOCK-SEED-1-SIM000001-1：运营商已接受（callback_task_overview）'),
    shown(accepted + ' SIM000002 MOCK-SEED-1-SIM000002-1: rejected by the operator (callback_task_overview)',
      accepted + ' SIM000002 MOCK-SEED-1-SIM000002-1：运营商已拒绝（callback_task_overview）'),
    { text: created + ' a text no engine template has', title: null },
  ], lang + ': demand events');
  assert.deepEqual(await texts('#instructions-table .instr-note'), [
    shown('accepted by the operator (callback_task_overview)', '运营商已接受（callback_task_overview）'),
    shown('rejected by the operator (callback_task_overview)', '运营商已拒绝（callback_task_overview）'),
  ], lang + ': instruction notes');
  const day = created.slice(0, 10);
  assert.deepEqual((await texts('#instructions-table .explanation li'))[0], shown(
    day + ' 18:00–18:59: SIM000001: potential 1500.00 kW, usable 1350.00 kW after 10.00% reserve, allocated 400.00 kW (50.00% of 800.00 kW); 30 of 30 stations reporting; similar-day forecast',
    day + ' 18:00–18:59：SIM000001：潜力 1500.00 kW，预留 10.00% 备用后可用 1350.00 kW，分配 400.00 kW（占 800.00 kW 的 50.00%）；30 个场站中 30 个在报数；相似日预测'),
  lang + ': explanation line');
  await shot(page, lang + '-demand-engine-texts');
  await visit(page, '#/alarms', '#alarms-table');
  const [title] = await texts('#alarms-table tr[data-id="1"] .alarm-title');
  const [detail] = await texts('#alarms-table tr[data-id="1"] .detail');
  const at = /up to (\d{4}-\d\d-\d\d \d\d:\d\d) /.exec(detail.title ?? detail.text)[1];
  assert.deepEqual([title, detail], [shown('operator below its target', '运营商低于目标'),
    shown('SIM000003 MOCK-SEED-1-003: below 80 % of its 300.00 kW target for 10 minutes up to ' + at + ' (response 120.00 kW)',
      'SIM000003 MOCK-SEED-1-003：连续 10 分钟低于 300.00 kW 目标的 80 %（截至 ' + at + '，响应 120.00 kW）')], lang + ': alarm title and detail');
  ok('engine texts (' + lang + '): ' + events.length + ' events, notes, an explanation line, an alarm ' + (lang === 'zh' ? 'in Chinese with the English as tooltip' : 'as written'));
}

// The grid topology (system administrator): a refused file shows the server's words (line and
// rule) and changes nothing; a good one fills the info and both tables, and the CSV link gives it
// back. Then a dispatcher scopes a demand to a transformer area picked from the topology's IDs.
const TOPOLOGY_HEADER = 'operator_id,station_code,market_id,transformer_area_id\n';
const TOPOLOGY_GOOD = TOPOLOGY_HEADER + 'SIM000001,ST0101,MKT-N,TA-101\nSIM000001,ST0102,MKT-N,TA-101\nSIM000002,ST0201,MKT-S,TA-101\nSIM000003,ST0399,MKT-S,TA-202\n';
const TOPOLOGY_BAD = TOPOLOGY_HEADER + 'SIM000001,ST0101,MKT-N,TA-101\nSIM000002,ST0201,M 1,TA-101\n';
const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
const groupRows = (page, sel) => page.$$eval(sel + ' tbody tr[data-id]', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent).join('/')));

async function topologyFlow(lang, version) {
  const dict = (k) => i18n.translate(lang, k);
  const sp = await openPage(browser, lang);
  await login(sp, base, as('sys'));
  await visit(sp, '#/topology', '#topo-info');
  const before = await sp.textContent('#topo-version');
  if (version === 1) {
    assert.equal(before, dict('topo.never'));
    assert.deepEqual(await groupRows(sp, '#topo-markets'), []);
  }
  const upload = async (name, text) => {
    await sp.setInputFiles('#topo-file', csvFile(name, text));
    await sp.click('#topo-import-submit');
    await sp.waitForSelector('#modal:not([hidden])');
    assert.ok((await sp.textContent('#modal-body')).includes(name), 'the confirmation names the file');
    await sp.click('#modal-ok');
  };
  await upload('bad.csv', TOPOLOGY_BAD);
  await sp.waitForSelector('#topo-import-error:not([hidden])');
  assert.equal(await sp.textContent('#topo-import-error'), 'line 3: market_id: "M 1" is not 1..64 characters of [0-9A-Za-z_.-]');
  assert.equal(await sp.textContent('#topo-version'), before, 'a refused file changes nothing');
  await shot(sp, lang + '-topology-refused');
  ok('topology (' + lang + '): a bad line is refused with the server\'s words');
  if (version === 1) {
    // Over the server's body limit: the HTTP server's 413, and the page says to import on the server.
    const big = TOPOLOGY_HEADER + Array.from({ length: 40000 }, (_, i) => 'SIM000001,BIG' + i + ',MKT-N,TA-101\n').join('');
    await upload('big.csv', big);
    await sp.waitForSelector('#topo-import-error:not([hidden])');
    assert.equal(await sp.textContent('#topo-import-error'), dict('topo.too_large').replace('{file}', 'big.csv'));
    assert.equal(await sp.textContent('#topo-version'), before);
    ok('topology (' + lang + '): a file over the body limit is refused with what to do');
  }
  await upload('grid-2026.csv', TOPOLOGY_GOOD);
  await sp.waitForFunction((v) => document.querySelector('#topo-version').textContent === v, String(version));
  assert.ok(await sp.isHidden('#topo-import-error'), 'the earlier error is gone');
  assert.equal(await sp.textContent('#topo-source'), 'grid-2026.csv by sys');
  assert.equal(await sp.textContent('#topo-stations'), '4');
  assert.equal(await sp.textContent('#topo-unmodelled'), '1', 'SIM000003/ST0399 is in no model');
  assert.deepEqual(await groupRows(sp, '#topo-markets'), ['MKT-N/2/1', 'MKT-S/2/2']);
  assert.deepEqual(await groupRows(sp, '#topo-areas'), ['TA-101/3/2', 'TA-202/1/1']);
  const href = await sp.getAttribute('#topo-csv', 'href');
  assert.equal(href, '/api/v1/topology.csv');
  const csv = await sp.evaluate(async (u) => { const r = await fetch(u); return { disp: r.headers.get('content-disposition'), text: await r.text() }; }, href);
  assert.equal(csv.disp, 'attachment; filename="vgi-topology-v' + version + '.csv"');
  assert.equal(csv.text.replace(/\r/g, ''), TOPOLOGY_GOOD, 'the download is the file imported');
  assertTranslated(await sp.innerText('#page'), lang);
  await shot(sp, lang + '-topology');
  ok('topology (' + lang + '): imported, 2 markets and 2 transformer areas shown, 1 unmodelled, CSV download');
  assert.deepEqual(sp.errors, [], 'no script errors');
  await sp.context().close();

  const dp = await openPage(browser, lang);
  await login(dp, base, as('disp'));
  assert.ok(!(await navRoutes(dp)).includes('topology'), 'no topology page for a dispatcher');
  assert.equal((await apiFetchCsrf(dp, 'POST', '/api/v1/topology', { csv: TOPOLOGY_GOOD })).status, 403, 'a dispatcher may not import');
  await visit(dp, '#/demands/new', '#demand-form');
  await dp.selectOption('#dm-scope-kind', 'markets');
  await dp.waitForFunction(() => document.querySelectorAll('#dm-topology-ids option').length === 2);
  assert.deepEqual(await dp.$$eval('#dm-topology-ids option', (o) => o.map((x) => x.value)), ['MKT-N', 'MKT-S']);
  await dp.selectOption('#dm-scope-kind', 'transformer-areas');
  await dp.waitForFunction(() => document.querySelector('#dm-topology-ids option').value === 'TA-101');
  assert.deepEqual(await dp.$$eval('#dm-topology-ids option', (o) => o.map((x) => x.value)), ['TA-101', 'TA-202']);
  await dp.fill('#dm-id-pick', 'TA-202');
  await dp.dispatchEvent('#dm-id-pick', 'change');
  assert.equal(await dp.inputValue('#dm-ids'), 'TA-202', 'the picked ID is added');
  assert.equal(await dp.inputValue('#dm-id-pick'), '');
  const task = 'TOPO-' + lang.toUpperCase();
  await dp.fill('#dm-task-id', task);
  await dp.fill('.window-row .w-target', '250');
  await shot(dp, lang + '-demand-transformer-area');
  await dp.click('#dm-submit');
  await dp.waitForSelector('#demand-title');
  const scopeShown = dict('dm.scope.transformer-areas') + ': TA-202';
  assert.ok((await dp.innerText('#demand-body .facts')).includes(scopeShown), 'the detail shows ' + scopeShown);
  await visit(dp, '#/demands', '#demands-table');
  const row = await dp.$$eval('#demands-table tbody tr', (rows, t) => rows.filter((r) => r.textContent.includes(t)).map((r) => r.textContent), task);
  assert.ok(row.length === 1 && row[0].includes(scopeShown), 'the list shows ' + scopeShown);
  assertTranslated(await dp.innerText('#page'), lang);
  ok('demand (' + lang + '): scope transformer-areas from the topology\'s IDs, shown as "' + scopeShown + '"');
  assert.deepEqual(dp.errors, [], 'no script errors');
  await dp.context().close();
}

const mock = await startMock({ webDir: path.join(root, 'web'), openapiPath: path.join(root, 'libs/console/api/openapi.json'), users: USERS });
const base = mock.url;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
let failed = false;
try {
  console.log('mock at ' + base + ', screenshots in ' + shotDir());
  assert.deepEqual([...i18n.KEYS.en].sort(), [...i18n.KEYS.zh].sort(), 'zh and en have the same keys');
  ok(i18n.KEYS.zh.length + ' strings in both languages');

  for (const lang of ['zh', 'en']) {
    console.log('dispatcher, every page (' + lang + '):');
    const dict = (k) => i18n.translate(lang, k);
    const page = await openPage(browser, lang);
    await page.goto(base + '/');
    await page.waitForSelector('#login-form');
    assert.equal(await page.textContent('#login-submit'), lang === 'zh' ? '登录' : 'Log in');
    await shot(page, lang + '-login');
    await login(page, base, as('disp'));
    const routes = await navRoutes(page);
    assert.deepEqual(routes, ['overview', 'operators', 'demands', 'execution', 'settlement', 'reports', 'alarms']);
    const navText = await page.$$eval('#nav a', (a) => a.map((x) => x.textContent));
    assert.equal(navText[0], lang === 'zh' ? '总览' : 'Overview');
    ok('nav: ' + navText.join(' | '));
    for (const [name, hash, marker, key] of PAGES) {
      await visit(page, hash, marker);
      const text = await page.innerText('#page');
      assert.ok(text.includes(dict(key)), name + ': shows "' + dict(key) + '"');
      assertTranslated(text, lang);
      await shot(page, lang + '-' + name);
      ok(name + ' rendered (' + dict(key) + ')');
    }
    // key facts from the fixtures
    await visit(page, '#/overview', '#overview-chart canvas');
    assert.equal(await page.textContent('#card-load .card-value'), '3,600.00 kW');
    assert.equal(await page.$$eval('#by-operator tbody tr', (r) => r.length), 3);
    await visit(page, '#/operators', '#stations-table');
    assert.equal(await page.$$eval('#operators-table .quality.bad', (e) => e.map((x) => x.textContent)).then((v) => v.join()), '88.4 %', 'only SIM000003 is red');
    assert.equal(await page.$$eval('#stations-table tbody tr', (r) => r.length), 20);
    await page.click('#page-next');
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await page.waitForSelector('#page-info');
    await page.fill('#station-search', 'ST0305');
    await page.click('#station-search-submit');
    await page.waitForFunction(() => document.querySelectorAll('#stations-table tbody tr').length === 1);
    ok('operators: quality below 95 % is red, paging and search work');
    // reports: three tables with a total row, a CSV link for the same query, print in a print layout
    await visit(page, '#/reports', '#report-chart canvas');
    assert.equal(await page.$$eval('#report-load tbody tr', (r) => r.length), 4, '3 operators and the total');
    assert.equal(await page.$$eval('#report-response tbody tr', (r) => r.length), 3);
    assert.equal(await page.$$eval('#report-settlement tbody tr', (r) => r.length), 4);
    assert.ok((await page.innerText('#report-settlement')).includes('1,212.00'), 'settlement total earnings');
    const csvHref = await page.getAttribute('#report-csv', 'href');
    assert.match(csvHref, /^\/api\/v1\/reports\?period=day&date=\d{4}-\d{2}-\d{2}&format=csv$/);
    const csvRes = await page.evaluate(async (u) => { const r = await fetch(u); return { type: r.headers.get('content-type'), disp: r.headers.get('content-disposition'), text: await r.text() }; }, csvHref);
    assert.ok(csvRes.disp.startsWith('attachment; filename="vgi-report-day-'), csvRes.disp);
    assert.ok(csvRes.text.includes('# settlement'));
    await page.selectOption('#rp-period', 'year');
    await page.selectOption('#rp-operator', 'SIM000002');
    await page.click('#rp-submit');
    await page.waitForFunction(() => location.hash.includes('period=year') && location.hash.includes('operator=SIM000002'));
    await page.waitForFunction(() => document.querySelectorAll('#report-load tbody tr').length === 2);
    await page.waitForSelector('#report-chart canvas');
    await shot(page, lang + '-reports-year');
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
    await page.click('#report-print');
    assert.equal(await page.evaluate(() => window.__printed), 1, 'print calls window.print()');
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.isHidden('#rp-filter'), 'the filter is not printed');
    assert.ok(await page.isHidden('#nav'), 'the nav is not printed');
    assert.ok(await page.isVisible('#report-settlement'), 'the tables are printed');
    await shot(page, lang + '-reports-print');
    await page.emulateMedia({ media: 'screen' });
    ok('reports: tables with totals, CSV attachment link, year and operator filter, print layout');
    await liveExecution(page, lang, dict);
    await visit(page, '#/demands/MOCK-SEED-1', '#instructions-table');
    assert.ok((await page.innerText('#instructions-table')).includes('SIM000001'));
    assert.ok(await page.$('#change-demand'));
    assert.equal(await page.$('#ins-page-info'), null, 'two instructions: no pager');
    await engineTexts(page, lang);
    await manyInstructions(page, lang, dict);
    await page.context().close();
  }

  console.log('dispatcher flow (zh):');
  const page = await openPage(browser, 'zh');
  await login(page, base, as('disp'));
  const task = await dispatcherFlow(page, base, { acceptTimeoutMs: 20000, prefix: 'zh-flow' });
  // change: the windows editor, then the confirmation modal
  await visit(page, '#/demands/' + task, '#instructions-table');
  await page.click('#change-demand');
  await page.fill('.windows-editor .w-target', '400');
  await page.click('#change-submit');
  await page.waitForSelector('#modal:not([hidden])');
  await shot(page, 'zh-flow-change-confirm');
  await page.click('#modal-ok');
  await page.waitForFunction(() => document.querySelector('#coverage-table tbody td:nth-child(3)').textContent === '400.00');
  ok('change asks for confirmation, then the coverage shows 400 kW');
  // cancel: dismissing the modal does nothing; confirming cancels
  await page.click('#cancel-demand');
  await page.waitForSelector('#modal:not([hidden])');
  await page.click('#modal-cancel');
  assert.ok(await page.isHidden('#modal'));
  assert.ok(!mock.requests.includes('POST /api/v1/demands/' + task + '/cancel'), 'no cancel sent after "cancel" in the modal');
  await page.click('#cancel-demand');
  await page.fill('#cancel-reason', '测试取消');
  await shot(page, 'zh-flow-cancel-confirm');
  await page.click('#modal-ok');
  await page.waitForSelector('#instructions-table .instr-state[data-state="cancelled"]');
  assert.equal(await page.$('#cancel-demand'), null, 'no cancel button on a cancelled demand');
  ok('cancel asks for confirmation; dismissing sends nothing; confirming cancels');
  // alarms
  await visit(page, '#/alarms', '#alarms-table');
  await page.click('tr[data-id="1"] .alarm-ack');
  await page.waitForSelector('#modal:not([hidden])');
  await page.click('#modal-ok');
  await page.waitForSelector('tr[data-id="1"] [data-state="acknowledged"]');
  await page.click('tr[data-id="2"] .alarm-close');
  await page.click('#modal-ok');
  await page.waitForFunction(() => !document.querySelector('tr[data-id="2"]'));
  ok('alarms: acknowledge and close after confirmation');
  await shot(page, 'zh-flow-alarms');
  // a server error is shown in the banner in the API's words
  await visit(page, '#/demands/new', '#demand-form');
  await page.fill('#dm-task-id', task);
  await page.fill('.window-row .w-target', '100');
  await page.click('#dm-submit');
  await page.waitForSelector('#banner.error:not([hidden])');
  assert.ok((await page.textContent('#banner')).includes('The taskID is taken'));
  ok('error banner shows the API error: ' + (await page.textContent('#banner')));
  // client-side check in business language
  await page.fill('.window-row .w-target', '');
  await page.click('#dm-submit');
  assert.ok((await page.textContent('#banner')).includes('目标 kW'));
  // 401 -> login page
  await page.context().clearCookies();
  await page.evaluate(() => (location.hash = '#/overview'));
  await page.waitForSelector('#login-form', { state: 'visible' });
  assert.ok((await page.textContent('#banner')).includes('会话已结束'));
  ok('a 401 brings back the login page');
  await login(page, base, as('disp'));
  await page.waitForSelector('#overview-chart canvas');
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible' });
  ok('logout');
  assert.deepEqual(page.errors, [], 'no script errors');
  await page.context().close();

  console.log('viewer:');
  const vp = await openPage(browser, 'en');
  await login(vp, base, as('view'));
  await viewerFlow(vp);
  assert.ok(!(await navRoutes(vp)).includes('peers'), 'viewer has no peers nav entry');
  await vp.evaluate(() => (location.hash = '#/peers'));
  await vp.waitForFunction(() => location.hash === '#/overview');
  assert.equal(await vp.$('#peers-table, #peer-form, #peer-rotate-form'), null);
  const vpost = await apiFetchCsrf(vp, 'POST', '/api/v1/peers', { operator_id: 'VIEW00001', name: 'x', base_url: 'https://x' });
  assert.equal(vpost.status, 403, 'viewer POST /api/v1/peers -> 403');
  ok('viewer: no peers entry, #/peers falls back to the overview, POST /api/v1/peers answered 403');
  await visit(vp, '#/alarms', '#alarms-table');
  assert.equal(await vp.$('.alarm-ack, .alarm-close'), null, 'viewer has no alarm buttons');
  ok('viewer: no alarm buttons');
  await vp.context().close();

  console.log('auditor:');
  const ap = await openPage(browser, 'en');
  await login(ap, base, as('audit'));
  await auditorFlow(ap);
  assert.ok((await ap.textContent('#audit-verify-result')).includes('row 3'), 'the break is named');
  await ap.context().close();

  console.log('system administrator:');
  const sp = await openPage(browser, 'zh');
  await login(sp, base, as('sys'));
  assert.deepEqual(await navRoutes(sp), ['users', 'peers', 'topology']);
  await visit(sp, '#/users', '#users-table');
  await sp.fill('#new-username', 'newbie');
  await sp.fill('#new-display-name', '新用户');
  await sp.fill('#new-password', 'Pass-word-123');
  await sp.click('#user-create');
  await sp.waitForSelector('tr[data-user="newbie"]');
  assert.equal(await sp.$('.user-roles'), null, 'sysadmin cannot assign roles');
  await sp.click('tr[data-user="newbie"] .user-toggle');
  await sp.click('#modal-ok');
  await sp.waitForFunction(() => document.querySelector('tr[data-user="newbie"] .user-toggle').textContent === '启用');
  ok('sysadmin: creates a user, disables it after confirmation; no role buttons');
  await shot(sp, 'zh-users-sysadmin');
  const peerPage = (pg, lang) => ({ warning: i18n.translate(lang, 'pe.keys_warning'), prefix: lang + '-peers' });
  await visit(sp, '#/peers', '#peers-table');
  assert.equal(await sp.$$eval('#peers-table tbody tr', (r) => r.length), 3, 'the three seeded operators');
  assertTranslated(await sp.innerText('#page'), 'zh');
  await shot(sp, 'zh-peers');
  const zhKeys = await peerOnboardFlow(sp, { operatorId: 'MOCK00001', name: '新接入运营商', baseUrl: 'https://op1.example.cn/evcs/v1', ...peerPage(sp, 'zh') });
  assert.deepEqual(zhKeys, mock.issued.at(-1), 'the page got the key set the API issued');
  await peerDisableFlow(sp, 'MOCK00001', 'zh-peers');
  const sysRotate = await apiFetchCsrf(sp, 'POST', '/api/v1/peers/MOCK00001/rotate');
  assert.equal(sysRotate.status, 403, 'sysadmin cannot rotate keys (manage_roles)');
  assert.equal(await sp.$('.peer-rotate'), null, 'sysadmin has no rotate buttons');
  ok('sysadmin: no rotate buttons; POST …/rotate answered 403');
  assert.deepEqual(sp.errors, [], 'no script errors');
  await sp.context().close();

  console.log('security administrator:');
  const cp = await openPage(browser, 'en');
  await login(cp, base, as('sec'));
  assert.deepEqual(await navRoutes(cp), ['users', 'peers']);
  await cp.waitForSelector('#users-table');
  await cp.click('tr[data-user="newbie"] .user-roles');
  await cp.check('#modal-body input[value="viewer"]');
  await shot(cp, 'en-users-roles-modal');
  await cp.click('#modal-ok');
  await cp.waitForFunction(() => document.querySelector('tr[data-user="newbie"]').textContent.includes('Viewer'));
  await cp.click('tr[data-user="newbie"] .user-roles');
  await cp.check('#modal-body input[value="auditor"]');
  await cp.click('#modal-ok');
  await cp.waitForSelector('#banner.error:not([hidden])');
  assert.ok((await cp.textContent('#banner')).includes('separation of duties'));
  ok('secadmin: assigns roles; a separation-of-duties refusal is shown');
  const issuedBefore = mock.issued.length;
  const rotated = await peerRotateFlow(cp, { operatorId: 'MOCK00001', before: zhKeys, ...peerPage(cp, 'en') });
  assert.equal(mock.issued.length, issuedBefore + 1, 'one key set issued');
  assert.deepEqual(rotated, mock.issued.at(-1));
  assertTranslated(await cp.innerText('#page'), 'en');
  for (const [m, u, b] of [['GET', '/api/v1/peers'], ['POST', '/api/v1/peers', { operator_id: 'SEC000001', name: 'x', base_url: 'https://x' }], ['POST', '/api/v1/peers/MOCK00001/enable']]) {
    const r = await apiFetchCsrf(cp, m, u, b);
    assert.equal(r.status, 403, 'secadmin ' + m + ' ' + u + ' -> 403, got ' + r.status);
  }
  ok('secadmin: rotates keys; list, onboarding and enabling answered 403');
  assert.deepEqual(cp.errors, [], 'no script errors');
  await cp.context().close();

  console.log('peers in the other languages:');
  const sp2 = await openPage(browser, 'en');
  await login(sp2, base, as('sys'));
  const enKeys = await peerOnboardFlow(sp2, { operatorId: 'MOCK00002', name: 'New operator', baseUrl: 'https://op2.example.com/evcs/v1', ...peerPage(sp2, 'en') });
  assertTranslated(await sp2.innerText('#page'), 'en');
  await peerDisableFlow(sp2, 'MOCK00002', 'en-peers');
  await sp2.context().close();
  const cp2 = await openPage(browser, 'zh');
  await login(cp2, base, as('sec'));
  await peerRotateFlow(cp2, { operatorId: 'MOCK00002', before: enKeys, ...peerPage(cp2, 'zh') });
  assertTranslated(await cp2.innerText('#page'), 'zh');
  await cp2.context().close();

  console.log('grid topology:');
  await topologyFlow('zh', 1);
  await topologyFlow('en', 2);

  assert.deepEqual(mock.violations, [], 'every mock answer matches openapi.json');
  ok('every mock answer matched openapi.json (' + mock.requests.length + ' requests)');
  console.log('PASS mock.test.mjs');
} catch (e) {
  failed = true;
  console.error('FAIL mock.test.mjs: ' + (e && e.stack ? e.stack : e));
  if (mock.violations.length) console.error('openapi violations:\n' + mock.violations.join('\n'));
} finally {
  await browser.close();
  await mock.close();
}
process.exit(failed ? 1 : 0);

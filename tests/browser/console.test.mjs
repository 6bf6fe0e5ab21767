// Browser test of the console against a running vgi (e.g. `vgi demo`): headless Debian chromium
// via playwright-core. Env: VGI_CONSOLE_URL (https://127.0.0.1:8443), VGI_DISPATCHER, VGI_VIEWER,
// VGI_AUDITOR (user:pass each), VGI_SCREENSHOT_DIR (default /tmp/vgi-console-shots).
// Exit code 0 when every check passed.

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { shotDir, ok, creds, openPage, login, visit, shot, navRoutes, dispatcherFlow, viewerFlow, auditorFlow } from './steps.mjs';

const base = (process.env.VGI_CONSOLE_URL || 'https://127.0.0.1:8443').replace(/\/+$/, '');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
let failed = false;
try {
  console.log('console at ' + base + ', screenshots in ' + shotDir());

  console.log('dispatcher:');
  const page = await openPage(browser, 'zh');
  await login(page, base, creds('VGI_DISPATCHER'));
  const routes = await navRoutes(page);
  for (const r of ['overview', 'operators', 'demands', 'execution', 'settlement', 'alarms']) assert.ok(routes.includes(r), 'dispatcher nav has ' + r);
  for (const r of ['users', 'peers', 'audit']) assert.ok(!routes.includes(r), 'dispatcher nav lacks ' + r);
  ok('nav: ' + routes.join(', '));
  await visit(page, '#/overview', '#overview-chart canvas');
  ok('overview: total load ' + (await page.textContent('#card-load .card-value')));
  await shot(page, 'dispatcher-overview');
  await visit(page, '#/operators', '#stations-table');
  ok('operators: ' + (await page.$$eval('#operators-table tbody tr', (r) => r.length)) + ' operator(s); ' + (await page.textContent('#page-info')));
  await shot(page, 'dispatcher-operators');
  const station = await page.$('#stations-table tbody a');
  if (station) {
    await station.click();
    await page.waitForSelector('#station-chart canvas');
    await page.waitForSelector('#stakes-table');
    ok('station page: ' + (await page.textContent('#curve-present')));
    await shot(page, 'dispatcher-station');
  }
  await visit(page, '#/alarms', '#alarms-table');
  await shot(page, 'dispatcher-alarms');
  await dispatcherFlow(page, base, { acceptTimeoutMs: 120000 });
  assert.deepEqual(page.errors, [], 'no script errors in the page');
  await page.context().close();

  console.log('viewer:');
  const vp = await openPage(browser, 'zh');
  await login(vp, base, creds('VGI_VIEWER'));
  await viewerFlow(vp);
  await vp.context().close();

  console.log('auditor:');
  const ap = await openPage(browser, 'zh');
  await login(ap, base, creds('VGI_AUDITOR'));
  await auditorFlow(ap);
  await ap.context().close();
  console.log('PASS console.test.mjs');
} catch (e) {
  failed = true;
  console.error('FAIL console.test.mjs: ' + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

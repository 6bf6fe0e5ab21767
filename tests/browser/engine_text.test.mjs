// web/engine_text.js: every text template of the regulation engine and the relay (inputs built
// the way libs/engine/src/regulator*.cpp, allocation.cpp, baseline.cpp and
// libs/relay/src/outbox_relay.cpp build them) in Chinese with its parameters kept; nested reasons
// translated; anything else passed through unchanged; English unchanged.
// Run: node --test engine_text.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineText } from '../../web/engine_text.js';

const zh = (text) => engineText(text, 'zh');
const W = '2026-12-05 18:00–18:59';
const EXPLAIN = 'OPA000001: potential 200.00 kW, usable 180.00 kW after 10.00% reserve, allocated 100.00 kW (33.33% of 300.00 kW)';
const EXPLAIN_ZH = 'OPA000001：潜力 200.00 kW，预留 10.00% 备用后可用 180.00 kW，分配 100.00 kW（占 300.00 kW 的 33.33%）';

// [English as the engine writes it, the Chinese the console shows]
const CASES = {
  'instruction notes': [
    ['sent', '已下发'],
    ['change sent, replacing D20261205A1B2-001', '变更已下发，替换 D20261205A1B2-001'],
    ['cancel of D20261205A1B2-001', 'D20261205A1B2-001 的撤销指令'],
    ['accepted by the operator (callback_task_overview)', '运营商已接受（callback_task_overview）'],
    ['rejected by the operator (callback_task_overview)', '运营商已拒绝（callback_task_overview）'],
    ['answered with changed targets (callback_task_check)', '运营商以修改后的目标答复（callback_task_check）'],
    ['accepted (query_task_result)', '已接受（query_task_result）'],
    ['rejected (query_task_result)', '已拒绝（query_task_result）'],
    ['not delivered: connection refused', '未送达：connection refused'],
    ['refused by the operator platform: Ret 4004 签名错误', '被运营商平台拒绝：Ret 4004 签名错误'],
    ['refused by the operator platform: Ret 500 ', '被运营商平台拒绝：Ret 500'],
    ['no answer by the start of its first window', '首个时段开始时仍未收到答复'],
    ['replaced by D20261205A1B2-004', '已被 D20261205A1B2-004 替换'],
    ['replaced by a change of the demand (D20261205A1B2-004)', '因需求变更被替换（D20261205A1B2-004）'],
    ['dropped by a change of the demand', '需求变更后不再参与'],
    ['cancelled by the dispatcher', '调度员已取消'],
    ['cancelled: grid recovered early', '已取消：grid recovered early'],
    ['nothing accepted to execute', '没有已接受的时段可执行'],
    ['executing', '执行中'],
    ['completed; measuring', '已完成，测量中'],
    ['not measured yet: a reason the console does not know', '尚未测量：a reason the console does not know'],
    ['measured (18:00 100.0 %) against high-5-of-10 (RRMSE 3.2 % on 5 days); earnings 225.00 yuan; settlement pushed',
      '已测量（18:00 100.0 %），基线 high-5-of-10（RRMSE 3.2 %，回测 5 天）；收益 225.00 元；结算已推送'],
    ['measured (18:00 98.5 %, 19:00 101.2 %) against same-day (accuracy check off); earnings 0.00 yuan; settlement pushed',
      '已测量（18:00 98.5 %, 19:00 101.2 %），基线 same-day（未做准确性校验）；收益 0.00 元；结算已推送'],
    ['settled: 225.00 yuan pushed and acknowledged', '已结算：225.00 元已推送并获确认'],
    ['settlement push not acknowledged: Ret 3 busy', '结算推送未获确认：Ret 3 busy'],
  ],
  'baselines and why a measurement was refused': [
    ['high-5-of-10 (RRMSE 3.2 % on 5 days)', 'high-5-of-10（RRMSE 3.2 %，回测 5 天）'],
    ['5-of-5-adjusted (accuracy check off)', '5-of-5-adjusted（未做准确性校验）'],
    ["the live watch's reference (taken at the window's start)", '实时监测参考线（于时段开始时取得）'],
    ['high-5-of-10: only 3 non-event weekdays in the last 10 days before 2026-12-05, need 5',
      'high-5-of-10：2026-12-05 之前 10 天内只有 3 个非事件工作日，需要 5 个'],
    ['high-5-of-10: only 0 non-event weekend days or holidays in the last 10 days before 2026-12-06, need 5',
      'high-5-of-10：2026-12-06 之前 10 天内只有 0 个非事件周末或节假日，需要 5 个'],
    ['same-day: no reference minutes on 2026-12-05 (the event starts at 00:00 and the hours after it are not available)',
      'same-day：2026-12-05 没有参考分钟（事件从 00:00 开始，其后时段的数据尚不可用）'],
    ['baseline high-5-of-10 refused: the mean actual load over 5 back-test days is 0.00 kW, RRMSE is undefined',
      '基线 high-5-of-10 不可用：5 个回测日的平均实际负荷为 0.00 kW，RRMSE 无定义'],
    ['baseline high-5-of-10 refused: RRMSE 31.7 % on 5 back-test days exceeds 20.0 %',
      '基线 high-5-of-10 不可用：5 个回测日的 RRMSE 为 31.7 %，超过 20.0 %'],
  ],
  'demand events': [
    ['created by disp', '由 disp 创建'],
    ['created by an unnamed user', '由未署名用户创建'],
    ['windows changed', '时段已变更'],
    ['done: every instruction reached a final state', '已结束：所有指令均已进入终态'],
    ['not sent: its first window started before it could be decomposed', '未下发：首个时段在分解前已开始'],
    ['not sent: stake scope OPA000001/ST01 carries no credit code', '未下发：stake scope OPA000001/ST01 carries no credit code'],
    [W + ': 50.00 kW of 300.00 kW uncovered: the operators in scope have no more usable potential',
      W + '：300.00 kW 中有 50.00 kW 未覆盖：范围内的运营商已无可用潜力'],
    ['re-decomposed after the change: instructions to OPA000001, OPB000002', '变更后重新分解：指令下发给 OPA000001, OPB000002'],
    ['re-decomposed after the change: instructions to nobody', '变更后重新分解：没有下发指令'],
    ['nothing sent: no operator in scope reports usable potential', '未下发：范围内没有运营商上报可用潜力'],
    ["not sent: scope: the grid topology places no active station of an enabled operator in these transformer areas (it names 1 stations there; are their operators' models synced?)",
      '未下发：范围：电网拓扑中这些台区内没有已启用运营商的在运场站（拓扑列出其中 1 个场站；运营商的场站模型是否已同步？）'],
    ['decomposed over 2 participant(s): OPA000001, OPB000002/ST01', '已分解给 2 个参与方：OPA000001, OPB000002/ST01'],
    ['uncovered after 3 re-dispatch round(s): ' + W + ' 50.00 kW (re-dispatch rounds exhausted)',
      '经 3 轮再调度仍未覆盖：' + W + ' 50.00 kW（再调度轮次已用尽）'],
    ['uncovered after 0 re-dispatch round(s): ' + W + ' 50.00 kW, 2026-12-05 19:00–19:59 20.00 kW (no operator has usable potential left)',
      '经 0 轮再调度仍未覆盖：' + W + ' 50.00 kW, 2026-12-05 19:00–19:59 20.00 kW（没有运营商还有可用潜力）'],
    ['re-dispatch round 1: shortfall ' + W + ' 50.00 kW; 50.00 kW asked of 2 participant(s)',
      '第 1 轮再调度：缺口 ' + W + ' 50.00 kW；向 2 个参与方追加 50.00 kW'],
    ['OPA000001 D20261205A1B2-001: no answer by the acceptance deadline; asked query_task_result',
      'OPA000001 D20261205A1B2-001：接受截止时间前未收到答复，已发送 query_task_result 查询'],
    ['OPA000001 D20261205A1B2-001: executing', 'OPA000001 D20261205A1B2-001：执行中'],
    ['OPA000001 D20261205A1B2-001: below 80 % of its 300.00 kW target for 10 minutes up to 2026-12-05 18:12 (response 120.00 kW)',
      'OPA000001 D20261205A1B2-001：连续 10 分钟低于 300.00 kW 目标的 80 %（截至 2026-12-05 18:12，响应 120.00 kW）'],
    ['OPA000001 D20261205A1B2-001: below 80 % of its 300.00 kW target for 5 minutes up to 2026-12-05 18:12 (response 0.00 kW, no data)',
      'OPA000001 D20261205A1B2-001：连续 5 分钟低于 300.00 kW 目标的 80 %（截至 2026-12-05 18:12，响应 0.00 kW，无数据）'],
    ['2026-12-05 17:00 OPA000001 D20261205A1B2-001: accepted by the operator (callback_task_overview)',
      '2026-12-05 17:00 OPA000001 D20261205A1B2-001：运营商已接受（callback_task_overview）'],
    ['2026-12-05 17:00 ' + W + ': 50.00 kW of 300.00 kW uncovered: the operators in scope have no more usable potential',
      '2026-12-05 17:00 ' + W + '：300.00 kW 中有 50.00 kW 未覆盖：范围内的运营商已无可用潜力'],
  ],
  'explanation lines': [
    [W + ': ' + EXPLAIN + '; 3 of 4 stations reporting; similar-day forecast', W + '：' + EXPLAIN_ZH + '；4 个场站中 3 个在报数；相似日预测'],
    [W + ': ' + EXPLAIN + ', capped at usable potential; 1 of 1 stations reporting; current readings',
      W + '：' + EXPLAIN_ZH + '，以可用潜力为上限；1 个场站中 1 个在报数；当前读数'],
    [W + ': OPA000001/ST01: potential 20.00 kW, usable 20.00 kW after 0.00% reserve, allocated 20.00 kW (10.00% of 200.00 kW), capped at its limit; 0 of 1 stations reporting; current readings',
      W + '：OPA000001/ST01：潜力 20.00 kW，预留 0.00% 备用后可用 20.00 kW，分配 20.00 kW（占 200.00 kW 的 10.00%），以其限值为上限；1 个场站中 0 个在报数；当前读数'],
    [W + ' re-dispatch: ' + EXPLAIN + ', after what it already holds', W + ' 再调度：' + EXPLAIN_ZH + '，在其已承担的量之外'],
    [EXPLAIN, EXPLAIN_ZH],
  ],
  'alarm titles': [
    ['demand cannot be decomposed', '需求无法分解'],
    ['demand expired before it was sent', '需求在下发前已过期'],
    ['demand not fully covered', '需求未完全覆盖'],
    ['operator below its target', '运营商低于目标'],
    ['instruction cannot be measured', '指令无法测量'],
    ['settlement not acknowledged', '结算未获确认'],
    ['Command not delivered before its deadline', '指令在截止时间前未送达'],
    ['Command refused by the operator', '指令被运营商拒绝'],
  ],
  'alarm details': [
    ['14 instructions of demand T1, the first: OPA000001 T1-001: below 80 % of its 10.00 kW target for 5 minutes up to 2026-12-04 18:04 (response 0.00 kW)',
      '需求 T1 的 14 条指令，首条：' + zh('OPA000001 T1-001: below 80 % of its 10.00 kW target for 5 minutes up to 2026-12-04 18:04 (response 0.00 kW)')],
    ['demand D20261205A1B2: stake scope OPA000001/ST01 carries no credit code', '需求 D20261205A1B2：stake scope OPA000001/ST01 carries no credit code'],
    ['demand D20261205A1B2 reached its first window before the engine decomposed it', '需求 D20261205A1B2 在引擎分解前已到达首个时段'],
    ['demand D20261205A1B2 ' + W + ': 50.00 kW of 300.00 kW uncovered: the operators in scope have no more usable potential',
      '需求 D20261205A1B2 ' + W + '：300.00 kW 中有 50.00 kW 未覆盖：范围内的运营商已无可用潜力'],
    ['demand D20261205A1B2: ' + W + ' 50.00 kW uncovered (re-dispatch rounds exhausted)',
      '需求 D20261205A1B2：' + W + ' 50.00 kW 未覆盖（再调度轮次已用尽）'],
    ['OPA000001 D20261205A1B2-001: high-5-of-10: only 3 non-event weekdays in the last 10 days before 2026-12-05, need 5 (retried every 10 minutes)',
      'OPA000001 D20261205A1B2-001：high-5-of-10：2026-12-05 之前 10 天内只有 3 个非事件工作日，需要 5 个（每 10 分钟重试）'],
    ['OPA000001 D20261205A1B2-001: Ret 3 busy', 'OPA000001 D20261205A1B2-001：Ret 3 busy'],
    ['OPA000001 D20261205A1B2-001: deadline passed before delivery (last error: timeout)',
      'OPA000001 D20261205A1B2-001：送达前已过截止时间（最后错误：timeout）'],
    ['outbox #17 send_task to OPA000001 (regulationID D20261205A1B2-001) was not delivered before its deadline 20261205173000; last error: Ret 500 busy',
      'outbox #17 send_task（发往 OPA000001，regulationID D20261205A1B2-001）在截止时间 20261205173000 前未送达；最后错误：Ret 500 busy'],
    ['outbox #18 notification_stationStatus to OPA000001 was not delivered before its deadline 20261205173000',
      'outbox #18 notification_stationStatus（发往 OPA000001）在截止时间 20261205173000 前未送达'],
    ['outbox #19 send_task to OPA000001 (regulationID D20261205A1B2-002): refused with Ret 4004 bad signature; not retried (the same Data would be refused again)',
      'outbox #19 send_task（发往 OPA000001，regulationID D20261205A1B2-002）：被拒绝：Ret 4004 bad signature；不再重试（相同的 Data 会再次被拒绝）'],
  ],
};

for (const [group, cases] of Object.entries(CASES)) {
  test(group, () => {
    for (const [en, expected] of cases) {
      assert.equal(zh(en), expected, en);
      assert.equal(engineText(en, 'en'), en, 'English unchanged: ' + en);
    }
  });
}

test('nested reasons are translated recursively', () => {
  const refused = 'baseline high-5-of-10 refused: RRMSE 31.7 % on 5 back-test days exceeds 20.0 %';
  assert.equal(zh('2026-12-05 19:10 OPA000001 D20261205A1B2-001: not measured yet: ' + refused + ' (retried in 10 minutes)'),
    '2026-12-05 19:10 OPA000001 D20261205A1B2-001：尚未测量：基线 high-5-of-10 不可用：5 个回测日的 RRMSE 为 31.7 %，超过 20.0 %（10 分钟后重试）');
  assert.equal(zh('not delivered: refused with Ret 4004 bad signature; not retried (the same Data would be refused again)'),
    '未送达：被拒绝：Ret 4004 bad signature；不再重试（相同的 Data 会再次被拒绝）');
  assert.equal(zh('not delivered: deadline passed before delivery (last error: refused with Ret 1 x; not retried (the same Data would be refused again))'),
    '未送达：送达前已过截止时间（最后错误：被拒绝：Ret 1 x；不再重试（相同的 Data 会再次被拒绝））');
  assert.equal(zh('settlement push not acknowledged: deadline passed before delivery'), '结算推送未获确认：送达前已过截止时间');
  assert.equal(zh('OPA000001 D20261205A1B2-001: not measured yet: same-day: no reference minutes on 2026-12-05 (the event starts at 00:00 and the hours after it are not available)'),
    'OPA000001 D20261205A1B2-001：尚未测量：same-day：2026-12-05 没有参考分钟（事件从 00:00 开始，其后时段的数据尚不可用）');
  // an unknown nested reason stays as it came inside the translated frame
  assert.equal(zh('not measured yet: store unavailable (retried in 10 minutes)'), '尚未测量：store unavailable（10 分钟后重试）');
});

test('unknown texts pass through unchanged', () => {
  for (const s of [
    'something the engine never wrote',
    'OPA000001 D20261205A1B2-001: a note no template has',
    '2026-12-05 17:00 an event no template has',
    '2026-12-05 18:00–18:59: OPA000001: potential lots',
    '运营商拒绝：车辆不足',
    'sent ',
    ' executing',
    'Executing',
  ]) {
    assert.equal(zh(s), s);
  }
  for (const v of ['', null, undefined]) assert.equal(zh(v), v);
});

/**
 * The scripted demo scenario against the service on a fast cron,
 * all values read from /metrics: ASR >= 90% after the admin API poisons two updates with BadNets,
 * above 50% for 3 SGD cycles, below 50% within 2 cycles after switching to STLR.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { runScenario } from '../../services/demo-scenario.ts';
import { startTestService, type TestService } from './helpers/service.ts';

let svc: TestService | undefined;
after(async () => {
  await svc?.dispose();
});

it('poison, survive SGD, removed by STLR (read from /metrics)', async () => {
  // Embedded defaults (pool subset 1000, 3 epochs, sgd:0.03) on a 1-second cron.
  const service = await startTestService(
    {
      CYCLE_INTERVAL_SECONDS: '1',
      POOL_SUBSET: '1000',
      UPDATE_EPOCHS: '3',
      EVAL_SUBSET: '1000',
      F0_EPOCHS: '2',
    },
    { cron: true },
  );
  svc = service;
  // A start-up that fails or hangs ends the test here, with the service's log, instead of
  // the scenario polling /readyz until its own 10-minute deadline.
  await service.whenReady();
  const lines: string[] = [];
  const result = await runScenario({
    url: service.url,
    adminToken: service.adminToken,
    log: (l) => lines.push(l),
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${lines.join('\n')}\n${service.logs.text()}`);
  });
  const table = lines.join('\n');
  assert.ok(result.asrAfterInjection >= 0.9, table);
  // A cycle already training when the schedule switches still runs with SGD, so 3 or more.
  assert.ok(result.sgdAsr.length >= 3, table);
  for (const asr of result.sgdAsr) assert.ok(asr > 0.5, table);
  assert.ok(
    result.stlrAsr.slice(0, 2).some((asr) => asr < 0.5),
    table,
  );
  // The models seen are consecutive promoted updates.
  const steps = result.models.map((m) => m.step);
  assert.deepEqual(
    steps,
    steps.map((_, i) => result.poisonedStep + i),
    table,
  );
});

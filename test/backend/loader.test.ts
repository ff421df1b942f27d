import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import type { BackendInfo } from '../../sim/backend/loader.ts';
import { speedPath } from '../../sim/backend/speed-path.ts';
import {
  BACKEND_ORDER,
  parseBackendName,
  selectBackend,
  type BackendName,
} from '../../sim/backend/select.ts';

const run = promisify(execFile);
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function fakes(working: readonly BackendName[], activated: BackendName[] = []) {
  return BACKEND_ORDER.map((name) => ({
    name,
    activate: async () => {
      if (!working.includes(name)) throw new Error(`${name} unavailable\nstack line`);
      activated.push(name);
    },
  }));
}

describe('selectBackend', () => {
  it('takes the first backend that loads and records why the others were skipped', async () => {
    const logs: string[] = [];
    const activated: BackendName[] = [];
    const chosen = await selectBackend(fakes(['wasm', 'cpu'], activated), undefined, (m) => logs.push(m));
    assert.equal(chosen.name, 'wasm');
    assert.deepEqual(activated, ['wasm']);
    assert.deepEqual(chosen.skipped, [
      { name: 'tensorflow-gpu', reason: 'tensorflow-gpu unavailable' },
      { name: 'tensorflow', reason: 'tensorflow unavailable' },
    ]);
    assert.equal(logs.length, 3);
    assert.match(logs[2], /wasm selected/);
  });

  it('prefers the GPU build when it loads', async () => {
    const chosen = await selectBackend(fakes(BACKEND_ORDER), undefined, () => {});
    assert.deepEqual(chosen, { name: 'tensorflow-gpu', skipped: [] });
  });

  it('falls through to cpu when nothing else loads', async () => {
    const chosen = await selectBackend(fakes(['cpu']), undefined, () => {});
    assert.equal(chosen.name, 'cpu');
    assert.deepEqual(
      chosen.skipped.map((s) => s.name),
      ['tensorflow-gpu', 'tensorflow', 'wasm'],
    );
  });

  it('tries only a requested backend and fails loudly when it does not load', async () => {
    const activated: BackendName[] = [];
    const chosen = await selectBackend(fakes(['wasm', 'cpu'], activated), 'cpu', () => {});
    assert.deepEqual(chosen, { name: 'cpu', skipped: [] });
    assert.deepEqual(activated, ['cpu']);
    await assert.rejects(
      selectBackend(fakes(['cpu']), 'tensorflow', () => {}),
      /requested backend 'tensorflow'/,
    );
  });

  it('rejects unknown backend names', () => {
    assert.equal(parseBackendName('wasm', 'test'), 'wasm');
    assert.throws(() => parseBackendName('webgl', 'PERMANENCE_BACKEND'), /PERMANENCE_BACKEND='webgl'/);
  });
});

async function loadInChild(env: Record<string, string>): Promise<{ info: BackendInfo; logs: string[] }> {
  const { PERMANENCE_BACKEND: _, ...base } = process.env;
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--import', fixture('hide-native.mjs'), fixture('print-backend.ts')],
    { env: { ...base, ...env } },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { info: BackendInfo; logs: string[] };
}

describe('loadBackend in a fresh process, native packages absent', () => {
  it('skips tensorflow-gpu and tensorflow, with reasons, and picks wasm with its kernels', async () => {
    const { info, logs } = await loadInChild({});
    assert.equal(info.name, 'wasm');
    assert.deepEqual(
      info.skipped.map((s) => s.name),
      ['tensorflow-gpu', 'tensorflow'],
    );
    for (const s of info.skipped) assert.match(s.reason, /Cannot find package/);
    assert.ok(info.kernels.includes('Conv2DBackpropFilter'));
    assert.ok(logs.some((m) => /wasm selected/.test(m)));
  });

  it('PERMANENCE_KERNELS=baseline keeps only the stock-wasm training minimum', async () => {
    const { info } = await loadInChild({ PERMANENCE_KERNELS: 'baseline' });
    assert.equal(info.name, 'wasm');
    assert.deepEqual(info.kernels, ['Conv2DBackpropFilter', 'Conv2DBackpropInput']);
    assert.deepEqual(info.gradients, []);
    assert.equal(info.native.loaded, false);
    const full = await loadInChild({});
    assert.ok(full.info.kernels.length > 2 && full.info.gradients.length > 0, 'the default adds more');
    await assert.rejects(
      loadInChild({ PERMANENCE_KERNELS: 'fast' }),
      /PERMANENCE_KERNELS='fast' is not valid/,
    );
  });

  it('honours PERMANENCE_BACKEND', async () => {
    const { info } = await loadInChild({ PERMANENCE_BACKEND: 'cpu' });
    assert.equal(info.name, 'cpu');
    assert.deepEqual(info.skipped, []);
    assert.deepEqual(info.kernels, []);
  });
});

describe('the fast path', () => {
  // On CI (CI=true) the set-up must have installed oneDNN and built the addon: a missing
  // install step must fail here rather than hide behind a green, slow run.
  it(
    'the native oneDNN kernels are loaded (required when CI=true)',
    { skip: process.env.CI !== 'true' && 'CI is not set' },
    async () => {
      const { info } = await loadInChild({});
      assert.equal(info.name, 'wasm');
      assert.equal(info.native.loaded, true, `native kernels not loaded: ${info.native.detail}`);
      assert.equal(speedPath(info).path, 'fast');
    },
  );

  it('speedPath names the slow path and how to leave it', () => {
    const slow = speedPath({ name: 'wasm', native: { loaded: false, detail: 'native addon unavailable' } });
    assert.equal(slow.path, 'slow');
    assert.match(slow.hint ?? '', /apt-get install -y libdnnl-dev && npm run build:native/);
    const fast = speedPath({ name: 'wasm', native: { loaded: true, detail: 'oneDNN 2.6.3' } });
    assert.deepEqual([fast.path, fast.hint], ['fast', undefined]);
    assert.equal(
      speedPath({ name: 'cpu', native: { loaded: false, detail: 'only used with the wasm backend' } }).path,
      'slow',
    );
    assert.equal(speedPath({ name: 'tensorflow', native: { loaded: false, detail: '' } }).path, 'fast');
  });
});

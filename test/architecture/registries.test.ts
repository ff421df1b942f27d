/**
 * The registries of attacks, drifts, defenses and architectures are the one source of their
 * names: every schema's enum equals a registry's keys, and no source file restates a list.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../services/config.ts';
import { poisonBody } from '../../services/http/schemas.ts';
import { triggerSpecSchema } from '../../services/loop/campaigns.ts';
import { ATTACKS, attackConfigSchema, attackKindSchema } from '../../sim/attacks/index.ts';
import { DEFENSES, defenseNameSchema } from '../../sim/defenses/registry.ts';
import { DRIFT_KINDS, DRIFTS, driftKindSchema } from '../../sim/drift/index.ts';
import { experimentConfigSchema } from '../../sim/experiment/config.ts';
import { ARCHITECTURES, architectureSchema } from '../../sim/models/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const keys = (registry: object) => Object.keys(registry).sort();
const sorted = (values: readonly string[]) => [...values].sort();

test("each registry's schema enumerates exactly its keys", () => {
  assert.deepEqual(sorted(attackKindSchema.options), keys(ATTACKS));
  assert.deepEqual(sorted(driftKindSchema.options), keys(DRIFTS));
  assert.deepEqual(sorted(DRIFT_KINDS), keys(DRIFTS));
  assert.deepEqual(sorted(defenseNameSchema.options), keys(DEFENSES));
  assert.deepEqual(sorted(architectureSchema.options), keys(ARCHITECTURES));
  for (const [kind, attack] of Object.entries(ATTACKS)) assert.equal(attack.kind, kind);
});

test('the experiment config, the service config and the API accept exactly the registry keys', () => {
  assert.deepEqual(sorted(experimentConfigSchema.shape.model.removeDefault().options), keys(ARCHITECTURES));
  for (const arch of keys(ARCHITECTURES)) assert.equal(loadConfig({ MODEL_ARCH: arch }).MODEL_ARCH, arch);
  assert.throws(() => loadConfig({ MODEL_ARCH: 'vgg16' }), /MODEL_ARCH/);
  for (const defense of keys(DEFENSES))
    assert.equal(loadConfig({ SCAN_DEFENSE: defense }).SCAN_DEFENSE, defense);
  assert.throws(() => loadConfig({ SCAN_DEFENSE: 'strip' }), /SCAN_DEFENSE/);
  for (const attack of keys(ATTACKS)) assert.equal(poisonBody.parse({ attack }).trigger.kind, attack);
  assert.equal(poisonBody.safeParse({ attack: 'trojannn' }).success, false);
});

test("one schema per attack: the CLI's and the API's checks agree, the seed is the campaign's", () => {
  const cases = [
    { kind: 'badnets', size: 4 },
    { kind: 'badnets', size: 0 },
    { kind: 'blend', alpha: 0.05 },
    { kind: 'blend', alpha: 1.5 },
    { kind: 'wanet', strength: 0.75, gridSize: 4 },
    { kind: 'wanet', gridSize: 1 },
  ];
  for (const c of cases) {
    assert.equal(
      triggerSpecSchema.safeParse(c).success,
      attackConfigSchema.safeParse(c).success,
      JSON.stringify(c),
    );
  }
  for (const [kind, attack] of Object.entries(ATTACKS)) {
    if (!attack.seedParam) continue;
    const withSeed = { kind, [attack.seedParam]: 3 };
    assert.equal(attackConfigSchema.safeParse(withSeed).success, true);
    assert.equal(triggerSpecSchema.safeParse(withSeed).success, false);
  }
});

test('no source file restates a registry as a z.enum or a list of names', () => {
  // The drift kinds' own list of names (like tfjs's kernel_names.ts); the first test ties it to DRIFTS.
  const namesFile = 'sim/drift/types.ts';
  const registries = [keys(ATTACKS), keys(DRIFTS), keys(DEFENSES), keys(ARCHITECTURES)];
  const quoted = registries
    .flat()
    .map((n) => `'${n}'`)
    .join('|');
  // Any z.enum of registry names restates a registry; a plain list does when it names all of
  // one registry's keys (a default selection such as ['badnets', 'blend'] does not).
  const zodEnum = new RegExp(`z\\.enum\\(\\s*\\[?\\s*(${quoted})\\s*,\\s*(${quoted})`);
  const lists = (text: string): string[][] =>
    [...text.matchAll(/\[((?:\s*'[a-z0-9-]+'\s*,?)+)\]/g)].map((m) =>
      [...m[1].matchAll(/'([a-z0-9-]+)'/g)].map((q) => q[1]),
    );
  const restates = (text: string): boolean =>
    zodEnum.test(text) ||
    lists(text).some((list) =>
      registries.some((names) => names.length > 1 && names.every((n) => list.includes(n))),
    );
  const offenders = ['sim', 'services']
    .flatMap((dir) =>
      readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => relative(ROOT, join(e.parentPath, e.name))),
    )
    .filter((file) => file !== namesFile && restates(readFileSync(join(ROOT, file), 'utf8')));
  assert.deepEqual(offenders, []);
  // The check itself catches both forms.
  assert.ok(restates("z.enum(['badnets', 'blend', 'wanet'])"));
  assert.ok(restates("const kinds = ['badnets', 'blend', 'wanet'];"));
  assert.ok(!restates("default: ['badnets', 'blend']"));
});

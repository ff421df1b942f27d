/**
 * The docs name only flags the CLI accepts: every `--flag` on a `permanence <command> ...`
 * line of README.md and docs/*.md, and every `--flag` in docs/experiments.md (the page of
 * `permanence run`), must appear in that command's --help.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const COMMANDS = ['run', 'plot', 'scan', 'defense-table', 'sweep', 'worker', 'report', 'replay'] as const;

const helpCache = new Map<string, Set<string>>();
function flagsOf(command: string): Set<string> {
  let flags = helpCache.get(command);
  if (!flags) {
    const r = spawnSync(process.execPath, ['bin/permanence.mjs', command, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const root = spawnSync(process.execPath, ['bin/permanence.mjs', '--help'], { encoding: 'utf8' }).stdout;
    flags = new Set([...`${r.stdout}\n${root}`.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
    helpCache.set(command, flags);
  }
  return flags;
}

const docs = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

test('flags on `permanence <command>` lines of the docs exist', () => {
  const missing: string[] = [];
  const pattern = new RegExp(`permanence (${COMMANDS.join('|')})\\b([^\`|\\n]*)`, 'g');
  for (const file of docs) {
    for (const [, command, rest] of readFileSync(file, 'utf8').matchAll(pattern)) {
      for (const [flag] of rest.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)) {
        if (!flagsOf(command).has(flag)) missing.push(`${file}: permanence ${command} ${flag}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

test('every flag docs/experiments.md names is a flag of permanence run', () => {
  const text = readFileSync(join('docs', 'experiments.md'), 'utf8');
  const named = [...text.matchAll(/`(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]);
  assert.ok(named.length > 5, 'the page names flags');
  assert.deepEqual(
    named.filter((f) => !flagsOf('run').has(f)),
    [],
  );
});

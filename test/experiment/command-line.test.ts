import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { commandLine } from '../../sim/cli/command-line.ts';

test('the recorded command line quotes what a shell would split', () => {
  assert.equal(
    commandLine(['report', 'runs/x', '--note', 'machine: a 2-core VM']),
    `permanence report runs/x --note 'machine: a 2-core VM'`,
  );
  assert.equal(commandLine(['report', '--note', "it's quiet"]), `permanence report --note "it's quiet"`);
  assert.equal(commandLine(['sweep', 'a.yaml', '-j', '2']), 'permanence sweep a.yaml -j 2');
  // Commas and colons mean nothing to a shell: specs and format lists stay readable.
  assert.equal(
    commandLine(['run', '--drift', 'hue:0.02', '--format', 'svg,png,pdf', '--seeds', '0,']),
    'permanence run --drift hue:0.02 --format svg,png,pdf --seeds 0,',
  );
});

test('a shell reads the recorded line back as the same arguments', () => {
  const args = ['--note', 'a;b c', '$HOME', '', "it's", 'x\\y', 'svg,png', '*', '~/runs', 'a\nb'];
  const line = commandLine(args).replace(/^permanence /, '');
  const echoed = spawnSync('/bin/sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], {
    encoding: 'utf8',
  });
  assert.equal(echoed.status, 0, echoed.stderr);
  assert.deepEqual(echoed.stdout.split('\0').slice(0, -1), args);
});

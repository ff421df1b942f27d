import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandLine } from '../../sim/cli/command-line.ts';

test('the recorded command line quotes what a shell would split', () => {
  assert.equal(
    commandLine(['report', 'runs/x', '--note', 'machine: a 2-core VM']),
    `permanence report runs/x --note 'machine: a 2-core VM'`,
  );
  assert.equal(commandLine(['report', '--note', "it's quiet"]), `permanence report --note "it's quiet"`);
  assert.equal(commandLine(['sweep', 'a.yaml', '-j', '2']), 'permanence sweep a.yaml -j 2');
});

/** Logs: JSON lines when piped (log shippers), pretty lines on a terminal; secrets redacted in both. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { findTool } from '../infra/tools.ts';

const script = findTool('script'); // util-linux: runs a command on a pseudo-terminal

test('piped, the service logs one JSON object per line', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/log-line.ts'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  assert.equal(line.msg, 'cycle finished');
  assert.equal(line.level, 30);
  assert.equal(line.token, '[redacted]');
});

test(
  'on a terminal, the service logs pretty lines',
  { skip: script ? false : 'script (util-linux) not installed' },
  () => {
    const command = `${process.execPath} --import tsx test/helpers/log-line.ts`;
    const r = spawnSync(script as string, ['-qfec', command, '/dev/null'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // eslint-disable-next-line no-control-regex
    const text = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    assert.match(text, /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: cycle finished/m);
    assert.match(text, /token: "\[redacted\]"/);
    assert.doesNotMatch(text, /"level":30/);
    assert.doesNotMatch(text, /secret-token-value/);
  },
);

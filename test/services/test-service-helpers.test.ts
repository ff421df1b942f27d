import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogTail, within } from './helpers/service.ts';

test('LogTail keeps the last lines, without their newline', () => {
  const tail = new LogTail(2);
  assert.equal(tail.text(), '(the service logged nothing)');
  tail.write('{"msg":"a"}\n');
  tail.write('{"msg":"b"}\n');
  tail.write('{"msg":"c"}\n');
  assert.deepEqual(tail.lines(), ['{"msg":"b"}', '{"msg":"c"}']);
  assert.equal(tail.text(), 'last 2 log lines of the service:\n{"msg":"b"}\n{"msg":"c"}');
});

test('within: the promise settles first, or the message after the deadline', async () => {
  assert.equal(await within(Promise.resolve(7), 1000, () => 'late'), 7);
  await assert.rejects(
    within(Promise.reject(new Error('boom')), 1000, () => 'late'),
    /boom/,
  );
  await assert.rejects(
    within(new Promise(() => undefined), 10, () => 'never listened'),
    /never listened/,
  );
});

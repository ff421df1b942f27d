import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listeningLine, listeningUrl } from '../../services/listening-line.ts';

test('listeningUrl reads back the URL of the line main.ts prints', () => {
  assert.equal(listeningLine('http://127.0.0.1:41234'), 'Permanence live service on http://127.0.0.1:41234');
  const banner = ['', listeningLine('http://localhost:8080'), '  dashboard  http://localhost:8080/', ''].join(
    '\n',
  );
  assert.equal(listeningUrl(banner), 'http://localhost:8080');
});

test('listeningUrl: nothing before the line is printed, the first one after', () => {
  assert.equal(listeningUrl(''), undefined);
  assert.equal(listeningUrl('{"level":30,"msg":"no promoted model"}\n'), undefined);
  // A line cut by the pipe mid-URL is not taken as a port.
  assert.equal(listeningUrl('Permanence live service on http://127.0.0.1:41 2'), undefined);
  const twice = `${listeningLine('http://127.0.0.1:1')}\n${listeningLine('http://127.0.0.1:2')}\n`;
  assert.equal(listeningUrl(twice), 'http://127.0.0.1:1');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweepWallTime } from '../../sim/report/wall-time.ts';

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 1, 12, minute)).toISOString();

test('overlapping jobs count once, gaps not at all', () => {
  // Two workers 12:00-12:10 and 12:05-12:20 (one sitting of 20 min), then 13:00-13:05 after
  // a 40-min idle gap: 25 min in 2 sittings, though the jobs sum to 30 min and span 65.
  const wall = sweepWallTime([
    { startedAt: at(5), finishedAt: at(20) },
    { startedAt: at(60), finishedAt: at(65) },
    { startedAt: at(0), finishedAt: at(10) },
  ]);
  assert.equal(wall.busySeconds, 25 * 60);
  assert.equal(wall.sittings, 2);
  assert.equal(wall.firstStart, at(0));
  assert.equal(wall.lastFinish, at(65));
});

test('a job inside another adds nothing; touching jobs are one sitting', () => {
  const wall = sweepWallTime([
    { startedAt: at(0), finishedAt: at(30) },
    { startedAt: at(10), finishedAt: at(20) },
    { startedAt: at(30), finishedAt: at(40) },
  ]);
  assert.equal(wall.busySeconds, 40 * 60);
  assert.equal(wall.sittings, 1);
  assert.equal(wall.lastFinish, at(40));
});

test('a pause up to maxGapSeconds belongs to the sitting', () => {
  const jobs = [
    { startedAt: at(0), finishedAt: at(10) },
    { startedAt: at(15), finishedAt: at(20) },
  ];
  // 5 min apart: one 20-min sitting with the default 10-min gap; two (15 min) with a 1-min gap.
  assert.deepEqual([sweepWallTime(jobs).busySeconds, sweepWallTime(jobs).sittings], [20 * 60, 1]);
  assert.deepEqual([sweepWallTime(jobs, 60).busySeconds, sweepWallTime(jobs, 60).sittings], [15 * 60, 2]);
});

test('no job or unreadable times: zero, not NaN', () => {
  assert.deepEqual(sweepWallTime([]), { busySeconds: 0, sittings: 0, firstStart: null, lastFinish: null });
  assert.equal(sweepWallTime([{ startedAt: 'x', finishedAt: at(1) }]).busySeconds, 0);
});

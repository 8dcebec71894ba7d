// inParallel: bounded concurrency, outcomes in the items' order, a failure stops new jobs but
// waits for the ones under way.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { inParallel } from '../../src/util/in-parallel.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('inParallel keeps the order of items and at most `width` jobs in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await inParallel([30, 5, 20, 1, 10], 2, async (ms) => {
    most = Math.max(most, ++inFlight);
    await tick(ms);
    inFlight--;
    return ms * 2;
  });
  assert.deepEqual(out, [30, 5, 20, 1, 10].map((v) => ({ ok: true, value: v * 2 })));
  assert.equal(most, 2);
});

test('inParallel: after a failure no new job starts; jobs already started finish', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  const out = await inParallel([0, 1, 2, 3, 4, 5], 2, async (i) => {
    started.push(i);
    if (i === 1) throw new Error('no');
    await tick(i === 0 ? 20 : 1);
    finished.push(i);
    return i;
  });
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(finished, [0]);
  assert.equal(out.length, 2);
  assert.deepEqual(out[0], { ok: true, value: 0 });
  assert.equal(out[1]!.ok, false);
});

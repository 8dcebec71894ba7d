// tokenize(): strsep over saved state that survives between calls (tapset/tokenize.stp).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, type Value } from '../../src/intrinsics/index.js';

function session(): (...args: Value[]) => Value | undefined {
  const ctx = createIntrinsicContext();
  return (...args) => callIntrinsic(ctx, 'tokenize', ...args);
}

test('tokens come one per call; empty ones are skipped; exhaustion returns ""', () => {
  const tok = session();
  assert.equal(tok('a,b,,c', ','), 'a');
  assert.equal(tok('', ','), 'b');
  assert.equal(tok(','), 'c'); // the one-argument form continues too
  assert.equal(tok(','), '');
  assert.equal(tok(','), '');
});

test('a non-empty input restarts; any delimiter character splits', () => {
  const tok = session();
  assert.equal(tok('x y', ' '), 'x');
  assert.equal(tok(',,a b;c', ', ;'), 'a');
  assert.equal(tok(' ;'), 'b');
  assert.equal(tok(' ;'), 'c');
});

test('an empty delimiter set returns the remainder; no prior input returns ""', () => {
  const tok = session();
  assert.equal(tok('', ','), '');
  assert.equal(tok('abc', ''), 'abc');
  assert.equal(tok(''), '');
});

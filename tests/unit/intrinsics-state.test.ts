// Intrinsics that keep state between calls: randint, regex sub-matches (stopwatches and indent
// are tapset code: tests/runtime/tapset-stopwatch-indent.test.ts).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, StapRuntimeError, type ContextOptions, type IntrinsicContext, type Value } from '../../src/intrinsics/index.js';

function setup(opts: ContextOptions = {}): { ctx: IntrinsicContext; call: (name: string, ...args: Value[]) => Value | undefined } {
  const ctx = createIntrinsicContext(opts);
  return { ctx, call: (name, ...args) => callIntrinsic(ctx, name, ...args) };
}

test('randint steps glibc\'s rand() LCG over 64 bits and rejects wide ranges', () => {
  const { call } = setup({ seed: 42n });
  // runtime/linux/arith.c: seed = seed * 1103515245 + 12345 (unsigned long); result seed % n.
  let seed = 42n;
  for (const n of [10n, 10n, 1000n, 0n, 1048576n]) {
    seed = BigInt.asUintN(64, seed * 1103515245n + 12345n);
    assert.equal(call('randint', n), n === 0n ? 0n : seed % n);
  }
  assert.throws(() => call('randint', 1048577n), new StapRuntimeError('range too wide'));
  assert.throws(() => call('randint', -1n), { message: 'range too wide' }); // compared unsigned
});

test('matched/ngroups read the last =~ result', () => {
  const { ctx, call } = setup();
  assert.throws(() => call('ngroups'), new StapRuntimeError('Attempted to get subexpression count from failed match'));
  const groups: [number, number][] = [[0, 7], [0, 3], [4, 7], [-1, -1]];
  ctx.state.lastMatch = { result: true, subject: 'foo=bar', count: 4, group: (n) => groups[n]! };
  assert.equal(call('matched_str'), 'foo=bar');
  assert.equal(call('matched', 1n), 'foo');
  assert.equal(call('matched', 2n), 'bar');
  assert.equal(call('matched', 3n), ''); // unset group
  assert.equal(call('ngroups'), 4n);
  assert.throws(() => call('matched', 4n), new StapRuntimeError('Attempted to get nonexistent subexpression 4'));
  ctx.state.lastMatch = { result: false, subject: 'x', count: 2, group: () => assert.fail('no groups after a failed match') };
  assert.throws(() => call('matched', 0n), { message: 'Attempted to get subexpression 0 from failed match' });
  assert.throws(() => call('matched', 2n), { message: 'Attempted to get nonexistent subexpression 2' });
});

// Intrinsics that keep state between calls: randint, stopwatches, indent, regex sub-matches.

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

test('stopwatches accumulate wall-clock time while running', () => {
  let t = 1000n;
  const { call } = setup({ now: () => t });
  call('start_stopwatch', 'a');
  t = 1500n;
  assert.equal(call('read_stopwatch_ns', 'a'), 500n);
  t = 2000n;
  call('stop_stopwatch', 'a');
  t = 3000n;
  assert.equal(call('read_stopwatch_ns', 'a'), 1000n);
  t = 4000n;
  call('start_stopwatch', 'a');
  t = 4600n;
  call('start_stopwatch', 'a'); // already running: no restart
  t = 1002000n;
  assert.equal(call('read_stopwatch_ns', 'a'), 999000n);
  assert.equal(call('read_stopwatch_us', 'a'), 999n);
  assert.equal(call('read_stopwatch_ms', 'a'), 0n);
  call('delete_stopwatch', 'a');
  assert.equal(call('read_stopwatch_ns', 'a'), 0n);
  assert.equal(call('read_stopwatch_s', 'never-started'), 0n);
});

test('indent prints microseconds since depth 0, then one space per level', () => {
  let t = 1000000n; // ns; indent-default.stp uses gettimeofday_us()
  const { call } = setup({ now: () => t });
  assert.equal(call('indent', 1n), '     0 :');
  t = 1005000n;
  assert.equal(call('indent', 1n), '     5 : ');
  t = 1010000n;
  assert.equal(call('indent', -1n), '    10 : ');
  t = 1012000n;
  assert.equal(call('indent', -1n), '    12 :');
  assert.equal(call('indent_depth', 1n), 0n);
  assert.equal(call('indent_depth', 1n), 1n);
  assert.equal(call('indent_depth', -1n), 1n);
  assert.equal(call('indent_depth', -1n), 0n);
  assert.equal(call('indent_depth', -1n), 0n); // never negative
});

test('matched/ngroups read the last =~ result', () => {
  const { ctx, call } = setup();
  assert.throws(() => call('ngroups'), new StapRuntimeError('Attempted to get subexpression count from failed match'));
  ctx.state.lastMatch = { result: true, subject: 'foo=bar', groups: [[0, 7], [0, 3], [4, 7], [-1, -1]] };
  assert.equal(call('matched_str'), 'foo=bar');
  assert.equal(call('matched', 1n), 'foo');
  assert.equal(call('matched', 2n), 'bar');
  assert.equal(call('matched', 3n), ''); // unset group
  assert.equal(call('ngroups'), 4n);
  assert.throws(() => call('matched', 4n), new StapRuntimeError('Attempted to get nonexistent subexpression 4'));
  ctx.state.lastMatch = { result: false, subject: 'x', groups: [[-1, -1]] };
  assert.throws(() => call('matched', 0n), { message: 'Attempted to get subexpression 0 from failed match' });
});

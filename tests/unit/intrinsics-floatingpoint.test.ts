// fp_* over IEEE-754 bit patterns in longs; expected values checked against runtime/softfloat.c built in user space.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, StapRuntimeError, type Value } from '../../src/intrinsics/index.js';

const ctx = createIntrinsicContext();
const call = (name: string, ...args: Value[]): Value | undefined => callIntrinsic(ctx, name, ...args);

const view = new DataView(new ArrayBuffer(8));
function fp(d: number): bigint {
  view.setFloat64(0, d);
  return view.getBigInt64(0);
}
const DEFAULT_NAN = 0x7ff8000000000000n;

test('conversions between longs, strings and doubles', () => {
  assert.equal(call('long_to_fp', 1n), 0x3ff0000000000000n);
  assert.equal(call('long_to_fp', 9007199254740993n), fp(9007199254740992)); // nearest even
  assert.equal(call('string_to_fp', '2.5'), fp(2.5));
  assert.equal(call('string_to_fp', '-1.5E+2'), fp(-150));
  assert.equal(call('string_to_fp', ''), 0n);
  assert.throws(() => call('string_to_fp', '12abc'), new StapRuntimeError('invalid format'));
  assert.throws(() => call('string_to_fp', '0e400x'), { message: 'invalid format' });
  assert.equal(call('fp32_to_fp64', 0x3f800000n), fp(1));
  assert.equal(call('fp32_to_fp64', 0x7fc00001n), 0x7ff8000020000000n); // NaN payload kept
});

test('fp_to_string cuts digits and bumps only the last one', () => {
  assert.equal(call('fp_to_string', fp(3.14159), 3n), '3.142');
  assert.equal(call('fp_to_string', fp(2.5), 0n), '2.5'); // at least one decimal
  assert.equal(call('fp_to_string', fp(-0.25), 2n), '-0.25');
  assert.equal(call('fp_to_string', fp(0.96), 1n), '0.10'); // no carry, as stap prints it
});

test('fp_to_long rounds per softfloat mode and saturates', () => {
  assert.equal(call('fp_to_long', fp(2.5), 0n, 0n), 2n); // near_even
  assert.equal(call('fp_to_long', fp(3.5), 0n, 0n), 4n);
  assert.equal(call('fp_to_long', fp(2.5), 1n, 0n), 2n); // minMag
  assert.equal(call('fp_to_long', fp(-2.5), 2n, 0n), -3n); // min
  assert.equal(call('fp_to_long', fp(-2.5), 3n, 1n), -2n); // max
  assert.equal(call('fp_to_long', fp(2.5), 4n, 0n), 3n); // near_maxMag
  assert.equal(call('fp_to_long', fp(1e19), 0n, 0n), 9223372036854775807n);
  assert.equal(call('fp_to_long', fp(-Infinity), 0n, 0n), -9223372036854775808n);
  assert.equal(call('fp_to_long', DEFAULT_NAN, 0n, 0n), 0n);
});

test('arithmetic is IEEE with softfloat NaNs; fp_rem is the IEEE remainder', () => {
  assert.equal(call('fp_add', fp(1), fp(2.5)), fp(3.5));
  assert.equal(call('fp_sub', fp(1), fp(2.5)), fp(-1.5));
  assert.equal(call('fp_mul', fp(3), fp(0.5)), fp(1.5));
  assert.equal(call('fp_div', fp(1), fp(0)), fp(Infinity));
  assert.equal(call('fp_div', fp(0), fp(0)), DEFAULT_NAN);
  assert.equal(call('fp_rem', fp(5), fp(3)), fp(-1)); // 5 - 2*3
  assert.equal(call('fp_rem', fp(5), fp(2)), fp(1)); // tie goes to the even quotient 2
  assert.equal(call('fp_sqrt', fp(4)), fp(2));
  assert.equal(call('fp_sqrt', fp(-1)), DEFAULT_NAN);
  // A signaling NaN operand comes back quieted, payload intact.
  assert.equal(call('fp_add', 0x7ff0000000000001n, fp(1)), 0x7ff8000000000001n);
});

test('comparisons are false with a NaN and treat -0 as 0', () => {
  assert.equal(call('fp_eq', DEFAULT_NAN, DEFAULT_NAN), 0n);
  assert.equal(call('fp_eq', fp(0), fp(-0)), 1n);
  assert.equal(call('fp_lt', fp(1), fp(2)), 1n);
  assert.equal(call('fp_le', fp(2), fp(2)), 1n);
  assert.equal(call('fp_lt', fp(2), fp(2)), 0n);
});

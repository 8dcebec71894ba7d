// string.stp's basic functions: exact results, edge cases of the embedded C, and MAXSTRINGLEN truncation.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, StapRuntimeError, type Value } from '../../src/intrinsics/index.js';

const ctx = createIntrinsicContext();
const call = (name: string, ...args: Value[]): Value | undefined => callIntrinsic(ctx, name, ...args);

test('strlen counts bytes', () => {
  assert.equal(call('strlen', 'hello'), 5n);
  assert.equal(call('strlen', ''), 0n);
  assert.equal(call('strlen', '\xc3\xa9'), 2n); // UTF-8 é is two bytes
});

test('substr follows strlcpy with a clamped length+1 size', () => {
  assert.equal(call('substr', 'hello world', 6n, 5n), 'world');
  assert.equal(call('substr', 'hello', 1n, 100n), 'ello');
  assert.equal(call('substr', 'hello', 5n, 1n), ''); // start == strlen
  assert.equal(call('substr', 'hello', -1n, 2n), '');
  assert.equal(call('substr', 'hello', 0n, 0n), '');
  assert.equal(call('substr', 'hello', 0n, -5n), '');
  // length + 1 overflows int64 and clamps to a copy size of 0.
  assert.equal(call('substr', 'hello', 0n, 9223372036854775807n), '');
});

test('stringat returns a signed char and raises on a bad position', () => {
  assert.equal(call('stringat', 'abc', 1n), 98n);
  assert.equal(call('stringat', '\xff', 0n), -1n); // x86-64 char is signed
  // STAP_ERROR("Position out of bounds") since stap 2.3 (PR15044)
  assert.throws(() => call('stringat', 'abc', 3n), new StapRuntimeError('Position out of bounds'));
  assert.throws(() => call('stringat', 'abc', -1n), { message: 'Position out of bounds' });
});

test('isinstr and strpos are strstr', () => {
  assert.equal(call('isinstr', 'hello', 'll'), 1n);
  assert.equal(call('isinstr', 'hello', ''), 1n);
  assert.equal(call('isinstr', '', 'a'), 0n);
  assert.equal(call('strpos', 'hello', 'l'), 2n);
  assert.equal(call('strpos', 'hello', 'z'), -1n);
  assert.equal(call('strpos', 'hello', ''), 0n);
});

test('str_replace replaces non-overlapping matches and truncates like strlcat', () => {
  assert.equal(call('str_replace', 'a-b-c', '-', '+'), 'a+b+c');
  assert.equal(call('str_replace', 'aaa', 'aa', 'b'), 'ba');
  assert.equal(call('str_replace', 'abc', '', 'x'), 'abc');
  const small = createIntrinsicContext({ maxStringLen: 8 });
  assert.equal(callIntrinsic(small, 'str_replace', 'aaaa', 'a', 'xx'), 'xxxxxxx');
});

test('strtol is the kernel simple_strtol', () => {
  const cases: [string, bigint, bigint][] = [
    ['123', 10n, 123n],
    ['-123', 10n, -123n],
    ['+5', 10n, 0n], // no '+' handling
    [' 5', 10n, 0n], // no whitespace skipping
    ['12abc', 10n, 12n],
    ['0x1f', 16n, 31n],
    ['0x1f', 0n, 31n],
    ['0X1F', 0n, 31n],
    ['017', 0n, 15n],
    ['09', 0n, 0n], // octal stops at 9
    ['0x', 0n, 0n], // "0x" without a hex digit is octal 0
    ['abc', 16n, 2748n],
    ['z', 36n, 0n], // only a-f are letters
    ['12', 1n, 0n],
    ['101', 2n, 5n],
    ['--5', 10n, 0n],
    ['18446744073709551615', 10n, -1n],
    ['18446744073709551616', 10n, 0n], // wraps by design
    ['9223372036854775808', 10n, -9223372036854775808n],
    ['-9223372036854775808', 10n, -9223372036854775808n],
    ['ff', -1n, 64424509440n], // base is unsigned int: 0xffffffff
  ];
  for (const [s, base, want] of cases) assert.equal(call('strtol', s, base), want, `strtol("${s}", ${base})`);
});

test('isdigit looks at the first character only', () => {
  assert.equal(call('isdigit', '5x'), 1n);
  assert.equal(call('isdigit', 'x5'), 0n);
  assert.equal(call('isdigit', ''), 0n);
});

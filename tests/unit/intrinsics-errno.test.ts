// errno_str, errno_p, return_str: the errlist table of tapset/errno.stp (asm-generic numbering).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, type Value } from '../../src/intrinsics/index.js';

const ctx = createIntrinsicContext();
const call = (name: string, ...args: Value[]): Value | undefined => callIntrinsic(ctx, name, ...args);

test('errno_str names |err| and is empty for unknown numbers', () => {
  assert.equal(call('errno_str', 2n), 'ENOENT'); // the man page's example
  assert.equal(call('errno_str', -2n), 'ENOENT');
  assert.equal(call('errno_str', 11n), 'EAGAIN');
  assert.equal(call('errno_str', 35n), 'EDEADLK');
  assert.equal(call('errno_str', 131n), 'ENOTRECOVERABLE');
  // The man page promises "E#3333"; the code leaves the string empty.
  for (const e of [0n, 41n, 58n, 132n, 133n, 3333n, -9223372036854775808n]) assert.equal(call('errno_str', e), '', `${e}`);
});

test('errno_p returns |err| for known errors, else 0', () => {
  assert.equal(call('errno_p', -13n), 13n);
  assert.equal(call('errno_p', 13n), 13n);
  assert.equal(call('errno_p', 41n), 0n);
  assert.equal(call('errno_p', 0n), 0n);
});

test('return_str formats like the tapset sprintf calls', () => {
  assert.equal(call('return_str', 1n, -2n), '-2 (ENOENT)');
  assert.equal(call('return_str', 2n, -2n), '-2 (ENOENT)'); // errno wins over the format
  assert.equal(call('return_str', 1n, 5n), '5');
  assert.equal(call('return_str', 2n, 255n), '0xff');
  assert.equal(call('return_str', 2n, -200n), '0xffffffffffffff38');
  assert.equal(call('return_str', 3n, 8n), '010');
  assert.equal(call('return_str', 3n, 0n), '00'); // stap's %#o always prefixes the 0
});

// errno_str: the errlist table of stap's tapset/errno.stp (asm-generic numbering). errno_p and
// return_str are written in the language (tapset/errno.stp), tested by tests/corpus/run.

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

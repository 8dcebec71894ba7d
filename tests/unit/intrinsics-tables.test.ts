// Name tables: signal_str, sigset_mask_str, sa_flags_str, sa_handler_str (linux/signal.stp), rlimit_from_str (linux/rlimit.stp).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, type Value } from '../../src/intrinsics/index.js';

const ctx = createIntrinsicContext();
const call = (name: string, ...args: Value[]): Value | undefined => callIntrinsic(ctx, name, ...args);

test('signal_str names signals without the SIG prefix', () => {
  assert.equal(call('signal_str', 9n), 'KILL');
  assert.equal(call('signal_str', 29n), 'IO/POLL');
  assert.equal(call('signal_str', 32n), 'RTMIN');
  assert.equal(call('signal_str', 64n), 'RTMIN+32');
  assert.equal(call('signal_str', 0n), '');
  assert.equal(call('signal_str', 65n), '');
});

test('sigset_mask_str lists the set signal numbers 1..63', () => {
  assert.equal(call('sigset_mask_str', 0n), '');
  assert.equal(call('sigset_mask_str', 5n), '1,3');
  assert.equal(call('sigset_mask_str', 1n << 62n), '63');
  const all = Array.from({ length: 63 }, (_, i) => i + 1).join(',');
  assert.equal(call('sigset_mask_str', -1n), all); // bit 63 is never examined
});

test('sa_flags_str and sa_handler_str', () => {
  assert.equal(call('sa_flags_str', 0n), '');
  assert.equal(call('sa_flags_str', 0x10000004n), 'SIGINFO|RESTART');
  assert.equal(call('sa_flags_str', 0x14000000n), 'RESTART|RESTORER');
  assert.equal(call('sa_handler_str', 0n), 'default');
  assert.equal(call('sa_handler_str', 1n), 'ignored');
  assert.equal(call('sa_handler_str', -1n), 'error');
  assert.equal(call('sa_handler_str', 0x400123n), '0x400123'); // %p is %#x
});

test('rlimit_from_str needs the exact RLIMIT_ name', () => {
  assert.equal(call('rlimit_from_str', 'RLIMIT_CPU'), 0n);
  assert.equal(call('rlimit_from_str', 'RLIMIT_NOFILE'), 7n);
  assert.equal(call('rlimit_from_str', 'RLIMIT_RTTIME'), 15n);
  assert.equal(call('rlimit_from_str', 'NOFILE'), -1n);
  assert.equal(call('rlimit_from_str', 'rlimit_nofile'), -1n);
});

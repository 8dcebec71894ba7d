// Clocks and calendar strings: gettimeofday_*, local_clock_*, cpu_clock_*, ctime, tz_* (linux/timestamp*.stp, ctime.stp, tzinfo.stp).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, StapRuntimeError, type ContextOptions, type Value } from '../../src/intrinsics/index.js';

function caller(opts: ContextOptions): (name: string, ...args: Value[]) => Value | undefined {
  const ctx = createIntrinsicContext(opts);
  return (name, ...args) => callIntrinsic(ctx, name, ...args);
}

test('gettimeofday_* divide the ns clock; a negative clock is an error', () => {
  const call = caller({ now: () => 1700000000123456789n });
  assert.equal(call('gettimeofday_ns'), 1700000000123456789n);
  assert.equal(call('gettimeofday_us'), 1700000000123456n);
  assert.equal(call('gettimeofday_ms'), 1700000000123n);
  assert.equal(call('gettimeofday_s'), 1700000000n);
  // linux/timestamp_gtod.stp: a negative _stp_gettimeofday_ns() sets last_error.
  const early = caller({ now: () => -1n });
  assert.throws(() => early('gettimeofday_s'), new StapRuntimeError('gettimeofday not initialized'));
  assert.throws(() => early('ctime'), { message: 'gettimeofday not initialized' });
});

test('local_clock_*, cpu_clock_* and ktime_get_ns read the monotonic clock', () => {
  const call = caller({ monotonicNs: () => 5000123456n, session: { onlineCpus: new Set([0, 2]) } });
  assert.equal(call('local_clock_ns'), 5000123456n);
  assert.equal(call('local_clock_us'), 5000123n);
  assert.equal(call('local_clock_ms'), 5000n);
  assert.equal(call('local_clock_s'), 5n);
  assert.equal(call('ktime_get_ns'), 5000123456n);
  assert.equal(call('cpu_clock_ms', 2n), 5000n);
  assert.throws(() => call('cpu_clock_ns', 1n), new StapRuntimeError('cpu 1 is not online'));
  assert.throws(() => call('cpu_clock_us', -1n), { message: 'cpu -1 is not online' });
});

test('ctime is UTC, 24 characters, limited to a 32-bit time_t', () => {
  const call = caller({ now: () => 741476948999999999n });
  // The dates quoted in man 3stap function::ctime.
  assert.equal(call('ctime', 0n), 'Thu Jan  1 00:00:00 1970');
  assert.equal(call('ctime', -2147483648n), 'Fri Dec 13 20:45:52 1901');
  assert.equal(call('ctime', 2147483647n), 'Tue Jan 19 03:14:07 2038');
  assert.equal(call('ctime', 741476948n), 'Wed Jun 30 21:49:08 1993');
  assert.equal(call('ctime', 951782400n), 'Tue Feb 29 00:00:00 2000');
  assert.equal(call('ctime'), 'Wed Jun 30 21:49:08 1993');
  assert.throws(() => call('ctime', 2147483648n), new StapRuntimeError('Time too far in the future to be converted'));
  assert.throws(() => call('ctime', -2147483649n), { message: 'Time too far in the past to be converted' });
});

test('tz_ctime shifts by tz_gmtoff (seconds west) and appends tz_name', () => {
  const call = caller({ session: { tzGmtoff: -3600, tzName: 'CET' }, now: () => 0n });
  assert.equal(call('tz_gmtoff'), -3600n);
  assert.equal(call('tz_name'), 'CET');
  assert.equal(call('tz_ctime', 0n), 'Thu Jan  1 01:00:00 1970 CET');
  assert.throws(() => call('tz_ctime', 2147483647n), { message: 'Time too far in the future to be converted' });
});

test('HZ reports the session value', () => {
  assert.equal(caller({ session: { hz: 250 } })('HZ'), 250n);
});

// Number formatting helpers: *secs_to_string, cputime_*, bytes/pages_to_string, byte order, device numbers, IPv4.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { callIntrinsic, createIntrinsicContext, StapRuntimeError, type ContextOptions, type Value } from '../../src/intrinsics/index.js';

function caller(opts: ContextOptions = {}): (name: string, ...args: Value[]) => Value | undefined {
  const ctx = createIntrinsicContext(opts);
  return (name, ...args) => callIntrinsic(ctx, name, ...args);
}
const call = caller();

test('durations print as "%dm%d.%.Nds" with C division', () => {
  assert.equal(call('msecs_to_string', 123456n), '2m3.456s');
  assert.equal(call('msecs_to_string', 5n), '0m0.005s');
  assert.equal(call('msecs_to_string', -1500n), '0m-1.-500s'); // remainders keep the sign
  assert.equal(call('usecs_to_string', 61000001n), '1m1.000001s');
  assert.equal(call('nsecs_to_string', 1000000000n), '0m1.000000000s');
});

test('bytes_to_string gives 5-character figures', () => {
  assert.equal(call('bytes_to_string', 0n), '    0');
  assert.equal(call('bytes_to_string', -5n), '   -5');
  assert.equal(call('bytes_to_string', 1023n), ' 1023');
  assert.equal(call('bytes_to_string', 1024n), '1.00K');
  assert.equal(call('bytes_to_string', 1536n), '1.50K'); // 512 * 100 / 1024
  assert.equal(call('bytes_to_string', 10240n), '10.0K');
  assert.equal(call('bytes_to_string', 102400n), ' 100K');
  assert.equal(call('bytes_to_string', 1048576n), '1.00M');
  assert.equal(call('bytes_to_string', 5000000000n), '4.65G'); // 4 G + 672/1024
  assert.equal(caller({ session: { pageSize: 4096 } })('pages_to_string', 3n), '12.0K');
});

test('cputime is converted as jiffies of the session HZ', () => {
  assert.equal(caller({ session: { hz: 250 } })('cputime_to_msecs', 250n), 1000n);
  assert.equal(caller({ session: { hz: 300 } })('cputime_to_msecs', 250n), 834n); // rounds up
  assert.equal(caller({ session: { hz: 300 } })('cputime_to_usecs', 1n), 3333n); // rounds down
  assert.equal(call('cputime_to_msecs', -1n), 4294967295n); // unsigned int result
  assert.equal(call('cputime_to_string', 61500n), '1m1.500s');
});

test('byte order helpers swap on a little-endian host', () => {
  assert.equal(call('htonl', 0x01020304n), 0x04030201n);
  assert.equal(call('ntohl', -1n), 0xffffffffn);
  assert.equal(call('htons', 0x11234n), 0x3412n); // truncated to 16 bits first
  assert.equal(call('htonll', 0x0102030405060708n), 0x0807060504030201n);
  assert.equal(call('ntohll', 0xffn), -72057594037927936n); // 0xff00... as int64
  assert.equal(call('big_endian4', 1n), 0x01000000n);
  assert.equal(call('little_endian2', 0x12345n), 0x2345n);
  assert.equal(call('little_endian8', -1n), -1n);
});

test('device numbers use 20 minor bits', () => {
  assert.equal(call('MKDEV', 8n, 1n), 8388609n);
  assert.equal(call('MAJOR', 8388609n), 8n);
  assert.equal(call('MINOR', 8388609n), 1n);
  assert.equal(call('usrdev2kerndev', 0x801n), 8388609n); // glibc makedev(8, 1)
});

test('IPv4 addresses print in network byte order', () => {
  assert.equal(call('ip_ntop', 0x0100007fn), '127.0.0.1');
  assert.equal(call('format_ipaddr', 0x0100007fn, 2n), '127.0.0.1');
  assert.equal(call('format_ipaddr', 1n, 3n), '*unknown address family*');
  assert.throws(() => call('format_ipaddr', 0x1000n, 10n),
    new StapRuntimeError('read fault [man error::fault] at 0x1000'));
});

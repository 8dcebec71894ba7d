// Intrinsic signatures: parameter names and return types exactly as stap's tapset declares them.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { findIntrinsic, INTRINSICS, intrinsicSignature, type Intrinsic } from '../../src/intrinsics/index.js';

// The `# functions` lines `stap -p2` (SystemTap 4.8, Debian) prints for a `probe begin` that calls
// every intrinsic once (value-returning ones inside println, the others as statements), via
// /work/shared/tools/stap-oracle.sh -p2. Only the lines of functions implemented natively are
// kept (stap also lists tapset helpers such as _generic_indent). Hard-coded: no stap in CI.
const STAP_P2_FUNCTIONS: readonly string[] = [
  'HZ:long ()',
  'MAJOR:long (dev:long)',
  'MINOR:long (dev:long)',
  'MKDEV:long (major:long, minor:long)',
  'ansi_clear_screen:unknown ()',
  'ansi_cursor_hide:unknown ()',
  'ansi_cursor_move:unknown (x:long, y:long)',
  'ansi_cursor_restore:unknown ()',
  'ansi_cursor_save:unknown ()',
  'ansi_cursor_show:unknown ()',
  'ansi_new_line:unknown ()',
  'ansi_reset_color:unknown ()',
  'ansi_set_color2:unknown (fg:long, bg:long)',
  'ansi_set_color3:unknown (fg:long, bg:long, attr:long)',
  'ansi_set_color:unknown (fg:long)',
  'ansi_set_color:unknown (fg:long, bg:long)',
  'ansi_set_color:unknown (fg:long, bg:long, attr:long)',
  'assert:unknown (expression:long)',
  'assert:unknown (expression:long, msg:string)',
  'big_endian2:long (val:long)',
  'big_endian4:long (val:long)',
  'big_endian8:long (val:long)',
  'bytes_to_string:string (bytes:long)',
  'cpu_clock_ms:long (cpu:long)',
  'cpu_clock_ns:long (cpu:long)',
  'cpu_clock_s:long (cpu:long)',
  'cpu_clock_us:long (cpu:long)',
  'cputime_to_msecs:long (cputime:long)',
  'cputime_to_string:string (cputime:long)',
  'cputime_to_usecs:long (cputime:long)',
  'ctime:string (epochsecs:long)',
  'ctime:string ()',
  'errno_str:string (err:long)',
  'error:unknown (msg:string)',
  'format_ipaddr:string (addr:long, family:long)',
  'fp32_to_fp64:long (input:long)',
  'fp_add:long (add1:long, add2:long)',
  'fp_div:long (div1:long, div2:long)',
  'fp_eq:long (infp1:long, infp2:long)',
  'fp_le:long (infp1:long, infp2:long)',
  'fp_lt:long (infp1:long, infp2:long)',
  'fp_mul:long (mul1:long, mul2:long)',
  'fp_rem:long (div1:long, div2:long)',
  'fp_sqrt:long (infp:long)',
  'fp_sub:long (sub1:long, sub2:long)',
  'fp_to_long:long (infp:long, roundingMode:long, exact:long)',
  'fp_to_string:string (infp:long, precision:long)',
  'gettimeofday_ms:long ()',
  'gettimeofday_ns:long ()',
  'gettimeofday_s:long ()',
  'gettimeofday_us:long ()',
  'htonl:long (x:long)',
  'htonll:long (x:long)',
  'htons:long (x:long)',
  'ip_ntop:string (addr:long)',
  'isdigit:long (str:string)',
  'isinstr:long (s1:string, s2:string)',
  'ktime_get_ns:long ()',
  'little_endian2:long (val:long)',
  'little_endian4:long (val:long)',
  'little_endian8:long (val:long)',
  'local_clock_ms:long ()',
  'local_clock_ns:long ()',
  'local_clock_s:long ()',
  'local_clock_us:long ()',
  'log:unknown (msg:string)',
  'long_to_fp:long (input:long)',
  'matched:string (n:long)',
  'matched_str:string ()',
  'mem_page_size:long ()',
  'module_name:string ()',
  'msecs_to_string:string (msecs:long)',
  'ngroups:long ()',
  'nsecs_to_string:string (nsecs:long)',
  'ntohl:long (x:long)',
  'ntohll:long (x:long)',
  'ntohs:long (x:long)',
  'pages_to_string:string (pages:long)',
  'randint:long (n:long)',
  'remote_id:long ()',
  'remote_uri:string ()',
  'rlimit_from_str:long (lim_str:string)',
  'sa_flags_str:string (sa_flags:long)',
  'sa_handler_str:string (handler:long)',
  'signal_str:string (num:long)',
  'sigset_mask_str:string (mask:long)',
  'stp_pid:long ()',
  'syscall_name:string (num:long)',
  'str_replace:string (prnt_str:string, srch_str:string, rplc_str:string)',
  'string_quoted:string (str:string)',
  'string_to_fp:long (input:string)',
  'stringat:long (str:string, pos:long)',
  'strlen:long (s:string)',
  'strpos:long (s1:string, s2:string)',
  'strtol:long (str:string, base:long)',
  'substr:string (str:string, start:long, length:long)',
  'target:long ()',
  'text_str:string (input:string)',
  'text_strn:string (input:string, len:long, quoted:long)',
  'tokenize:string (delim:string)',
  'tokenize:string (input:string, delim:string)',
  'tz_ctime:string (epochsecs:long)',
  'tz_gmtoff:long ()',
  'tz_name:string ()',
  'usecs_to_string:string (usecs:long)',
  'usrdev2kerndev:long (dev:long)',
  'warn:unknown (msg:string)',
];

function signatureText(f: Intrinsic): string {
  return `${f.name}:${f.ret} (${f.params.map((t, i) => `${f.paramNames[i]}:${t}`).join(', ')})`;
}

function all(): Intrinsic[] {
  return [...INTRINSICS.values()].flat();
}

test('every intrinsic names each of its parameters, once, with an identifier', () => {
  for (const f of all()) {
    assert.equal(f.paramNames.length, f.params.length, `${f.name}/${f.params.length}`);
    for (const n of f.paramNames) assert.match(n, /^[A-Za-z_][A-Za-z0-9_]*$/, `${f.name}: '${n}'`);
    assert.equal(new Set(f.paramNames).size, f.paramNames.length, `${f.name}: duplicate parameter name`);
  }
});

test('signatures print exactly as stap -p2 prints them', () => {
  const ours = new Map(all().map((f) => [`${f.name}/${f.params.length}`, signatureText(f)]));
  // A broad sample is required; in fact every intrinsic is covered.
  assert.ok(STAP_P2_FUNCTIONS.length >= 40);
  for (const line of STAP_P2_FUNCTIONS) {
    const m = /^(\w+):\w+ \((.*)\)$/.exec(line);
    assert.ok(m, line);
    const arity = m[2] === '' ? 0 : m[2]!.split(', ').length;
    assert.equal(ours.get(`${m[1]}/${arity}`), line);
  }
});

test('every intrinsic has a signature checked against stap', () => {
  // A new intrinsic needs its `stap -p2` line added above.
  const checked = new Set(STAP_P2_FUNCTIONS);
  const missing = all().map(signatureText).filter((s) => !checked.has(s));
  assert.deepEqual(missing, []);
});

test('intrinsicSignature gives named, typed parameters and the return type', () => {
  assert.deepEqual(intrinsicSignature('strlen', 1), { params: [{ name: 's', type: 'string' }], ret: 'long' });
  assert.deepEqual(intrinsicSignature('substr', 3), {
    params: [{ name: 'str', type: 'string' }, { name: 'start', type: 'long' }, { name: 'length', type: 'long' }],
    ret: 'string',
  });
  assert.deepEqual(intrinsicSignature('log', 1), { params: [{ name: 'msg', type: 'string' }], ret: 'unknown' });
  assert.deepEqual(intrinsicSignature('ctime', 0), { params: [], ret: 'string' });
  assert.deepEqual(intrinsicSignature('tokenize', 1)!.params, [{ name: 'delim', type: 'string' }]);
  assert.deepEqual(intrinsicSignature('tokenize', 2)!.params.map((p) => p.name), ['input', 'delim']);
  assert.equal(intrinsicSignature('strlen', 2), undefined);
  assert.equal(intrinsicSignature('no_such_function', 0), undefined);
  // A negative arity asks for any overload (the first defined), as findIntrinsic's callers do.
  assert.equal(intrinsicSignature('ansi_set_color', -1)!.params.length, 1);
  // The result is a copy: changing it leaves the table alone.
  intrinsicSignature('strlen', 1)!.params.pop();
  assert.equal(intrinsicSignature('strlen', 1)!.params.length, 1);
  assert.equal(findIntrinsic('strlen', 1)!.paramNames[0], 's');
});

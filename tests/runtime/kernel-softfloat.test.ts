// The fp_* family in kernel handlers: tapset/bpf-softfloat.stp's integer IEEE-754 arithmetic,
// its helpers global BPF subprograms (bpf/codegen/global-funcs.ts), gives bit for bit what the
// interpreter's native versions (JavaScript doubles) give, over zeros, subnormals, infinities,
// NaNs and ordinary values.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

function bits(d: number): bigint {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, d);
  return v.getBigInt64(0);
}

let seed = 12345;
const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
/** Doubles with exponents spread over the whole range, and some close to each other. */
const randoms = Array.from({ length: 6 }, () => (BigInt(rnd(0x7ff)) << 52n) | (BigInt(rnd(1 << 26)) << 26n) | BigInt(rnd(1 << 26)));

const VALUES: bigint[] = [
  0n, -(1n << 63n), bits(1), bits(-3), bits(0.1), bits(2.5), bits(Infinity), bits(-Infinity), 0x7ff8000000000000n,
  0x7ff0000000000001n, -0x0008000000000000n, 1n, 0xfffffffffffffn, 0x10000000000000n, 0x7fefffffffffffffn, bits(1e300),
  bits(-7.25), bits(3), bits(1e-310), bits(123456789), bits(0.3), bits(-0.5), bits(1 + 2 ** -52), bits(2 ** 53), ...randoms,
];

const VALS = `global vals
probe begin { ${VALUES.map((v, i) => `vals[${i}] = ${v}`).join('; ')} }
`;

const MORE = `global ints, f32s
probe begin {
  ${[0n, 1n, -1n, 7n, 123456789n, -(2n ** 53n) - 1n, 2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 1000000007n].map((v, i) => `ints[${i}] = ${v}`).join('; ')}
  ${[0n, 0x80000000n, 0x3f800000n, 0x7f800000n, 0xff800000n, 0x7fc00001n, 0xff800001n, 1n, 0x7fffffn, 0x40490fdbn, 0x1234567800000001n].map((v, i) => `f32s[${i}] = ${v}`).join('; ')}
}
`;

const BINARY = `
  foreach (i+ in vals) {
    a = vals[i]
    foreach (j+ in vals) {
      b = vals[j]
      r1 = fp_add(a, b)
      r2 = fp_sub(a, b)
      r3 = fp_mul(a, b)
      r4 = fp_div(a, b)
      r5 = fp_rem(a, b)
      c = fp_eq(a, b) * 100 + fp_lt(a, b) * 10 + fp_le(a, b)
      printf("%d %d %x %x %x %x %x %03d\\n", i, j, r1, r2, r3, r4, r5, c)
    }
  }`;

const UNARY = `
  foreach (i+ in vals) {
    a = vals[i]
    s = fp_sqrt(a)
    printf("%d %x %d %d %d %d %d %d %s %s\\n", i, s, fp_to_long(a, 0, 0), fp_to_long(a, 1, 0), fp_to_long(a, 2, 0),
      fp_to_long(a, 3, 0), fp_to_long(a, 4, 1), fp_to_long(a, 260, 0), fp_to_string(a, 3), fp_to_string(a, 12))
  }
  foreach (i+ in ints) printf("%x ", long_to_fp(ints[i]))
  println("")
  foreach (i+ in f32s) printf("%x ", fp32_to_fp64(f32s[i]))
  println("")
  foreach (k+ in strs) {
    try { printf("%x|", string_to_fp(strs[k])) } catch (e) { printf("%s|", e) }
  }
  println("")`;

const STRINGS = `global strs
probe begin { ${['0.1', '-2.5e3', '1e-320', '123456789012345678901234567890', '1e400', '-', '', '3.14159', '1.5E+2', '0.000001e-300', 'x1', '1e', '+7.'].map((s, i) => `strs[${i}] = "${s}"`).join('; ')} }
`;

async function bothWays(globals: string, body: string): Promise<string> {
  const kernel = await runTstap(['-D', 'MAXACTION=100000', '-c', workload('getppid 1'), script(`${globals}
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next${body}
  exit()
}
`)]);
  const interp = await runTstap(['-D', 'MAXACTION=100000', script(`${globals}
probe begin(1) {${body}
  exit()
}
`)]);
  assert.equal(interp.stderr, '');
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  return kernel.stdout;
}

test('fp_add/sub/mul/div/rem/eq/lt/le in a kernel handler: bit for bit the interpreter', async () => {
  const out = (await bothWays(VALS, BINARY)).split('\n');
  assert.equal(out.length, VALUES.length * VALUES.length + 1);
  // 1 + 2, 1 - 2, 1 * 2... (values 2 and 17: 1.0 and 3.0): 1/3 rounds to even.
  assert.ok(out.includes('2 17 4010000000000000 c000000000000000 4008000000000000 3fd5555555555555 3ff0000000000000 011'), out.join('\n'));
  // 0.1 + 0.3 and the rest, as doubles do it.
  assert.ok(out.includes('4 20 3fd999999999999a bfc9999999999999 3f9eb851eb851eb8 3fd5555555555556 3fb999999999999a 011'), out.join('\n'));
});

test('fp_sqrt, fp_to_long, fp_to_string, long_to_fp, fp32_to_fp64, string_to_fp in a kernel handler: as the interpreter', async () => {
  const out = (await bothWays(VALS + MORE + STRINGS, UNARY)).split('\n');
  assert.ok(out.includes('17 3ffbb67ae8584caa 3 3 3 3 3 3 3.000 3.000000000000'), out.join('\n'));
  assert.ok(out.includes('5 3ff94c583ada5b53 2 2 2 3 3 3 2.500 2.500000000000'), out.join('\n'));
  assert.equal(out.at(-2), '3fb999999999999a|c0a3880000000000|0|45f8ee90ff6c373d|7ff0000000000000|8000000000000000|0|400921f9f01b866e|4062c00000000000|66789e3750f792|invalid format|3ff0000000000000|401c000000000000|');
});

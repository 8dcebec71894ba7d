// Arrays and statistics in kernel handlers against the interpreter (the reference semantics):
// `delete a` of whole arrays, @variance, histogram buckets. Each kernel script gets the same
// values as a begin probe run by the interpreter and must print the same bytes.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

/**
 * `body` run once per kill(self, 0) of the workload (n times, `i` counting 1..n) in a kernel
 * handler, then `end`; and the same in the interpreter, `body` in a begin loop.
 */
async function sameAsInterpreter(globals: string, body: string, end: string, n: number): Promise<string> {
  // On one CPU, as the interpreter's statistics: stap's merged variance depends on the split.
  const kernel = await runTstap(['-c', `taskset -c 0 ${workload(`kill0 ${n}`)}`, script(`
global ${globals}, i
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) { i++; ${body} } }
probe end { ${end} }
`)]);
  const interp = await runTstap([script(`
global ${globals}, i
probe begin { for (k = 0; k < ${n}; k++) { i++; ${body} } exit() }
probe end { ${end} }
`)]);
  assert.equal(interp.stderr, '');
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  return kernel.stdout;
}

test('delete of a whole array in a kernel handler', async () => {
  const out = await sameAsInterpreter('a, b',
    'a[i] = i * 3; b[i % 7, "x"] = sprint(i); if (i == 40) delete a; if (i == 60) delete b; if (i % 10 == 0) delete a[i - 1]',
    'foreach ([k] in a) printf("a[%d]=%d\\n", k, a[k]); foreach ([k, s] in b) printf("b[%d,%s]=%s\\n", k, s, b[k, s]); printf("%d %d\\n", [40] in a, [41] in a)', 75);
  assert.match(out, /^a\[41\]=123\n/);
});

test('delete of a whole array every time: nothing left, then refilled', async () => {
  const out = await sameAsInterpreter('a',
    'for (j = 0; j < 20; j++) a[j, i] = j; if (i < 30) delete a',
    'n = 0; foreach ([x, y] in a) n++; printf("%d\\n", n)', 31);
  assert.equal(out, '40\n');
});

test('delete of a whole array of thousands of entries leaves none', async () => {
  const r = await runTstap(['-c', workload('kill0 2001'), script(`
global a, s, i
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) { i++; a[i] = i; s[i, "k"] <<< i; if (i == 2000) { delete a; delete s } }
}
probe end { n = 0; foreach (k in a) n++; m = 0; foreach ([k, x] in s) m += @count(s[k, x]); printf("%d %d %d\\n", n, m, a[2001]) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 1 2001\n');
});

test('delete of a whole statistics array in a kernel handler', async () => {
  await sameAsInterpreter('s',
    's[i % 5] <<< i; if (i == 33) delete s',
    'foreach ([k] in s) printf("%d: %d %d %d %d %d\\n", k, @count(s[k]), @sum(s[k]), @min(s[k]), @max(s[k]), @avg(s[k])); print(@hist_log(s[1]))', 50);
});

const VALUES = 'x = (i * i * 7919) % 1000 - 300';

test('@variance read in a kernel handler: global statistics, with and without a shift', async () => {
  await sameAsInterpreter('s, t, u',
    `${VALUES}; s <<< x; t <<< x * 1000; u <<< i; if (i % 5 == 0) printf("%d %d %d %d\\n", i, @variance(s), @variance(t, 4), @variance(u, 9))`,
    'printf("%d %d %d\\n", @variance(s), @variance(t, 4), @variance(u, 9))', 60);
});

test('@variance of statistics array entries in a kernel handler, and read at the end', async () => {
  await sameAsInterpreter('a',
    `${VALUES}; a[i % 3] <<< x; a[i % 3] <<< -x / 3; if (i % 4 == 0) printf("%d %d\\n", i, @variance(a[i % 3], 2)); if (i == 30) delete a[1]`,
    'foreach ([k] in a) printf("%d %d %d\\n", k, @count(a[k]), @variance(a[k], 2))', 45);
});

test('@variance of one value and of an empty statistic in a kernel handler', async () => {
  await sameAsInterpreter('s, a',
    's <<< 42; a[1] <<< 7; if (i == 1) printf("%d %d\\n", @variance(s), @variance(a[1]))',
    'printf("%d %d\\n", @variance(s), @variance(a[1])); try { println(@variance(a[2])) } catch (m) { println(m) }', 1);
  const r = await runTstap(['-c', workload('kill0 1'), script(`
global s, n
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) { n++; if (n > 5) s <<< 1; println(@variance(s)) } }
`)]);
  assert.match(r.stderr, /^ERROR: empty aggregate near operator '@variance'/);
});

test('histogram buckets read in a kernel handler: @hist_log(s)[i], @hist_linear(...)[i], `in`', async () => {
  await sameAsInterpreter('s, l, a',
    `${VALUES}; s <<< x; l <<< x; a[i % 2] <<< x; if (i % 9 == 0) printf("%d %d %d %d %d %d %d %d\\n", i, @hist_log(s)[64], @hist_log(s)[72], 73 in @hist_log(s), 3 in @hist_log(s), @hist_linear(l, -300, 700, 100)[4], 200 in @hist_linear(l, -300, 700, 100), @hist_log(a[1])[71])`,
    'for (b = 60; b < 76; b++) printf("%d:%d:%d ", b, @hist_log(s)[b], b in @hist_log(s)); println(""); for (b = 0; b < 13; b++) printf("%d ", @hist_linear(l, -300, 700, 100)[b]); println("")', 40);
});

test('histogram bucket errors in a kernel handler: empty aggregate, index out of range', async () => {
  for (const expr of ['@hist_log(s)[3]', '@hist_log(s)[-1]', '@hist_log(s)[128]', '@hist_log(a[5])[1]']) {
    const body = `if (i > 1) s <<< i; println(${expr})`;
    const kernel = await runTstap(['-c', workload('kill0 2'), script(`
global s, a, i
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) { i++; ${body} } }
`)]);
    const interp = await runTstap([script(`
global s, a, i
probe begin { for (k = 0; k < 2; k++) { i++; ${body} } exit() }
`)]);
    assert.equal(kernel.stdout, interp.stdout, expr);
    assert.equal(kernel.stderr.split('\n')[0]!.replace(/ at \/tmp\/\S+/, ''), interp.stderr.split('\n')[0]!.replace(/ at \/tmp\/\S+/, ''), expr);
  }
});

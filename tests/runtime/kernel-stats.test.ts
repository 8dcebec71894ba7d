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
  const kernel = await runTstap(['-c', workload(`kill0 ${n}`), script(`
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

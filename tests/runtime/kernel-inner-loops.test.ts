// for/while loops inside a foreach body in kernel handlers: each runs as a bpf_loop of its own
// inside the foreach's callback, its locals passed through map memory so the verifier checks
// one iteration rather than walking them all (a loop of 300 used to exceed its 1M budget).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

const handler = (body: string) => script(`global a, n
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next
${body}
}
`);

test('for and while in a foreach body: continue, break, next, values carried out', async () => {
  const r = await runTstap(['-c', workload('getppid 4'), handler(`
  n++; a[n] = n * 10
  foreach (k in a-) {
    s = 0
    for (j = 0; j < k; j++) { if (j == 2) continue; if (j == 5) break; s += j }
    i = 0; while (i < 3) { i++; if (k == 2 && i == 2) next }
    printf("%d:%d %d %d %d\\n", n, k, s, i, j)
  }`)]);
  assert.equal(r.stderr, '');
  // n = 2 and later: k = 2 leaves the handler (next) after the larger keys.
  assert.equal(r.stdout, '1:1 0 3 1\n3:3 1 3 3\n4:4 4 3 4\n4:3 1 3 3\n');
  assert.equal(r.rc, 0);
});

test('a long inner loop verifies and runs; past MAXACTION it is stap\'s error', async () => {
  const ok = await runTstap(['-c', workload('getppid 1'), handler(`
  a[1] = 1
  foreach (k in a) { for (j = 0; j < 300; j++) s += j; for (j = 0; j < 50; j++) { t = 0; while (t < 2) t++ } }
  println(s, " ", j, " ", t)`)]);
  assert.equal(ok.stderr, '');
  assert.equal(ok.stdout, '44850 50 2\n');
  const over = await runTstap(['-c', workload('getppid 1'), handler(`
  a[1] = 1
  foreach (k in a) { for (j = 0; j < 2000; j++) s += j }
  println(s)`)]);
  assert.equal(over.stdout, '');
  assert.match(over.stderr, /^ERROR: MAXACTION exceeded near identifier 's' at \S+:6:49\n/);
  assert.equal(over.rc, 1);
});

test('a sorted foreach nested in a foreach over the same array: every outer entry visited, as the interpreter', async () => {
  const body = `
  foreach (i+ in v) foreach (j- in v) printf("%d%d ", i, j)
  println("")
  foreach (i+ in v) foreach (j+ in v limit 2) printf("%d%d ", i, j)
  println("")`;
  const globals = 'global v\nprobe begin { v[1] = 10; v[2] = 20; v[3] = 30 }\n';
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`${globals}probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target()) next${body}
  exit()
}
`)]);
  const interp = await runTstap([script(`${globals}probe begin(1) {${body}
  exit()
}
`)]);
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  assert.equal(kernel.stdout, '13 12 11 23 22 21 33 32 31 \n11 12 21 22 31 32 \n');
});

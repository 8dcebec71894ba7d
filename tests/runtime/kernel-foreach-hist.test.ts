// `foreach` over a histogram's buckets in kernel handlers against the interpreter (the reference
// semantics): @hist_log and @hist_linear, of global statistics and of statistics array entries,
// with a value variable, limit, break/continue/next/return inside, empty histograms, a snapshot
// the body's `<<<` does not change, and the interpreter's MAXACTION accounting.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { runTstap, type RunResult } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

/** Values for the statistics, from `i`: spread over log buckets of both signs. */
const VALUES = 'x = (i * i * 7919) % 1000 - 300';

interface Case {
  globals: string;
  /** Run once per kill(self, 0) of the workload (`i` counting 1..n). */
  fill: string;
  /** Run once, after the n-th `fill`. */
  loop: string;
  end?: string;
  /** Script functions, in both scripts. */
  decls?: string;
  n: number;
  /** The -c command (default: the workload making n kill(self, 0) calls) and who counts. */
  cmd?: string;
  who?: string;
}

/**
 * `fill` in a kernel handler per event, then `loop` in the same handler at the last event;
 * against the interpreter running `fill` n times in a begin probe and `loop` in the next one.
 * stdout and stderr (its file names aside) must be the same. The workload runs on whichever
 * CPUs it gets: buckets and counts merge to the same sums whatever the split.
 */
async function sameAsInterpreter(c: Case): Promise<RunResult> {
  const common = `global ${c.globals}, i\n${c.decls ?? ''}\n${c.end ? `probe end { ${c.end} }` : ''}\n`;
  const kernel = await runTstap(['-c', c.cmd ?? workload(`kill0 ${c.n}`), script(`${common}
probe kernel.trace("syscalls:sys_enter_kill") { if (${c.who ?? 'pid() == target()'}) { i++; ${c.fill}; if (i == ${c.n}) { ${c.loop} } } }
`)]);
  const interp = await runTstap([script(`${common}
probe begin { for (k = 0; k < ${c.n}; k++) { i++; ${c.fill} } }
probe begin(1) { ${c.loop} }
probe begin(2) { exit() }
`)]);
  const clean = (s: string) => s.replace(/ at \/tmp\/\S+/g, '').replace(/source: .*\n(.*\n)?/g, '');
  assert.equal(kernel.stdout, interp.stdout);
  assert.equal(clean(kernel.stderr), clean(interp.stderr));
  assert.equal(kernel.rc, interp.rc);
  return kernel;
}

test('foreach over @hist_log and @hist_linear in a kernel handler: every bucket in order, counts, limit', async () => {
  const r = await sameAsInterpreter({
    globals: 's, l, gb', n: 40,
    fill: `${VALUES}; s <<< x; l <<< x`,
    loop: `
      m = 0; foreach (b in @hist_log(s)) m++; println(m)
      foreach (v = [b] in @hist_log(s)) printf("%d:%d ", b, v); println("")
      foreach ([b] in @hist_linear(l, -300, 700, 100)) printf("%d:%d ", b, @hist_linear(l, -300, 700, 100)[b]); println("")
      foreach (v = [b] in @hist_linear(l, -300, 700, 100) limit 3) printf("first %d %d\\n", b, v)
      foreach (b in @hist_log(s) limit 0) println("never")
      n = 0; foreach (b in @hist_log(s) limit -2) n++; println(n)
      foreach ([gb] in @hist_log(s) limit i / 10) printf("%d ", gb); println("")`,
    end: 'println(gb)',
  });
  assert.match(r.stdout, /^128\n/);
  assert.match(r.stdout, /^first 2 6$/m);
  assert.match(r.stdout, /^0 1 2 3 \n3\n$/m);
});

test('foreach over histograms fed on two CPUs in a kernel handler: every copy merged', { skip: os.cpus().length < 2 && 'one CPU' }, async () => {
  // Two workloads of the -c shell, one per CPU; the loop runs at the last event, on CPU 1.
  const half = (cpu: number) => `taskset -c ${cpu} ${workload('kill0 25')}`;
  const r = await sameAsInterpreter({
    globals: 's, a', n: 50,
    cmd: `sh -c '${half(0)}; ${half(1)}'`, who: 'ppid() == target()',
    fill: `${VALUES}; s <<< x; a[i % 2] <<< x`,
    loop: `
      foreach (v = [b] in @hist_log(s)) if (v) printf("%d:%d ", b, v); println("")
      foreach (v = [b] in @hist_linear(a[1], -300, 700, 50)) if (v) printf("%d:%d ", b, v); println("")`,
  });
  assert.match(r.stdout, /^(\d+:\d+ )+\n(\d+:\d+ )+\n$/);
});

test('break, continue, next and return inside a foreach over a histogram in a kernel handler', async () => {
  const r = await sameAsInterpreter({
    globals: 's, a', n: 30,
    decls: `function firstOver(k, min) { foreach (v = [b] in @hist_log(a[k])) if (v > min) return b; return -1 }`,
    fill: `${VALUES}; s <<< x; a[i % 3] <<< x`,
    loop: `
      foreach (v = [b] in @hist_log(s)) { if (v == 0) continue; if (b > 70) break; printf("s %d %d\\n", b, v) }
      foreach ([k] in a) foreach (v = [b] in @hist_log(a[k])) { if (!v) continue; printf("a[%d] %d %d\\n", k, b, v) }
      printf("%d %d %d\\n", firstOver(0, 1), firstOver(2, 2), firstOver(1, 100))
      foreach (v = [b] in @hist_log(s)) { if (v) { printf("next at %d\\n", b); next } }
      println("not reached")`,
    end: 'println("end")',
  });
  assert.match(r.stdout, /^next at \d+\nend\n$/m);
  assert.doesNotMatch(r.stdout, /not reached/);
});

test('foreach over empty histograms in a kernel handler: a global one visits every bucket, a missing array entry none', async () => {
  const r = await sameAsInterpreter({
    globals: 's, t, a', n: 5,
    decls: 'function lim() { println("limit evaluated"); return 2 }',
    fill: 'a[i] <<< i; if (i > 100) s <<< 1; t <<< i',
    loop: `
      n = 0; z = 0; foreach (v = [b] in @hist_log(s)) { n++; z += v }; printf("%d %d\\n", n, z)
      foreach (b in @hist_log(a[99]) limit lim()) println("none")
      delete a[3]; foreach (b in @hist_log(a[3]) limit lim()) println("deleted")
      foreach (v = [b] in @hist_log(a[4]) limit lim()) printf("a[4] %d %d\\n", b, v)
      delete t; n = 0; foreach (v = [b] in @hist_log(t)) if (v == 0) n++; println(n)`,
  });
  assert.equal(r.stdout, '128 0\nlimit evaluated\na[4] 0 0\na[4] 1 0\n128\n');
});

test('foreach over a histogram in a kernel handler walks a snapshot: `<<<` in the body is not seen', async () => {
  const r = await sameAsInterpreter({
    globals: 's, a', n: 20,
    fill: 's <<< i; a["k"] <<< i',
    loop: `
      foreach (v = [b] in @hist_log(s)) if (v) { s <<< 1000; printf("%d:%d ", b, v) } println(@count(s))
      foreach (v = [b] in @hist_linear(a["k"], 0, 50, 5)) if (v) { a["k"] <<< 49; printf("%d:%d ", b, v) } println(@count(a["k"]))`,
  });
  // Buckets 75 (1000) and 10 (49) got values during the loops, which did not visit them.
  assert.equal(r.stdout, '65:1 66:2 67:4 68:8 69:5 25\n1:4 2:5 3:5 4:5 5:1 25\n');
});

test('errors inside a foreach over a histogram in a kernel handler: caught, then uncaught', async () => {
  const r = await sameAsInterpreter({
    globals: 's', n: 10,
    fill: 's <<< i * 3',
    loop: `
      foreach (v = [b] in @hist_log(s)) try { if (v) printf("%d %d\\n", b, 100 / (b - 67)) } catch (m) { printf("caught %s at %d\\n", m, b) }
      foreach (v = [b] in @hist_log(s)) if (v) printf("%d\\n", 10 / (v - 3))`,
  });
  assert.equal(r.stdout, '66 -100\ncaught division by 0 at 67\n68 100\n69 50\n-5\n-5\n');
  assert.match(r.stderr, /^ERROR: division by 0 near operator '\/'/);
  assert.equal(r.rc, 1);
});

test('foreach over a histogram charges MAXACTION only for its body, as the interpreter', async () => {
  // Values 1..8: buckets 65..68 hold some. The loop costs 128 `if`s and 4 `n++`: 132 actions in
  // the interpreter's begin probe; the kernel handler adds its own 4 statements before it.
  const loop = 'foreach (v = [b] in @hist_log(s)) if (v) n++';
  const kernel = async (max: number) => runTstap(['-D', `MAXACTION=${max}`, '-c', workload('kill0 8'), script(`
global s, n, i
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) { i++; s <<< i; if (i == 8) ${loop} } }
probe end { println(n) }
`)]);
  const interp = async (max: number) => runTstap(['-D', `MAXACTION_INTERRUPTIBLE=${max}`, script(`
global s, n
probe begin { for (k = 1; k <= 8; k++) s <<< k }
probe begin(1) { ${loop} }
probe begin(2) { exit() }
probe end { println(n) }
`)]);
  for (const [run, max] of [[kernel, 136], [interp, 132]] as const) {
    const ok = await run(max);
    assert.equal(ok.stderr, '', `${max}`);
    assert.equal(ok.stdout, '4\n');
    const over = await run(max - 1);
    assert.match(over.stderr, /^ERROR: MAXACTION exceeded near /, `${max - 1}`);
  }
});

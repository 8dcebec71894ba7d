// The run corpus again with --runtime=bpf: begin and end handlers compiled to eBPF and run in
// the kernel with BPF_PROG_TEST_RUN (the interpreter keeps only what the kernel back end cannot
// compile yet). Output must be byte-identical to the interpreter's, i.e. to stap's.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, headerArgs, runTstap } from './corpus-runner.js';

const dir = path.join(ROOT, 'tests/corpus/run');
const scripts = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.stp')).sort() : [];

/** Scripts whose output differs on purpose under --runtime=bpf (each listed in docs/compat.md). */
const DIFFERENT: Record<string, string> = {
  '182-preprocessor-conditionals.stp': '%( runtime == "kernel" %) is false under --runtime=bpf, as in stap',
};

test('most begin/end handlers of the corpus compile to eBPF (the fallback is the exception)', async () => {
  let compiled = 0;
  for (const name of scripts) {
    const { opts, argv } = headerArgs(fs.readFileSync(path.join(dir, name), 'latin1'));
    const r = await runTstap(['--runtime=bpf', '-p3', ...opts.filter((o) => !/^-p\d$/.test(o)), path.join('tests/corpus/run', name), ...argv]);
    compiled += r.stdout.split('\n').filter((l) => /^# tstap\d+_\d+: test_run /.test(l)).length;
  }
  // 205 of the corpus's ~276 begin/end handlers compiled when this was written; 243 once
  // foreach ran in the kernel; 266 with whole-array delete and @variance; 270 with every
  // sprintf conversion but %m/%M.
  assert.ok(compiled >= 270, `only ${compiled} handlers compiled to eBPF`);
});

for (const name of scripts) {
  const base = path.join(dir, name.slice(0, -4));
  const why = DIFFERENT[name];
  test(`runs with --runtime=bpf: ${name}`, { timeout: 20_000 }, async () => {
    const text = fs.readFileSync(base + '.stp', 'latin1');
    const { opts, argv } = headerArgs(text);
    const exit = Number(/^\/\/ exit:\s*(\d+)/m.exec(text)?.[1] ?? 0);
    const read = (ext: string) => (fs.existsSync(base + ext) ? fs.readFileSync(base + ext, 'latin1') : '');
    const r = await runTstap(['--runtime=bpf', ...opts, path.join('tests/corpus/run', name), ...argv]);
    if (why) {
      // A known, documented difference: once it is gone, this entry must go too.
      assert.notEqual(r.stdout, read('.out'), `no longer differs (${why}): remove it from DIFFERENT`);
      return;
    }
    assert.equal(r.stdout, read('.out'));
    assert.equal(r.stderr, read('.err'));
    assert.equal(r.rc, exit);
  });
}

test('-v names each begin/end handler left to the interpreter, with the reason', async () => {
  // User addresses are symbolized in user space: usymname() as a value never compiles to eBPF.
  const r = await runTstap(['--runtime=bpf', '-v', '-e', 'probe begin { s = usymname(uaddr()); println(s) } probe end { println("bye") } probe begin { exit() }']);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('Pass 4: '));
  assert.deepEqual(lines, ['Pass 4: begin at <input>:1:1 runs in the interpreter: not supported in kernel context yet: usymname() other than as a print argument (user addresses are symbolized in user space)']);
  assert.equal(r.stdout, '0x0\nbye\n');
});

// -v reports each pass as stap does (pass 3: the eBPF programs built); -vv also says when the
// kernel probes were armed, counted from the start of the process (start-up benchmarks).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';

const SCRIPT = 'global n; probe kernel.trace("syscalls:sys_enter_getppid") { n++ } probe kernel.trace("syscalls:sys_enter_getpid") { n++ }';

test('-v: pass 3 names the programs and instructions built, with stap\'s resource and time figures', async () => {
  const r = await runTstap(['-v', '-c', 'true', '-e', SCRIPT]);
  assert.match(r.stderr, /^Pass 3: translated to eBPF: 2 programs, \d+ instructions using \d+virt\/\d+res\/\d+shr\/\d+data kb, in \d+usr\/\d+sys\/\d+real ms\.$/m);
  assert.doesNotMatch(r.stderr, /armed/);
});

test('-vv: when the kernel probes were armed, after the passes and before the run ends', async () => {
  const r = await runTstap(['-vv', '-c', 'true', '-e', SCRIPT]);
  const lines = r.stderr.split('\n');
  const armed = lines.findIndex((l) => /^Pass 5: kernel probes armed \d+ ms after tstap started$/.test(l));
  assert.ok(armed > lines.findIndex((l) => l.startsWith('Pass 3: translated')), r.stderr);
  assert.ok(armed < lines.findIndex((l) => l.startsWith('Pass 5: run completed')), r.stderr);
});

test('-v under --runtime=bpf: a begin handler the verifier refuses says it runs in the interpreter', async () => {
  // 300,000 iterations of a loop written out in place: more than the verifier's 1M instructions.
  const script = 'global x; probe begin { for (i = 0; i < 300000; i++) x += i; println(x); exit() }';
  const r = await runTstap(['-v', '--runtime=bpf', '-D', 'MAXACTION_INTERRUPTIBLE=2000000', '-e', script]);
  assert.equal(r.stdout, '44999850000\n');
  assert.match(r.stderr, /^Pass 4: begin at <input>:1:11 runs in the interpreter: the verifier refused it: .*too large/m);
  const quiet = await runTstap(['--runtime=bpf', '-D', 'MAXACTION_INTERRUPTIBLE=2000000', '-e', script]);
  assert.equal(quiet.stderr, '');
});

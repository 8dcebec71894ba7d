// Feature probes on this kernel: every probe reports, and the known answers of the project's
// machine hold (ring buffers, raw_tp and tp_btf work; fentry is denied by policy with EPERM).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FEATURE_NAMES, Features } from '../../src/runtime/sys/features.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { expectNoLeaks, kernelFds, realFeatures, skipUnless } from './sys-fixtures.js';

test('every feature probe reports, closing everything it opened', async (t) => {
  if (skipUnless(t, 'bpf')) return;
  const before = kernelFds();
  // A fresh instance so that every probe really runs here.
  const f = new Features(koffiSys(), { btf: undefined });
  const t0 = performance.now();
  const results = f.checkAll();
  const ms = performance.now() - t0;
  for (const r of results) {
    t.diagnostic(`${r.name.padEnd(18)} ${r.available ? 'yes' : 'NO '} ${r.available ? (r.detail ?? '') : r.reason}`);
    if (r.available) assert.equal(r.reason, '');
    else assert.match(r.reason, /^not available on this kernel: .+ \(needs .+; .+\)$/);
  }
  t.diagnostic(`all ${results.length} probes: ${ms.toFixed(1)} ms`);
  assert.deepEqual(results.map((r) => r.name), [...FEATURE_NAMES]);
  await f.settled();
  expectNoLeaks(before);
});

test('the machine kind this project runs on: ringbuf, raw_tp, tp_btf yes; fentry EPERM', { skip: process.env['TSTAP_OTHER_KERNEL'] ? 'TSTAP_OTHER_KERNEL set' : false }, async (t) => {
  if (skipUnless(t, 'bpf')) return;
  const before = kernelFds();
  // With BTF targets: real attach targets for tp_btf and fentry.
  const f = realFeatures();
  for (const n of ['ringbuf', 'raw_tp', 'tp_btf', 'tracepoint', 'perf_link', 'uprobe_multi', 'stack_trace', 'prog_test_run'] as const) {
    assert.equal(f.check(n).available, true, `${n}: ${f.check(n).reason}`);
  }
  assert.equal(f.check('tp_btf').detail, undefined, 'loaded against the real btf_trace_sched_switch target');
  const fentry = f.check('fentry');
  assert.equal(fentry.available, false);
  assert.equal(fentry.errno, 'EPERM');
  assert.equal(fentry.reason, 'not available on this kernel: fentry programs (needs Linux 5.5 and no lockdown/LSM policy denying it; PROG_LOAD returned EPERM)');
  assert.throws(() => f.require('fentry'), /not available on this kernel: fentry programs/);
  await f.settled();
  expectNoLeaks(before);
});

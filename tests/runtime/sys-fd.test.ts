// Ownership of real kernel objects: everything closed on every path, slow perf detaches in
// parallel, cleanup hooks on signals.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ProgType } from '../../src/runtime/sys/bpf-const.js';
import { FdRegistry, installCleanup } from '../../src/runtime/sys/fd.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { linkCreatePerfEvent } from '../../src/runtime/sys/link.js';
import { openTracepoint, tracepointId } from '../../src/runtime/sys/perf.js';
import { progLoad } from '../../src/runtime/sys/prog.js';
import { ensureTracefs } from '../../src/runtime/sys/tracefs-mount.js';
import { RETURN, expectNoLeaks, kernelFds, skipUnless } from './sys-fixtures.js';

const sys = koffiSys();
const SYSCALLS = ['getppid', 'getpid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid', 'getpgrp', 'sched_yield', 'getcpu'];

/** Ten syscall tracepoints, each with a program attached through a link. */
function attachTen(reg: FdRegistry): void {
  const root = ensureTracefs(sys);
  const prog = reg.own(progLoad(sys, { type: ProgType.TRACEPOINT, insns: RETURN(0), name: 'noop' }), 'prog', 'noop');
  for (const s of SYSCALLS) {
    const perf = reg.own(openTracepoint(sys, tracepointId(root, 'syscalls', `sys_enter_${s}`)), 'perf', s);
    reg.own(linkCreatePerfEvent(sys, prog.fd, perf.fd), 'link', s);
  }
}

test('closing ten attached tracepoints: serially vs on worker threads; nothing left open', async (t) => {
  if (skipUnless(t, 'tracepoint', 'perf_link')) return;
  const before = kernelFds();
  const serial = new FdRegistry(sys);
  attachTen(serial);
  assert.equal(serial.size, 21);
  const s = serial.closeAll();
  assert.deepEqual(s.errors, []);
  assert.equal(s.closed, 21);
  expectNoLeaks(before);

  const parallel = new FdRegistry(sys);
  attachTen(parallel);
  const p = await parallel.closeAllAsync();
  assert.deepEqual(p.errors, []);
  assert.equal(parallel.size, 0);
  t.diagnostic(`detach of 10 perf tracepoints: serial ${s.ms.toFixed(0)} ms, parallel ${p.ms.toFixed(0)} ms`);
  expectNoLeaks(before);
});

test('closing is idempotent and survives a failed setup', (t) => {
  if (skipUnless(t, 'tracepoint')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const prog = reg.own(progLoad(sys, { type: ProgType.TRACEPOINT, insns: RETURN(0) }), 'prog', 'noop');
    reg.close(prog);
    reg.close(prog);
    assert.equal(prog.closed, true);
    reg.own(progLoad(sys, { type: ProgType.TRACEPOINT, insns: RETURN(0) }), 'prog', 'noop2');
    // A setup step failing half-way: what was created is still owned.
    assert.throws(() => openTracepoint(sys, 0x7fffffff), /perf_event_open: /);
  } finally {
    assert.equal(reg.closeAll().errors.length, 0);
  }
  expectNoLeaks(before);
});

test('installCleanup: a signal runs the session hook; removal detaches the handlers', () => {
  const reg = new FdRegistry(sys);
  const seen: string[] = [];
  const listeners = process.listenerCount('SIGTERM');
  const remove = installCleanup(reg, { signals: ['SIGTERM'], onSignal: (s) => seen.push(s) });
  assert.equal(process.listenerCount('SIGTERM'), listeners + 1);
  process.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(seen, ['SIGTERM']);
  remove();
  assert.equal(process.listenerCount('SIGTERM'), listeners);
});

// Real program loads on this kernel: BPF_PROG_TEST_RUN, the verifier log in load errors, program info.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MapType, ProgType } from '../../src/runtime/sys/bpf-const.js';
import { mapCreate } from '../../src/runtime/sys/bpf.js';
import { FdRegistry } from '../../src/runtime/sys/fd.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { BpfLoadError, progInfo, progLoad, progTestRun } from '../../src/runtime/sys/prog.js';
import { RETURN, expectNoLeaks, insn, kernelFactsCounter, kernelFds, ldMapFd, prog, skipUnless } from './sys-fixtures.js';

const sys = koffiSys();

test('PROG_TEST_RUN: a raw_tp program sees its ctx args and its return value comes back', (t) => {
  if (skipUnless(t, 'raw_tp', 'prog_test_run')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    // r0 = ctx[0] + ctx[1] * 3
    const insns = prog(
      insn(0x79, 0, 1, 0, 0), // r0 = *(u64 *)(r1 + 0)
      insn(0x79, 2, 1, 8, 0), // r2 = *(u64 *)(r1 + 8)
      insn(0x27, 2, 0, 0, 3), // r2 *= 3
      insn(0x0f, 0, 2, 0, 0), // r0 += r2
      insn(0x95, 0, 0, 0, 0),
    );
    const fd = reg.own(progLoad(sys, { type: ProgType.RAW_TRACEPOINT, insns, name: 'sum_args' }), 'prog', 'sum_args').fd;
    const ctx = Buffer.alloc(16);
    ctx.writeBigUInt64LE(30n, 0);
    ctx.writeBigUInt64LE(4n, 8);
    assert.equal(progTestRun(sys, fd, { ctxIn: ctx }).retval, 42);
    ctx.writeBigUInt64LE(1000n, 0);
    assert.equal(progTestRun(sys, fd, { ctxIn: ctx }).retval, 1012);
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});

test('PROG_TEST_RUN: a socket filter returning a constant, repeated, with a duration', (t) => {
  if (skipUnless(t, 'bpf')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const fd = reg.own(progLoad(sys, { type: ProgType.SOCKET_FILTER, insns: RETURN(7), name: 'const7' }), 'prog', 'const7').fd;
    // skb test runs need at least an Ethernet header of data.
    const r = progTestRun(sys, fd, { dataIn: Buffer.alloc(64), dataOutSize: 64, repeat: 1000 });
    assert.equal(r.retval, 7);
    assert.equal(r.dataOut?.length, 64);
    t.diagnostic(`socket filter test run: ${r.duration} ns per run`);
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});

test('the 11-instruction counter of kernel-facts loads; program info reports it', (t) => {
  if (skipUnless(t, 'tracepoint', 'percpu_array')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const map = mapCreate(sys, { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    reg.own(map.fd, 'map', 'counter');
    const fd = reg.own(progLoad(sys, { type: ProgType.TRACEPOINT, insns: kernelFactsCounter(map.fd), name: 'kf_counter' }), 'prog', 'kf').fd;
    const info = progInfo(sys, fd);
    assert.equal(info.type, ProgType.TRACEPOINT);
    assert.equal(info.name, 'kf_counter');
    // Not 11 × 8: the kernel inlines the array lookup into the translated program.
    assert.ok(info.xlatedProgLen >= 11 * 8);
    assert.ok(info.jitedProgLen > 0);
    assert.match(info.tag, /^[0-9a-f]{16}$/);
    assert.ok(info.verifiedInsns >= 9, `verified ${info.verifiedInsns}`);
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});

test('a rejected program: the error carries the verifier log (libbpf strategy)', (t) => {
  if (skipUnless(t, 'tracepoint')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const map = mapCreate(sys, { type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
    reg.own(map.fd, 'map', 'hash');
    // The counter without its NULL check: a HASH lookup may return NULL.
    const insns = prog(
      insn(0x62, 10, 0, -4, 0),
      insn(0xbf, 2, 10, 0, 0),
      insn(0x07, 2, 0, 0, -4),
      ldMapFd(1, map.fd),
      insn(0x85, 0, 0, 0, 1),
      insn(0xb7, 1, 0, 0, 1),
      insn(0xdb, 0, 1, 0, 0),
      RETURN(0),
    );
    let err: unknown;
    try {
      reg.own(progLoad(sys, { type: ProgType.TRACEPOINT, insns, name: 'no_null_check' }), 'prog', 'unexpected');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof BpfLoadError, String(err));
    assert.equal(err.code, 'EACCES');
    assert.equal(err.op, 'bpf(PROG_LOAD)');
    assert.match(err.log, /R0 invalid mem access 'map_value_or_null'/);
    assert.match(err.log, /lock \*\(u64 \*\)\(r0 \+0\) \+= r1/);
    assert.match(err.message, /^bpf\(PROG_LOAD\): EACCES \(Permission denied\): program no_null_check\nverifier log:\n/);
    assert.match(err.message, /map_value_or_null/);

    // A GPL-only helper from a non-GPL program: EINVAL, with the reason in the log.
    const gpl = prog(insn(0x85, 0, 0, 0, 35 /* bpf_get_current_task */), RETURN(0));
    assert.throws(
      () => reg.own(progLoad(sys, { type: ProgType.TRACEPOINT, insns: gpl, license: 'Proprietary' }), 'prog', 'unexpected'),
      (e: unknown) => e instanceof BpfLoadError && e.code === 'EINVAL' && /GPL/.test(e.log),
    );
    // Not a whole number of instructions: caught before the kernel.
    assert.throws(() => progLoad(sys, { type: ProgType.TRACEPOINT, insns: Buffer.alloc(12) }), /not a whole number of instructions/);
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});

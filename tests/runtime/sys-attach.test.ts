// Real programs attached on this kernel, counting exactly the N getppid(2) calls of a workload
// process: perf tracepoint via LINK_CREATE and via ioctl(SET_BPF), raw_tp, tp_btf.

import { test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { AttachType, MapType, ProgType } from '../../src/runtime/sys/bpf-const.js';
import { enableRunTimeStats, mapCreate, mapLookup } from '../../src/runtime/sys/bpf.js';
import { percpuSumU64 } from '../../src/runtime/sys/cpus.js';
import { FdRegistry, type Owned } from '../../src/runtime/sys/fd.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { linkCreatePerfEvent, linkCreateTracing, rawTracepointOpen } from '../../src/runtime/sys/link.js';
import { openTracepoint, perfEnable, perfSetBpf, tracepointId } from '../../src/runtime/sys/perf.js';
import { progInfo, progLoad } from '../../src/runtime/sys/prog.js';
import { ensureTracefs } from '../../src/runtime/sys/tracefs-mount.js';
import { HELPER, expectNoLeaks, insn, kernelFactsCounter, kernelFds, prog, realFeatures, skipUnless, startWorkload, tgidCounter, vmlinuxLookup } from './sys-fixtures.js';

const sys = koffiSys();
const N = 20_000;
const GETPPID_NR = 110;

interface Attached {
  /** The objects whose closing detaches the program (timed). */
  detach: Owned[];
  /** Runs after the workload, before detaching. */
  after?: () => void;
}

/**
 * Create a per-CPU counter, start the workload, load `build(mapFd, tgid)`, attach it with
 * `attach`, run exactly N calls, and return the count (plus timings for the report).
 */
async function countCalls(
  t: TestContext,
  what: string,
  load: (mapFd: number, tgid: number) => number,
  attach: (reg: FdRegistry, progFd: number) => Attached,
): Promise<bigint> {
  const reg = new FdRegistry(sys);
  const wl = await startWorkload(N);
  try {
    const map = mapCreate(sys, { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'getppid_count' });
    reg.own(map.fd, 'map', 'counter');
    const progFd = reg.own(load(map.fd, wl.pid), 'prog', what).fd;
    const t0 = performance.now();
    const att = attach(reg, progFd);
    const attachMs = performance.now() - t0;
    await wl.run();
    att.after?.();
    const value = Buffer.alloc(map.valueBufSize);
    assert.ok(mapLookup(sys, map.fd, Buffer.alloc(4), value));
    const t1 = performance.now();
    for (const o of att.detach) reg.close(o);
    t.diagnostic(`${what}: attach ${attachMs.toFixed(2)} ms, detach ${(performance.now() - t1).toFixed(2)} ms`);
    return percpuSumU64(value);
  } finally {
    wl.kill();
    reg.closeAll();
  }
}

function tracepointCounter(mapFd: number, tgid: number): number {
  return progLoad(sys, { type: ProgType.TRACEPOINT, insns: tgidCounter(mapFd, tgid), name: 'count_getppid' });
}

/** For raw_tp/tp_btf sys_enter (ctx = u64 args: regs, id): `id == 110 && tgid` filter, then the counter. */
function sysEnterCounter(mapFd: number, tgid: number): Buffer {
  const p = prog(
    insn(0x79, 6, 1, 8, 0), // 0: r6 = ctx->args[1] (the syscall number)
    insn(0x85, 0, 0, 0, HELPER.getCurrentPidTgid), // 1
    insn(0x77, 0, 0, 0, 32), // 2: r0 >>= 32
    insn(0x55, 0, 0, 10, tgid), // 3: if r0 != tgid goto 14
    insn(0x55, 6, 0, 9, GETPPID_NR), // 4: if r6 != 110 goto 14
    kernelFactsCounter(mapFd).subarray(0, 9 * 8), // 5-13: lookup slot 0, add 1
    insn(0xb7, 0, 0, 0, 0), // 14: r0 = 0
    insn(0x95, 0, 0, 0, 0), // 15: exit
  );
  assert.equal(p.length / 8, 16);
  return p;
}

test('tracepoint program via perf_event_open + LINK_CREATE counts exactly N getppid calls of the workload', async (t) => {
  if (skipUnless(t, 'tracepoint', 'perf_link', 'percpu_array')) return;
  const before = kernelFds();
  const id = tracepointId(ensureTracefs(sys), 'syscalls', 'sys_enter_getppid');
  const n = await countCalls(t, 'perf tracepoint + link', tracepointCounter, (reg, progFd) => {
    const perf = reg.own(openTracepoint(sys, id, 'syscalls:sys_enter_getppid'), 'perf', 'sys_enter_getppid');
    const link = reg.own(linkCreatePerfEvent(sys, progFd, perf.fd), 'link', 'sys_enter_getppid');
    return { detach: [link, perf] };
  });
  assert.equal(n, BigInt(N));
  expectNoLeaks(before);
});

test('tracepoint program via ioctl(SET_BPF) + ENABLE counts exactly N, and run_cnt sees every hit', async (t) => {
  if (skipUnless(t, 'tracepoint', 'percpu_array')) return;
  const before = kernelFds();
  const id = tracepointId(ensureTracefs(sys), 'syscalls', 'sys_enter_getppid');
  // run_cnt counts every getppid in the system (the filter is inside the program): at least N.
  const stats = realFeatures().has('run_stats') ? enableRunTimeStats(sys) : -1;
  let runCnt = -1n;
  try {
    const n = await countCalls(t, 'perf tracepoint + SET_BPF', tracepointCounter, (reg, progFd) => {
      const perf = reg.own(openTracepoint(sys, id), 'perf', 'sys_enter_getppid');
      perfSetBpf(sys, perf.fd, progFd);
      perfEnable(sys, perf.fd);
      return {
        detach: [perf],
        after: () => (runCnt = progInfo(sys, progFd).runCnt),
      };
    });
    assert.equal(n, BigInt(N));
    if (stats >= 0) assert.ok(runCnt >= BigInt(N), `run_cnt ${runCnt}`);
  } finally {
    if (stats >= 0) sys.close(stats);
  }
  expectNoLeaks(before);
});

test('raw_tp sys_enter via RAW_TRACEPOINT_OPEN, filtered on syscall id and tgid, counts exactly N', async (t) => {
  if (skipUnless(t, 'raw_tp', 'percpu_array')) return;
  const before = kernelFds();
  const n = await countCalls(
    t,
    'raw_tp sys_enter',
    (m, tgid) => progLoad(sys, { type: ProgType.RAW_TRACEPOINT, insns: sysEnterCounter(m, tgid), name: 'rawtp_getppid' }),
    (reg, progFd) => ({ detach: [reg.own(rawTracepointOpen(sys, progFd, 'sys_enter'), 'link', 'raw_tp sys_enter')] }),
  );
  assert.equal(n, BigInt(N));
  expectNoLeaks(before);
});

test('tp_btf sys_enter via LINK_CREATE(TRACE_RAW_TP) counts exactly N', async (t) => {
  if (skipUnless(t, 'tp_btf', 'kernel_btf', 'percpu_array')) return;
  const before = kernelFds();
  const btfId = vmlinuxLookup('btf_trace_sys_enter', 'typedef');
  assert.ok(btfId, 'btf_trace_sys_enter in vmlinux BTF');
  const n = await countCalls(
    t,
    'tp_btf sys_enter',
    (m, tgid) =>
      progLoad(sys, {
        type: ProgType.TRACING,
        expectedAttachType: AttachType.TRACE_RAW_TP,
        attachBtfId: btfId,
        insns: sysEnterCounter(m, tgid),
        name: 'tpbtf_getppid',
      }),
    (reg, pfd) => {
      const info = progInfo(sys, pfd);
      assert.equal(info.type, ProgType.TRACING);
      assert.equal(info.name, 'tpbtf_getppid');
      assert.ok(info.jitedProgLen > 0);
      return { detach: [reg.own(linkCreateTracing(sys, pfd, AttachType.TRACE_RAW_TP), 'link', 'tp_btf sys_enter')] };
    },
  );
  assert.equal(n, BigInt(N));
  expectNoLeaks(before);
});

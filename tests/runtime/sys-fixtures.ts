// Shared pieces of the sys-layer tests: hand-assembled programs, the getppid workload driver,
// a leak check over BPF/perf fds, and a minimal vmlinux BTF name lookup for the feature probes.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { Features, type BtfLookup, type FeatureName } from '../../src/runtime/sys/features.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';

/** One 8-byte instruction (the assembler in src/bpf is deliberately not used: this tests sys/ alone). */
export function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(code, 0);
  b.writeUInt8(((src & 0xf) << 4) | (dst & 0xf), 1);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm | 0, 4);
  return b;
}

/** ld_imm64 dst = map fd (BPF_PSEUDO_MAP_FD): two instruction slots. */
export function ldMapFd(dst: number, fd: number): Buffer {
  return Buffer.concat([insn(0x18, dst, 1, 0, fd), insn(0, 0, 0, 0, 0)]);
}

export const prog = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

export const HELPER = { mapLookupElem: 1, getCurrentPidTgid: 14, ringbufOutput: 130, ringbufReserve: 131, ringbufSubmit: 132, ringbufDiscard: 133 } as const;

/** The 11-instruction counter of kernel-facts §3, with the map fd patched into the ld_imm64. */
export function kernelFactsCounter(mapFd: number): Buffer {
  const hex = '620afcff00000000 bfa2000000000000 07020000fcffffff 1811000012000000 0000000000000000 8500000001000000 1500020000000000 b701000001000000 db10000000000000 b700000000000000 9500000000000000';
  const b = Buffer.from(hex.replace(/ /g, ''), 'hex');
  b.writeInt32LE(mapFd, 3 * 8 + 4);
  return b;
}

/**
 * The same counter, counting only calls by process `tgid`:
 *   r0 = get_current_pid_tgid(); r0 >>= 32; if r0 != tgid goto out; ...counter...; out: r0 = 0; exit
 */
export function tgidCounter(mapFd: number, tgid: number): Buffer {
  const counter = kernelFactsCounter(mapFd).subarray(0, 9 * 8); // up to the atomic add
  const p = prog(
    insn(0x85, 0, 0, 0, HELPER.getCurrentPidTgid),
    insn(0x77, 0, 0, 0, 32), // r0 >>= 32
    insn(0x55, 0, 0, 9, tgid), // if r0 != tgid goto +9 (the r0 = 0 below)
    counter,
    insn(0xb7, 0, 0, 0, 0),
    insn(0x95, 0, 0, 0, 0),
  );
  assert.equal(p.length / 8, 14);
  return p;
}

/**
 * One ring buffer record per call by `tgid`: {u64 pid_tgid, u64 seq}, seq from an atomic
 * fetch-add on ARRAY map `seqFd` (so records are numbered 0, 1, 2, ... in call order).
 */
export function tgidRingbufEmitter(ringFd: number, seqFd: number, tgid: number): Buffer {
  const p = prog(
    insn(0x85, 0, 0, 0, HELPER.getCurrentPidTgid), // 0
    insn(0xbf, 6, 0, 0, 0), // 1: r6 = r0
    insn(0x77, 0, 0, 0, 32), // 2: r0 >>= 32
    insn(0x55, 0, 0, 18, tgid), // 3: if r0 != tgid goto 22
    insn(0x7b, 10, 6, -16, 0), // 4: *(u64 *)(r10 - 16) = r6
    insn(0x62, 10, 0, -20, 0), // 5: *(u32 *)(r10 - 20) = 0
    insn(0xbf, 2, 10, 0, 0), // 6: r2 = r10
    insn(0x07, 2, 0, 0, -20), // 7: r2 += -20
    ldMapFd(1, seqFd), // 8-9
    insn(0x85, 0, 0, 0, HELPER.mapLookupElem), // 10
    insn(0x15, 0, 0, 10, 0), // 11: if r0 == 0 goto 22
    insn(0xb7, 1, 0, 0, 1), // 12: r1 = 1
    insn(0xdb, 0, 1, 0, 0x01), // 13: r1 = atomic_fetch_add((u64 *)(r0 + 0), r1)
    insn(0x7b, 10, 1, -8, 0), // 14: *(u64 *)(r10 - 8) = r1
    ldMapFd(1, ringFd), // 15-16
    insn(0xbf, 2, 10, 0, 0), // 17: r2 = r10
    insn(0x07, 2, 0, 0, -16), // 18: r2 += -16
    insn(0xb7, 3, 0, 0, 16), // 19: r3 = 16
    insn(0xb7, 4, 0, 0, 0), // 20: r4 = 0 (adaptive wakeup)
    insn(0x85, 0, 0, 0, HELPER.ringbufOutput), // 21
    insn(0xb7, 0, 0, 0, 0), // 22: r0 = 0
    insn(0x95, 0, 0, 0, 0), // 23: exit
  );
  assert.equal(p.length / 8, 24);
  return p;
}

export const RETURN = (imm: number): Buffer => prog(insn(0xb7, 0, 0, 0, imm), insn(0x95, 0, 0, 0, 0));

/**
 * The workload process: started, then told to make exactly `n` raw getppid(2) calls (in bursts
 * of `burst` with `pauseMs` sleeps between them when given).
 */
export interface Workload {
  pid: number;
  /** Make the calls and wait until the process has exited. */
  run(): Promise<void>;
  kill(): void;
}

export async function startWorkload(n: number, burst = 0, pauseMs = 0): Promise<Workload> {
  const args = [path.join(__dirname, 'sys-workload.js'), String(n), String(burst), String(pauseMs)];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (word: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.includes(word)) resolve();
      };
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        check();
      });
      void exited.then((code) => (out.includes(word) ? resolve() : reject(new Error(`workload exited (${code}) before "${word}": ${out}`))));
      check();
    });
  await waitFor('ready');
  return {
    pid: child.pid!,
    async run() {
      child.stdin!.end('go\n');
      await waitFor('done');
      assert.equal(await exited, 0);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** BPF and perf objects this process holds, by kind (fds whose link target names them). */
export function kernelFds(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the directory's own fd, gone by now
    }
    const m = /^anon_inode:(?:\[)?(bpf-map|bpf-prog|bpf_link|bpf-link|perf_event|eventpoll|eventfd|bpf_stats)\]?/.exec(target);
    if (m) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
  }
  return counts;
}

/** Fail if the kernel objects held at the end differ from those at the start. */
export function expectNoLeaks(before: Record<string, number>): void {
  assert.deepEqual(kernelFds(), before, 'kernel fds leaked');
}

const BTF_KIND_TYPEDEF = 8;
const BTF_KIND_FUNC = 12;

let btfNames: Map<string, number> | undefined;

/** A name → id lookup over vmlinux BTF, FUNC and TYPEDEF only (enough for the probes' targets). */
export const vmlinuxLookup: BtfLookup = (name, kind) => {
  if (!btfNames) {
    btfNames = new Map();
    const b = fs.readFileSync('/sys/kernel/btf/vmlinux');
    const hdrLen = b.readUInt32LE(4);
    const typeStart = hdrLen + b.readUInt32LE(8);
    const typeEnd = typeStart + b.readUInt32LE(12);
    const strStart = hdrLen + b.readUInt32LE(16);
    let id = 1;
    for (let off = typeStart; off < typeEnd; id++) {
      const nameOff = b.readUInt32LE(off);
      const info = b.readUInt32LE(off + 4);
      const k = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      if ((k === BTF_KIND_FUNC || k === BTF_KIND_TYPEDEF) && nameOff) {
        const s = b.toString('latin1', strStart + nameOff, b.indexOf(0, strStart + nameOff));
        btfNames.set(`${k}:${s}`, id);
      }
      off += 12;
      if (k === 1 || k === 14 || k === 17) off += 4; // INT, VAR, DECL_TAG
      else if (k === 3) off += 12; // ARRAY
      else if (k === 4 || k === 5 || k === 15 || k === 19) off += 12 * vlen; // STRUCT, UNION, DATASEC, ENUM64
      else if (k === 6 || k === 13) off += 8 * vlen; // ENUM, FUNC_PROTO
    }
  }
  return btfNames.get(`${kind === 'func' ? BTF_KIND_FUNC : BTF_KIND_TYPEDEF}:${name}`);
};

let features: Features | undefined;

/** Process-wide feature probes on the real kernel (with BTF targets when vmlinux BTF exists). */
export function realFeatures(): Features {
  features ??= new Features(koffiSys(), fs.existsSync('/sys/kernel/btf/vmlinux') ? { btf: vmlinuxLookup } : {});
  return features;
}

/**
 * Skip the test, saying why, when the kernel lacks a feature; true when skipped. Only a missing
 * kernel feature may skip a runtime test.
 */
export function skipUnless(t: TestContext, ...names: FeatureName[]): boolean {
  for (const n of names) {
    const r = realFeatures().check(n);
    if (!r.available) {
      t.diagnostic(r.reason);
      t.skip(r.reason);
      return true;
    }
  }
  return false;
}

/**
 * One 8-byte record {u64 seq} per call by `tgid`, through bpf_ringbuf_reserve; odd seqs are
 * discarded (bpf_ringbuf_discard), even ones submitted: exercises the DISCARD bit for real.
 */
export function tgidReserveDiscard(ringFd: number, seqFd: number, tgid: number): Buffer {
  const p = prog(
    insn(0x85, 0, 0, 0, HELPER.getCurrentPidTgid), // 0
    insn(0x77, 0, 0, 0, 32), // 1: r0 >>= 32
    insn(0x55, 0, 0, 25, tgid), // 2: if r0 != tgid goto 28
    insn(0x62, 10, 0, -4, 0), // 3: *(u32 *)(r10 - 4) = 0
    insn(0xbf, 2, 10, 0, 0), // 4: r2 = r10
    insn(0x07, 2, 0, 0, -4), // 5: r2 += -4
    ldMapFd(1, seqFd), // 6-7
    insn(0x85, 0, 0, 0, HELPER.mapLookupElem), // 8
    insn(0x15, 0, 0, 18, 0), // 9: if r0 == 0 goto 28
    insn(0xb7, 1, 0, 0, 1), // 10: r1 = 1
    insn(0xdb, 0, 1, 0, 0x01), // 11: r1 = atomic_fetch_add((u64 *)(r0 + 0), r1)
    insn(0xbf, 6, 1, 0, 0), // 12: r6 = r1
    ldMapFd(1, ringFd), // 13-14
    insn(0xb7, 2, 0, 0, 8), // 15: r2 = 8
    insn(0xb7, 3, 0, 0, 0), // 16: r3 = 0
    insn(0x85, 0, 0, 0, HELPER.ringbufReserve), // 17
    insn(0x15, 0, 0, 9, 0), // 18: if r0 == 0 goto 28
    insn(0x7b, 0, 6, 0, 0), // 19: *(u64 *)(r0 + 0) = r6
    insn(0xbf, 1, 0, 0, 0), // 20: r1 = r0
    insn(0xb7, 2, 0, 0, 0), // 21: r2 = 0
    insn(0x57, 6, 0, 0, 1), // 22: r6 &= 1
    insn(0x55, 6, 0, 2, 0), // 23: if r6 != 0 goto 26
    insn(0x85, 0, 0, 0, HELPER.ringbufSubmit), // 24
    insn(0x05, 0, 0, 1, 0), // 25: goto 27
    insn(0x85, 0, 0, 0, HELPER.ringbufDiscard), // 26
    insn(0x05, 0, 0, 0, 0), // 27: goto 28 (a no-op, keeps the numbering readable)
    insn(0xb7, 0, 0, 0, 0), // 28: r0 = 0
    insn(0x95, 0, 0, 0, 0), // 29: exit
  );
  assert.equal(p.length / 8, 30);
  return p;
}

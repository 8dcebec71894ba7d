// CPU sets from sysfs and the per-CPU value layout the kernel uses for PERCPU maps.

import * as fs from 'node:fs';

/** Parse a kernel CPU list ("0-3,5,7-8") into CPU numbers. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`bad CPU list "${text.trim()}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  return cpus;
}

let possible: number[] | undefined;

/** CPUs the kernel may ever bring up (/sys/devices/system/cpu/possible); cached. */
export function possibleCpus(): readonly number[] {
  possible ??= parseCpuList(fs.readFileSync('/sys/devices/system/cpu/possible', 'latin1'));
  return possible;
}

/** CPUs online now (one perf event per online CPU for sampling). */
export function onlineCpus(): number[] {
  return parseCpuList(fs.readFileSync('/sys/devices/system/cpu/online', 'latin1'));
}

/** How many value slots a per-CPU map lookup returns: the weight of the possible mask (as libbpf). */
export function numPossibleCpus(): number {
  return possibleCpus().length;
}

export function roundUp8(n: number): number {
  return (n + 7) & ~7;
}

/** Bytes of a per-CPU map value buffer: one 8-byte-aligned slot per possible CPU. */
export function percpuValueSize(valueSize: number, nCpus: number = numPossibleCpus()): number {
  return nCpus * roundUp8(valueSize);
}

/** The slot of CPU index `i` (position in the possible list, not the CPU number) in a per-CPU buffer. */
export function percpuSlot(buf: Buffer, i: number, valueSize: number): Buffer {
  const stride = roundUp8(valueSize);
  return buf.subarray(i * stride, i * stride + valueSize);
}

/** Sum of a u64 counter across all slots of a per-CPU buffer. */
export function percpuSumU64(buf: Buffer, valueSize = 8): bigint {
  const stride = roundUp8(valueSize);
  let sum = 0n;
  for (let off = 0; off + 8 <= buf.length; off += stride) sum += buf.readBigUInt64LE(off);
  return sum;
}

// Instructions being assembled, kept compact: each slot encoded into a growing byte buffer as it
// is emitted (8 bytes, the kernel's layout), its source span and symbolic target alongside. A
// program of thousands of instructions is then a few arrays, not two objects per instruction:
// pruning and linking walk bytes that sit together in memory, and there is little for the
// garbage collector to trace (`syscall.*` generates ~190,000 instructions).

import { INSN_SIZE } from './insn.js';
import type { LabelTarget } from './link.js';

export class SlotBuffer<S> {
  private bytes = new Uint8Array(64 * INSN_SIZE);
  private view = new DataView(this.bytes.buffer);
  private count = 0;
  /** The source span of each slot. */
  readonly spans: (S | null)[] = [];
  /** Slots whose offset or immediate is a label, resolved at link time. */
  readonly targets = new Map<number, LabelTarget>();

  get length(): number {
    return this.count;
  }

  push(code: number, dst: number, src: number, off: number, imm: number, span: S | null, target: LabelTarget | null = null): void {
    if ((this.count + 1) * INSN_SIZE > this.bytes.length) this.grow();
    const at = this.count * INSN_SIZE;
    this.bytes[at] = code;
    this.bytes[at + 1] = ((src & 0x0f) << 4) | (dst & 0x0f);
    this.view.setInt16(at + 2, off, true);
    this.view.setInt32(at + 4, imm, true);
    this.spans.push(span);
    if (target) this.targets.set(this.count, target);
    this.count++;
  }

  /** Slot `i`'s opcode byte. */
  code(i: number): number {
    return this.bytes[i * INSN_SIZE]!;
  }

  setTarget(i: number, target: LabelTarget): void {
    this.targets.set(i, target);
  }

  /** Appends slot `i` of `from` (bytes, span and target). */
  copySlot(from: SlotBuffer<S>, i: number): void {
    if ((this.count + 1) * INSN_SIZE > this.bytes.length) this.grow();
    this.bytes.set(from.bytes.subarray(i * INSN_SIZE, (i + 1) * INSN_SIZE), this.count * INSN_SIZE);
    this.spans.push(from.spans[i]!);
    const t = from.targets.get(i);
    if (t) this.targets.set(this.count, t);
    this.count++;
  }

  /** Appends every slot of `other`. */
  appendAll(other: SlotBuffer<S>): void {
    while ((this.count + other.count) * INSN_SIZE > this.bytes.length) this.grow();
    this.bytes.set(other.bytes.subarray(0, other.count * INSN_SIZE), this.count * INSN_SIZE);
    for (const s of other.spans) this.spans.push(s);
    for (const [i, t] of other.targets) this.targets.set(i + this.count, t);
    this.count += other.count;
  }

  /** The encoded slots, copied (the caller patches label offsets into them). */
  encoded(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.count * INSN_SIZE));
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2);
    bigger.set(this.bytes);
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }
}

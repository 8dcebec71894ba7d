// The record print_ubacktrace() sends (bpf/codegen/gen.ts): the user stack travels whole in the
// record, twice: as addresses (bpf_get_stack with BPF_F_USER_STACK) and as build ID + file offset
// per frame (BPF_F_USER_BUILD_ID). The second names the mapped file in the kernel, at the probe,
// so user space can symbolize the frames of a process that has exited before it reads the record
// (runtime/meta/ustack.ts).
//
//   0  u32 format id, u32 0 (the common header, wire/records.ts)
//   8  pid (tgid)
//  16  bpf_ktime_get_ns() at the probe
//  24  I: bytes of addresses (8 per frame)
//  32  B: bytes of build-ID frames (32 per frame)
//  40  the addresses (u64), I bytes
//  40+I  the build-ID frames, B bytes: struct bpf_stack_build_id { s32 status; u8 build_id[20]; u64 offset_or_ip; }

import type { RecordField } from '../bpf/spec.js';

/** stap's MAXBACKTRACE (bpf/codegen/layout.ts has the same). */
export const USTACK_FRAMES = 20;
export const USTACK_PID = 8;
export const USTACK_TIME = 16;
export const USTACK_IPS_LEN = 24;
export const USTACK_IDS_LEN = 32;
export const USTACK_IPS = 40;
/** sizeof(struct bpf_stack_build_id). */
export const BUILD_ID_FRAME = 32;
/** The largest record. */
export const USTACK_MAX = USTACK_IPS + (8 + BUILD_ID_FRAME) * USTACK_FRAMES;
/** bpf_get_stack flags. */
export const BPF_F_USER_STACK = 1 << 8;
export const BPF_F_USER_BUILD_ID = 1 << 11;

/** The fixed part as fields of the format registry (the frames follow). */
export const USTACK_FIELDS: RecordField[] = [{ type: 'long' }, { type: 'long' }, { type: 'long' }, { type: 'long' }];

/** BPF_STACK_BUILD_ID_VALID, _IP (the kernel could not find the file: only the address). */
const BUILD_ID_VALID = 1;

export interface UserFrame {
  readonly ip: bigint;
  /** 40 hex digits (a shorter build ID is zero-padded, as the kernel stores it); with `fileOffset`. */
  readonly buildId: string | undefined;
  readonly fileOffset: number | undefined;
}

export interface UserStackRecord {
  readonly pid: number;
  /** CLOCK_MONOTONIC nanoseconds at the probe. */
  readonly time: bigint;
  readonly frames: UserFrame[];
}

/** Decodes a print_ubacktrace() record starting at `base` of `view`. */
export function decodeUserStack(view: DataView, base: number): UserStackRecord {
  const ipsLen = Number(view.getBigInt64(base + USTACK_IPS_LEN, true));
  const idsLen = Number(view.getBigInt64(base + USTACK_IDS_LEN, true));
  const n = Math.max(0, Math.min(USTACK_FRAMES, Math.floor(ipsLen / 8)));
  const ids = Math.max(0, Math.min(USTACK_FRAMES, Math.floor(idsLen / BUILD_ID_FRAME)));
  const frames: UserFrame[] = [];
  for (let i = 0; i < n; i++) {
    const ip = view.getBigUint64(base + USTACK_IPS + 8 * i, true);
    if (ip === 0n) break;
    let buildId: string | undefined;
    let fileOffset: number | undefined;
    // Both walks follow the same frame pointers from the same registers: frame i is frame i.
    if (i < ids) {
      const at = base + USTACK_IPS + 8 * n + BUILD_ID_FRAME * i;
      const off = view.getBigUint64(at + 24, true);
      // A bogus frame below a mapping gets that mapping's build ID and a "negative" offset.
      if (view.getInt32(at, true) === BUILD_ID_VALID && off < 1n << 48n) {
        buildId = Buffer.from(view.buffer, view.byteOffset + at + 4, 20).toString('hex');
        fileOffset = Number(off);
      }
    }
    frames.push({ ip, buildId, fileOffset });
  }
  return {
    pid: Number(view.getBigInt64(base + USTACK_PID, true)),
    time: view.getBigUint64(base + USTACK_TIME, true),
    frames,
  };
}

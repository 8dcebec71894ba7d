// Device numbers: MAJOR, MINOR, MKDEV, usrdev2kerndev (linux/dev.stp, the kernel's kdev_t.h with 20 minor bits).

import type { Intrinsic } from './types.js';
import { intrinsic } from './define.js';

const MINORBITS = 20n;
const MINORMASK = (1n << MINORBITS) - 1n;

function mkdev(major: bigint, minor: bigint): bigint {
  return (major << MINORBITS) | minor;
}

export const DEVNUM_INTRINSICS: readonly Intrinsic[] = [
  // MAJOR shifts the int64 arithmetically, then casts to unsigned int.
  intrinsic('MAJOR', ['dev:long'], 'long', (_ctx, dev) => BigInt.asUintN(32, dev >> MINORBITS)),
  intrinsic('MINOR', ['dev:long'], 'long', (_ctx, dev) => dev & MINORMASK),
  intrinsic('MKDEV', ['major:long', 'minor:long'], 'long', (_ctx, major, minor) => mkdev(major, minor)),
  // new_decode_dev() of the user-space (glibc) encoding, on the value truncated to u32.
  intrinsic('usrdev2kerndev', ['dev:long'], 'long', (_ctx, v) => {
    const dev = BigInt.asUintN(32, v);
    const major = (dev & 0xfff00n) >> 8n;
    const minor = (dev & 0xffn) | ((dev >> 12n) & 0xfff00n);
    return mkdev(major, minor);
  }),
];

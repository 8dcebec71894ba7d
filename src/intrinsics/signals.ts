// Signal names and masks: signal_str, sigset_mask_str, sa_flags_str, sa_handler_str (linux/signal.stp).

import type { Intrinsic, IntrinsicContext } from './types.js';
import { pointer } from './cformat.js';
import { intrinsic, strlcat } from './define.js';

// stap's __sig[] table (x86-64 numbering, without the SIG prefix); index = signal number.
export const SIGNAL_NAMES: readonly string[] = [
  '', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE',
  'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ',
  'VTALRM', 'PROF', 'WINCH', 'IO/POLL', 'PWR', 'SYS', 'RTMIN',
  ...Array.from({ length: 32 }, (_, i) => `RTMIN+${i + 1}`),
];

const SA_FLAGS: readonly (readonly [bigint, string])[] = [
  [0x00000001n, 'NOCLDSTOP'], [0x00000002n, 'NOCLDWAIT'], [0x00000004n, 'SIGINFO'],
  [0x08000000n, 'ONSTACK'], [0x10000000n, 'RESTART'], [0x40000000n, 'NODEFER'],
  [0x80000000n, 'RESETHAND'], [0x04000000n, 'RESTORER'],
];

/** Builds "A|B|C" with strlcat into a MAXSTRINGLEN buffer, then drops the last char as stap does. */
function joinFlags(ctx: IntrinsicContext, parts: readonly string[]): string {
  let s = '';
  for (const p of parts) s = strlcat(ctx, s, p);
  return s.slice(0, -1);
}

export const SIGNAL_INTRINSICS: readonly Intrinsic[] = [
  // A missing array element reads as "", as for any stap global.
  intrinsic('signal_str', ['num:long'], 'string', (_ctx, num) =>
    num >= 0n && num < BigInt(SIGNAL_NAMES.length) ? SIGNAL_NAMES[Number(num)]! : ''),
  // Signals 1.._NSIG-1 (63): bit 63 of the mask is never looked at.
  intrinsic('sigset_mask_str', ['mask:long'], 'string', (ctx, mask) => {
    const parts: string[] = [];
    for (let i = 1n; i < 64n; i++) if ((mask >> (i - 1n)) & 1n) parts.push(`${i},`);
    return joinFlags(ctx, parts);
  }),
  intrinsic('sa_flags_str', ['sa_flags:long'], 'string', (ctx, flags) =>
    joinFlags(ctx, SA_FLAGS.filter(([bit]) => (flags & bit) !== 0n).map(([, name]) => `${name}|`))),
  intrinsic('sa_handler_str', ['handler:long'], 'string', (_ctx, handler) => {
    if (handler === 0n) return 'default';
    if (handler === 1n) return 'ignored';
    if (handler === -1n) return 'error';
    return pointer(handler);
  }),
];

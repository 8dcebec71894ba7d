// Name tables for kernel handlers, every name in a fixed-size slot of the constants map: errno_str's
// (indexed by errno, the interpreter's list in src/intrinsics/errno.ts), syscall_name's and
// signal_str's (the interpreter's list in src/intrinsics/signals.ts).

import { ERRNO_NAMES } from '../../intrinsics/errno.js';
import { SIGNAL_NAMES } from '../../intrinsics/signals.js';
import { SYSCALL_NAMES_X86_64 } from '../../runtime/meta/syscall-table.js';

/** Bytes per name (the longest, EPROTONOSUPPORT, is 15 plus its NUL). */
export const ERRNO_SLOT = 16;
export const ERRNO_COUNT = ERRNO_NAMES.length;

/** The table as one string (the constants map adds a final NUL). */
export function errnoTable(): string {
  return ERRNO_NAMES.map((n) => n.padEnd(ERRNO_SLOT, '\0')).join('');
}

/** Bytes per syscall name (the longest is 23 plus its NUL). */
export const SYSCALL_NAME_SLOT = 32;
export const SYSCALL_NAME_COUNT = SYSCALL_NAMES_X86_64.length;

export function syscallNameTable(): string {
  return SYSCALL_NAMES_X86_64.map((n) => n.padEnd(SYSCALL_NAME_SLOT, '\0')).join('');
}

/** Bytes per signal name (the longest, RTMIN+32, is 8 plus its NUL). */
export const SIGNAL_SLOT = 16;
export const SIGNAL_COUNT = SIGNAL_NAMES.length;

export function signalTable(): string {
  return SIGNAL_NAMES.map((n) => n.padEnd(SIGNAL_SLOT, '\0')).join('');
}

// errno_str's table for kernel handlers: every name in a fixed-size slot of the constants map,
// indexed by errno (the same list as the interpreter's, src/intrinsics/errno.ts).

import { ERRNO_NAMES } from '../../intrinsics/errno.js';

/** Bytes per name (the longest, EPROTONOSUPPORT, is 15 plus its NUL). */
export const ERRNO_SLOT = 16;
export const ERRNO_COUNT = ERRNO_NAMES.length;

/** The table as one string (the constants map adds a final NUL). */
export function errnoTable(): string {
  return ERRNO_NAMES.map((n) => n.padEnd(ERRNO_SLOT, '\0')).join('');
}

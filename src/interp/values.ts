// Run-time values of the interpreter: SystemTap longs are bigints kept in int64 range,
// strings are latin1 byte strings bounded by MAXSTRINGLEN.

import type { Token } from '../parse/token.js';

export type Value = bigint | string;

export const int64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/** A run-time error: stap prints "ERROR: <message> near <token>" and counts it against MAXERRORS. */
export class StapError extends Error {
  constructor(message: string, readonly tok: Token | null, readonly kind: 'error' | 'maxaction' | 'exit-hard' = 'error') {
    super(message);
  }
}

/** Non-error control transfers inside a handler. */
export class NextSignal {}
export const NEXT = new NextSignal();

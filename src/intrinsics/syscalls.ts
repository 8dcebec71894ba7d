// syscall_name(nr): the name of an x86_64 system call number (the syscall_any probes' `name`).

import type { Intrinsic } from './types.js';
import { intrinsic } from './define.js';
import { SYSCALL_NAMES_X86_64 } from '../runtime/meta/syscall-table.js';

export const SYSCALL_INTRINSICS: readonly Intrinsic[] = [
  // Numbers the table does not know read "".
  intrinsic('syscall_name', ['num:long'], 'string', (_ctx, num) => (num >= 0n && num < BigInt(SYSCALL_NAMES_X86_64.length) ? SYSCALL_NAMES_X86_64[Number(num)]! : '')),
];

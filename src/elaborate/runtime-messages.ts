// Run-time error texts both back ends (interpreter and eBPF) must word exactly as stap does.

import type { Var } from './model.js';

export function arrayOverflowMessage(v: Var): string {
  return `Array overflow, check ${v.maxSize > 0 ? `size limit (${v.maxSize})` : 'MAXMAPENTRIES'}`;
}

// Session facts stap's runtime knows without a task: stp_pid, target, module_name, remote_id, remote_uri.

import type { Intrinsic } from './types.js';
import { intrinsic } from './define.js';

export const SESSION_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('stp_pid', [], 'long', (ctx) => BigInt(ctx.session.stpPid)),
  intrinsic('target', [], 'long', (ctx) => BigInt(ctx.session.target)),
  intrinsic('module_name', [], 'string', (ctx) => ctx.session.moduleName),
  intrinsic('remote_id', [], 'long', (ctx) => BigInt(ctx.session.remoteId)),
  intrinsic('remote_uri', [], 'string', (ctx) => ctx.session.remoteUri),
];

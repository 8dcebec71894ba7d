// Built-ins a kernel handler may print without computing them: their arguments go into the
// print record and user space applies the function when it formats the line (the same
// implementation the interpreter uses). They are pure functions of their arguments and of
// the wall clock or time zone, so computing them a moment later gives what stap prints. One
// that fails (ctime of a date out of range) is reported as the print's run-time error; inside
// `try` nothing is deferred, since the catch block could no longer see the error.

import type * as A from '../../parse/ast.js';
import type { Program } from '../../elaborate/model.js';
import { USER_SYMBOL_FUNCTIONS } from '../../format/usyms.js';

const DEFERRABLE = new Set([
  'ctime', 'tz_ctime', 'tz_gmtoff', 'tz_name', 'signal_str', 'sigset_mask_str', 'sa_flags_str', 'sa_handler_str',
  'text_str', 'text_strn', 'str_replace', 'strtol', 'nsecs_to_string', 'usecs_to_string', 'msecs_to_string',
  'cputime_to_string', 'cputime_to_msecs', 'cputime_to_usecs', 'bytes_to_string', 'pages_to_string',
  'format_ipaddr', 'ip_ntop', 'stringat', 'strpos', 'isdigit', 'usrdev2kerndev', 'MAJOR', 'MINOR', 'MKDEV',
  // Escape sequences for terminals: statements lowered to printf("%s", ansi_*(...)).
  'ansi_clear_screen', 'ansi_cursor_hide', 'ansi_cursor_show', 'ansi_cursor_move', 'ansi_cursor_restore', 'ansi_cursor_save',
  'ansi_new_line', 'ansi_reset_color', 'ansi_set_color', 'ansi_set_color2', 'ansi_set_color3',
  // warn(msg): a WARNING line on stderr (deduplicated, silenced by -w, as the interpreter's).
  'warn',
  // usymname(addr) and kin name user addresses in the probed process: the record also carries
  // the probe's user stack (gen.ts print(), printf `ucontext`), so that the addresses of that
  // stack are named by build ID even after the process exited (runtime/meta/ustack.ts).
  ...USER_SYMBOL_FUNCTIONS,
]);

/** Whether print argument `e` is a call user space makes at formatting time. */
export function isDeferred(e: A.Expr, prog: Program): boolean {
  if (e.kind !== 'functioncall' || !DEFERRABLE.has(e.name)) return false;
  const f = prog.bindings.calls.get(e);
  return !!f && f.intrinsic;
}

// Terminal control: the ansi_* functions of tapset/ansi.stp, which print escape sequences.

import type { Intrinsic, IntrinsicContext } from './types.js';
import { dec } from './cformat.js';
import { intrinsic } from './define.js';

const ESC = '\x1b[';

// Background comes first in the sequence; a zero attr prints no third field.
function setColor(ctx: IntrinsicContext, fg: bigint, bg: bigint, attr: bigint): void {
  ctx.print(`${ESC}${dec(bg)};${dec(fg)}${attr !== 0n ? `;${dec(attr)}m` : 'm'}`);
}

function fixed(name: string, seq: string): Intrinsic {
  return intrinsic(name, [], 'unknown', (ctx) => ctx.print(seq));
}

export const ANSI_INTRINSICS: readonly Intrinsic[] = [
  fixed('ansi_clear_screen', `${ESC}1;1H${ESC}J`),
  fixed('ansi_new_line', '\n'),
  fixed('ansi_cursor_hide', `${ESC}>5I`),
  fixed('ansi_cursor_save', `${ESC}s`),
  fixed('ansi_cursor_restore', `${ESC}u`),
  fixed('ansi_cursor_show', `${ESC}>5h`),
  intrinsic('ansi_reset_color', [], 'unknown', (ctx) => setColor(ctx, 0n, 0n, 0n)),
  intrinsic('ansi_set_color', ['fg:long'], 'unknown', (ctx, fg) => ctx.print(`${ESC}${dec(fg)}m`)),
  intrinsic('ansi_set_color', ['fg:long', 'bg:long'], 'unknown', (ctx, fg, bg) => ctx.print(`${ESC}${dec(bg)};${dec(fg)}m`)),
  intrinsic('ansi_set_color', ['fg:long', 'bg:long', 'attr:long'], 'unknown', (ctx, fg, bg, attr) => setColor(ctx, fg, bg, attr)),
  intrinsic('ansi_set_color2', ['fg:long', 'bg:long'], 'unknown', (ctx, fg, bg) => ctx.print(`${ESC}${dec(bg)};${dec(fg)}m`)),
  intrinsic('ansi_set_color3', ['fg:long', 'bg:long', 'attr:long'], 'unknown', (ctx, fg, bg, attr) => setColor(ctx, fg, bg, attr)),
  intrinsic('ansi_cursor_move', ['x:long', 'y:long'], 'unknown', (ctx, x, y) => ctx.print(`${ESC}${dec(y)};${dec(x)}H`)),
];

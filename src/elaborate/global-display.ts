// stap's end-of-run display of globals the script writes but never reads: a synthesized
// `probe end` per such global (add_global_var_display), printing scalars, strings, arrays
// (sorted by value, descending) and statistics in stap's format.

import type { Var } from './model.js';

/** The source of the end probe that prints `v`, exactly as stap synthesizes it. */
export function globalDisplaySource(v: Var): string {
  let code = 'probe end {\n';
  let format = v.name;
  let indexes = '';
  let foreachValue = '';
  if (v.indexTypes.length > 0) {
    format += '[';
    v.indexTypes.forEach((t, i) => {
      if (i > 0) {
        indexes += ',';
        format += ',';
      }
      indexes += `__idx${i}`;
      format += t === 'string' ? '\\"%#s\\"' : '%#d';
    });
    format += ']';
    code += 'foreach (';
    if (v.type !== 'stats') {
      foreachValue = '__val';
      code += `${foreachValue} = `;
    }
    code += `[${indexes}] in ${v.name}-)\n`;
  } else if (v.type === 'stats') {
    code += `if (@count(${v.name}) == 0)\n`;
    code += `printf("${v.name} @count=0x0\\n")\n`;
    code += 'else\n';
  }
  const stats = ['@count', '@min', '@max', '@sum', '@avg'];
  if (v.type === 'stats') for (const s of stats) format += ` ${s}=%#d`;
  else if (v.type === 'string') format += '=\\"%#s\\"';
  else format += '=%d';
  format += '\\n';
  code += `printf ("${format}"`;
  let value = foreachValue || v.name;
  if (v.indexTypes.length > 0) {
    code += `,${indexes}`;
    if (!foreachValue) value += `[${indexes}]`;
  }
  if (v.type === 'stats') for (const s of stats) code += `,${s}(${value})`;
  else code += `,${value}`;
  code += ')\n}\n';
  return code;
}

// The -p2 listing, as stap prints it: globals with types, functions with signatures and
// locals (sorted by name), derived probes with their locals.

import type { Program, Var } from './model.js';

function varSig(v: Var): string {
  let o = v.name;
  if (v.wrap) o += '%';
  if (v.maxSize > 0) o += `[${v.maxSize}]`;
  o += ':' + v.type;
  if (v.indexTypes.length > 0) o += ` [${v.indexTypes.join(', ')}]`;
  return o;
}

export function printProgram(p: Program): string {
  let o = '';
  if (p.globals.length) o += '# globals\n';
  for (const g of p.globals) o += varSig(g) + '\n';
  const fns = [...p.functions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.params.length - b.params.length));
  if (fns.length) o += '# functions\n';
  for (const f of fns) {
    o += `${f.name}:${f.type} (${f.params.map((x) => `${x.name}:${x.type}`).join(', ')})\n`;
    if (f.locals.length) o += '  # locals\n' + f.locals.map((v) => `  ${varSig(v)}\n`).join('');
  }
  if (p.probes.length) o += '# probes\n';
  for (const pr of p.probes) {
    o += `${pr.site.point} /* <- ${pr.userPoint} */\n`;
    if (pr.locals.length) o += '  # locals\n' + pr.locals.map((v) => `  ${varSig(v)}\n`).join('');
  }
  return o;
}

// The pass-1 printer: the parse tree as text, in exactly the form `stap -p1` prints it
// (staptree.cxx print methods), so tstap's and stap's trees can be diffed.

import * as A from './ast.js';
import { quoteString } from './lexer.js';

export function printExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'literal_number': return e.value.toString();
    case 'literal_string': return '"' + e.value.replace(/"/g, '\\"') + '"';
    case 'embedded_expr': return `%{ ${e.code} %}`;
    case 'binary':
    case 'logical':
    case 'comparison':
    case 'concat':
    case 'assignment':
      return `(${printExpr(e.left)}) ${e.op} (${printExpr(e.right)})`;
    case 'regex_query': return `(${printExpr(e.left)}) ${e.op} ${printExpr(e.right)}`;
    case 'unary':
    case 'pre_crement':
      return `${e.op}(${printExpr(e.operand)})`;
    case 'post_crement': return `(${printExpr(e.operand)})${e.op}`;
    case 'ternary': return `(${printExpr(e.cond)})?(${printExpr(e.truevalue)}):(${printExpr(e.falsevalue)})`;
    case 'symbol': return e.name;
    case 'array_in': return `[${printIndexes(e.operand.indexes)}] in ${printExpr(e.operand.base)}`;
    case 'arrayindex': return `${printExpr(e.base)}[${printIndexes(e.indexes)}]`;
    case 'functioncall': return `${e.name}(${e.args.map(printExpr).join(', ')})`;
    case 'print_format': {
      let s = e.name + '(';
      if (e.withFormat) s += quoteString(e.format ?? '');
      if (e.withDelim) s += quoteString(e.delimiter ?? '');
      if (e.hist) s += printExpr(e.hist);
      e.args.forEach((a, i) => {
        if (i > 0 || e.withFormat || e.withDelim) s += ', ';
        s += printExpr(a);
      });
      return s + ')';
    }
    case 'stat_op': {
      let s = `@${e.ctype}(${printExpr(e.stat)}`;
      if (e.ctype === 'variance' && e.params.length === 1) s += `, ${e.params[0]}`;
      return s + ')';
    }
    case 'hist_op':
      return e.htype === 'linear'
        ? `@hist_linear(${printExpr(e.stat)}${e.params.map((p) => `, ${p}`).join('')})`
        : `@hist_log(${printExpr(e.stat)})`;
    case 'target_symbol': return (e.addressof ? '&' : '') + e.name + printComponents(e.components);
    case 'cast_op': {
      let s = `${e.addressof ? '&' : ''}@cast(${printExpr(e.operand)}, ${quoteString(e.typeName)}`;
      if (e.module.length > 0) s += `, ${quoteString(e.module)}`;
      return s + ')' + printComponents(e.components);
    }
    case 'atvar_op': {
      let s = `${e.addressof ? '&' : ''}@var("${e.targetName}"`;
      if (e.module.length > 0) s += `, ${quoteString(e.module)}`;
      return s + ')' + printComponents(e.components);
    }
    case 'autocast_op': return `${e.addressof ? '&' : ''}(${printExpr(e.operand)})${printComponents(e.components)}`;
    case 'defined_op': return `@defined(${printExpr(e.operand)})`;
    case 'entry_op': return `@entry(${printExpr(e.operand)})`;
    case 'perf_op': return `@perf(${printExpr(e.operand)})`;
    case 'probewrite_op': return `@probewrite(${e.name})`;
    case 'target_register': return `@${e.userspace ? 'u' : 'k'}register(${e.regno})`;
    case 'target_deref': return `@${e.userspace ? 'u' : 'k'}deref(${e.size}, ${printExpr(e.addr)})`;
    default: return A.assertNever(e);
  }
}

function printIndexes(indexes: (A.Expr | null)[]): string {
  return indexes.map((i) => (i ? printExpr(i) : '*')).join(', ');
}

function printComponents(cs: A.TargetComponent[]): string {
  return cs.map((c) => {
    switch (c.type) {
      case 'member':
      case 'pretty':
        return '->' + c.member;
      case 'literal_index': return `[${c.index}]`;
      case 'expr_index': return `[${printExpr(c.index)}]`;
    }
  }).join('');
}

const aggrNames: Partial<Record<A.StatKind, string>> = { count: ' @count', avg: ' @avg', min: ' @min', max: ' @max', sum: ' @sum' };

export function printStmt(s: A.Stmt): string {
  switch (s.kind) {
    case 'block': return '{\n' + s.statements.map((st) => printStmt(st) + ';\n').join('') + '}';
    case 'embeddedcode': return `%{${s.code}%}`;
    case 'try_block':
      return 'try {\n' + printStmt(s.tryBlock) + '\n} catch ' + (s.catchVar ? `(${s.catchVar.name}) ` : '') +
        '{\n' + printStmt(s.catchBlock) + '\n}\n';
    case 'for_loop':
      return `for (${s.init ? printStmt(s.init) : ''}; ${printExpr(s.cond)}; ${s.incr ? printStmt(s.incr) : ''}) ${printStmt(s.body)}`;
    case 'foreach_loop': {
      let o = 'foreach (';
      if (s.value) o += s.value.name + ' = ';
      o += '[' + s.indexes.map((ix, i) => ix.name + (s.sortDirection !== 0 && s.sortColumn === i + 1 ? (s.sortDirection > 0 ? '+' : '-') : '')).join(', ');
      o += '] in ' + printExpr(s.base);
      if (s.arraySlice.length) o += `[${printIndexes(s.arraySlice)}]`;
      if (s.sortDirection !== 0 && s.sortColumn === 0) {
        o += (s.sortAggr ? aggrNames[s.sortAggr] ?? '' : '') + (s.sortDirection > 0 ? '+' : '-');
      }
      if (s.limit) o += ' limit ' + printExpr(s.limit);
      return o + ') ' + printStmt(s.body);
    }
    case 'null_statement': return ';';
    case 'expr_statement': return printExpr(s.value);
    case 'return_statement': return s.value ? 'return ' + printExpr(s.value) : 'return';
    case 'delete_statement': return 'delete ' + printExpr(s.value);
    case 'next_statement': return 'next';
    case 'break_statement': return 'break';
    case 'continue_statement': return 'continue';
    case 'if_statement':
      return `if (${printExpr(s.cond)}) ${printStmt(s.thenStmt)}\n` + (s.elseStmt ? `else ${printStmt(s.elseStmt)}\n` : '');
    default: return A.assertNever(s);
  }
}

export function printProbePoint(pp: A.ProbePoint, extras = true): string {
  let o = pp.components.map((c) => c.functor + (c.arg ? `(${printExpr(c.arg)})` : '')).join('.');
  if (!extras) return o;
  if (pp.sufficient) o += '!';
  else if (pp.optional) o += '?';
  if (pp.condition) o += ` if (${printExpr(pp.condition)})`;
  return o;
}

function printVarDecl(v: A.VarDecl): string {
  let o = v.name;
  if (v.wrap) o += '%';
  if (v.maxSize > 0) o += `[${v.maxSize}]`;
  if (v.init) o += ' = ' + printExpr(v.init);
  return o;
}

export function probeSignature(p: A.Probe | A.ProbeAlias): string {
  if ('aliasNames' in p) {
    return p.aliasNames.map((a) => printProbePoint(a)).join(' = ') + (p.epilogue ? ' += ' : ' = ') +
      p.locations.map((l) => printProbePoint(l)).join(', ');
  }
  return p.locations.map((l) => printProbePoint(l)).join(',');
}

export function printFile(f: A.StapFile): string {
  let o = `# file ${f.name}\n`;
  for (const e of f.embeds) o += printStmt(e);
  for (const g of f.globals) o += `global ${printVarDecl(g)}\n`;
  for (const a of f.aliases) o += `probe ${probeSignature(a)}${printStmt(a.body)}\n`;
  for (const p of f.probes) o += `probe ${probeSignature(p)}${printStmt(p.body)}\n`;
  for (const fn of f.functions) o += `function ${fn.name} (${fn.params.map(printVarDecl).join(', ')})\n${printStmt(fn.body)}\n`;
  return o;
}

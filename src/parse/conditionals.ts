// Evaluation of preprocessor conditions `%( LEFT OP RIGHT %? ... %)`, as stap 4.8's
// eval_pp_conditional: kernel and stap versions, arch, runtime, privilege, CONFIG_ options,
// literal comparisons.

import { ParseError } from '../diag/errors.js';
import { fnmatch } from '../util/fnmatch.js';
import { strverscmp } from '../util/strverscmp.js';
import { lexCastInt64, parseCSignedStrict } from '../util/cnumber.js';
import type { ParseEnv } from './env.js';
import type { Token } from './token.js';

const E = (site: string, msg: string, tok: Token | null) => new ParseError(`cond:${site}`, msg, tok);

function compare<T extends bigint | string>(lhs: T, op: Token, rhs: T): boolean {
  if (op.type === 'operator') {
    switch (op.content) {
      case '<=': return lhs <= rhs;
      case '>=': return lhs >= rhs;
      case '<': return lhs < rhs;
      case '>': return lhs > rhs;
      case '==': return lhs === rhs;
      case '!=': return lhs !== rhs;
    }
  }
  throw E('compare', 'expected comparison operator', op);
}

function number(t: Token): bigint {
  const v = lexCastInt64(t.content);
  if (v === null) throw E('lexcast', 'bad lexical cast', t);
  return v;
}

/** Glob equality used by arch, runtime and CONFIG_ string tests. */
function globEquality(pattern: string, value: string, op: Token): boolean {
  const match = fnmatch(pattern, value);
  if (op.type === 'operator' && op.content === '==') return match;
  if (op.type === 'operator' && op.content === '!=') return !match;
  throw E('eq-or-ne', "expected '==' or '!='", op);
}

function kernelBase(release: string): string {
  const dash = release.indexOf('-');
  return dash < 0 ? release : release.slice(0, dash);
}

export function evalCondition(env: ParseEnv, l: Token, op: Token, r: Token): boolean {
  if (l.type === 'identifier' && (l.content === 'kernel_v' || l.content === 'kernel_vr' || l.content === 'systemtap_v')) {
    if (r.type !== 'string') throw E('version-string', 'expected string literal', r);
    const target = l.content === 'kernel_v' ? kernelBase(env.kernelRelease)
      : l.content === 'kernel_vr' ? env.kernelRelease : env.compatible;
    const ok: Record<string, [number, number, boolean]> = {
      '<=': [-1, 0, false], '>=': [1, 0, false], '<': [-1, -1, false], '>': [1, 1, false],
      '==': [0, 0, true], '!=': [-1, 1, true],
    };
    const want = op.type === 'operator' ? ok[op.content] : undefined;
    if (!want) throw E('version-op', 'expected comparison operator', op);
    const wildcard = /[*?[]/.test(r.content);
    if (!want[2] && wildcard) throw E('version-wildcard', 'wildcard not allowed with order comparison operators', op);
    if (wildcard) return fnmatch(r.content, target) === (op.content === '==');
    const c = strverscmp(target, r.content);
    return c === want[0] || c === want[1];
  }
  if (l.type === 'identifier' && l.content === 'systemtap_privilege') {
    if (r.type !== 'string') throw E('priv-string', 'expected string literal', r);
    const same = env.privilege === r.content;
    if (op.type === 'operator' && op.content === '==') return same;
    if (op.type === 'operator' && op.content === '!=') return !same;
    throw E('priv-op', "expected '==' or '!='", op);
  }
  if (l.type === 'identifier' && l.content === 'guru_mode') {
    if (r.type !== 'number') throw E('guru-number', 'expected number', r);
    const rhs = number(r);
    if (rhs !== 0n && rhs !== 1n) throw E('guru-01', 'expected 0 or 1', op);
    if (!(op.type === 'operator' && (op.content === '==' || op.content === '!='))) throw E('guru-op', "expected '==' or '!='", op);
    return compare(env.guru ? 1n : 0n, op, rhs);
  }
  if (l.type === 'identifier' && (l.content === 'arch' || l.content === 'runtime')) {
    if (r.type !== 'string') throw E(`${l.content}-string`, 'expected string literal', r);
    return globEquality(r.content, l.content === 'arch' ? env.arch : env.runtime, op);
  }
  if (l.type === 'identifier' && l.content.startsWith('CONFIG_')) {
    const config = env.kernelConfig();
    const lhs = config.get(l.content) ?? '';
    if (r.type === 'string') return globEquality(r.content, lhs, op);
    if (r.type === 'number') {
      const lv = parseCSignedStrict(lhs);
      if (lv === null) throw E('config-nan', 'Config option value not a number', l);
      return compare(lv, op, number(r));
    }
    if (r.type === 'identifier' && r.content.startsWith('CONFIG_')) {
      const rhs = config.get(r.content) ?? '';
      const lv = parseCSignedStrict(lhs);
      const rv = lv === null ? null : parseCSignedStrict(rhs);
      if (lv !== null && rv !== null) return compare(lv, op, rv);
      return compare(lhs, op, rhs);
    }
    throw E('config-rhs', 'expected string, number literal or other CONFIG_... as right side operand', r);
  }
  if (l.type === 'string' && r.type === 'string') return compare(l.content, op, r.content);
  if (l.type === 'number' && r.type === 'number') return compare(number(l), op, number(r));
  if (l.type === 'string' && r.type === 'number' && op.type === 'operator') throw E('str-num', 'expected string literal as right value', r);
  if (l.type === 'number' && r.type === 'string' && op.type === 'operator') throw E('num-str', 'expected number literal as right value', r);
  throw E('lhs',
    "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n" +
    "             'runtime', 'systemtap_privilege', 'CONFIG_...', or\n" +
    '             comparison between strings or integers', l);
}

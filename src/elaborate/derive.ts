// Probe point resolution: expanding aliases (prologue `=`, epilogue `+=`, suffixes, nested
// aliases, wildcards) down to concrete probe families, giving one derived probe per site.

import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';
import { printExpr, printProbePoint } from '../parse/printer.js';
import { fnmatch } from '../util/fnmatch.js';
import { cloneAst } from './clone.js';
import { suggest } from './suggest.js';
import { namedProcess } from './named-process.js';
import type { ProbeSite } from './model.js';
import { familyHeads, PROBE_FAMILIES, type ProbeFamily } from './probe-families.js';

export interface Derivation {
  site: ProbeSite;
  family: ProbeFamily;
  body: A.Block;
  condition: A.Expr | null;
  /** Token of the user's probe point, for messages. */
  tok: A.ProbePointComponent['tok'];
  userPoint: string;
  /** The outermost alias this came through, as `-l` lists it (`syscall.openat`); null if none. */
  aliasPoint: string | null;
}

const MAX_ALIAS_DEPTH = 50;

export class ProbeDeriver {
  /** `aliasesFor(pp)`: the aliases that might match `pp` (the library parses files on demand). */
  constructor(
    private readonly aliasesFor: (pp: A.ProbePoint) => A.ProbeAlias[],
    /** Every alias name as functors (for the mismatch error's position and suggestions). */
    private readonly aliasNames: () => string[][] = () => [],
  ) {}

  /** All derivations of one user probe; errors for points that match nothing (unless `?`). */
  derive(probe: A.Probe): Derivation[] {
    const out: Derivation[] = [];
    for (const loc of probe.locations) {
      try {
        this.resolve(loc, probe.body, loc.condition, 0, out, printProbePoint(loc, false), null);
      } catch (e) {
        if (!(e instanceof SemanticError) || !loc.optional) throw e;
      }
      if (loc.sufficient && out.length > 0) break;
    }
    return out;
  }

  private resolve(pp: A.ProbePoint, body: A.Block, condition: A.Expr | null, depth: number, out: Derivation[], userPoint: string,
    aliasPoint: string | null): void {
    if (depth > MAX_ALIAS_DEPTH) throw new SemanticError('derive:recursion', 'recursive loop in alias expansion', pp.components[0]!.tok);
    const named = namedProcess(pp);
    if (named) {
      const guarded: A.Block = { kind: 'block', tok: body.tok, statements: [named.guard, body] };
      const listed = aliasPoint ?? printProbePoint(pp, false);
      for (const p of named.points) this.resolve(p, guarded, condition, depth + 1, out, userPoint, listed);
      return;
    }
    const matches = this.matchAliases(pp);
    for (const { alias, name, suffix } of matches) {
      const merged = mergeBodies(alias, body);
      const listed = aliasPoint ?? printProbePoint({ ...pp, components: [...name.components, ...suffix] }, false);
      for (const loc of alias.locations) {
        const extended: A.ProbePoint = { ...loc, components: [...loc.components, ...suffix] };
        const cond = combineConditions(condition, loc.condition);
        try {
          this.resolve(extended, merged, cond, depth + 1, out, userPoint, listed);
        } catch (e) {
          if (!(e instanceof SemanticError) || !loc.optional) throw e;
        }
        if (loc.sufficient && out.length > 0) break;
      }
    }
    // Wildcards name aliases and built-in points alike (`*`: begin, end, ..., syscall_any, ...);
    // of the built-in families, those whose components take no argument (`timer.*`: timer.profile).
    const points = pp.components.some((c) => /[*?[]/.test(c.functor)) ? expandFamilies(pp) : [];
    if (matches.length > 0 && points.length === 0) return;
    for (const p of points.length ? points : [pp]) {
      const fam = matchFamily(p, this.aliasNames);
      out.push({ site: fam.site, family: fam.family, body: cloneAst(body), condition, tok: pp.components[0]!.tok, userPoint, aliasPoint });
    }
  }

  private matchAliases(pp: A.ProbePoint): { alias: A.ProbeAlias; name: A.ProbePoint; suffix: A.ProbePointComponent[] }[] {
    const found: { alias: A.ProbeAlias; name: A.ProbePoint; suffix: A.ProbePointComponent[] }[] = [];
    for (const alias of this.aliasesFor(pp)) {
      for (const name of alias.aliasNames) {
        const n = name.components.length;
        if (pp.components.length < n) continue;
        let ok = true;
        for (let i = 0; i < n && ok; i++) {
          const want = name.components[i]!;
          const have = pp.components[i]!;
          ok = fnmatch(have.functor, want.functor) && sameArg(have.arg, want.arg);
        }
        if (ok) found.push({ alias, name, suffix: pp.components.slice(n) });
      }
    }
    // An alias naming more of the point wins over a shorter one applied with a suffix
    // (`syscall.openat.return` is its own alias, not `syscall.openat` + `.return`).
    const shortest = Math.min(...found.map((f) => f.suffix.length));
    return found.filter((f) => f.suffix.length === shortest);
  }
}

function sameArg(a: A.Literal | null, b: A.Literal | null): boolean {
  if (!a || !b) return a === b;
  return a.kind === b.kind && a.value === b.value;
}

function mergeBodies(alias: A.ProbeAlias, user: A.Block): A.Block {
  const a = cloneAst(alias.body);
  const statements = alias.epilogue ? [user, a] : [a, user];
  if (alias.body2) statements.push(cloneAst(alias.body2));
  return { kind: 'block', tok: alias.body.tok, statements };
}

function combineConditions(a: A.Expr | null, b: A.Expr | null): A.Expr | null {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'logical', tok: a.tok, op: '&&', left: a, right: b };
}

/**
 * The concrete points of the available built-in families that a point with wildcards in its
 * names matches, in family order; a component whose family needs an argument matches only a
 * component that has one (`timer.*` is timer.profile; a wildcard stands for one component).
 */
function expandFamilies(pp: A.ProbePoint): A.ProbePoint[] {
  const out = new Map<string, A.ProbePoint>();
  for (const fam of PROBE_FAMILIES) {
    if (fam.unsupported) continue;
    const comps: A.ProbePointComponent[] = [];
    let i = 0;
    let ok = true;
    for (const pat of fam.components) {
      const c = pp.components[i];
      const argOk = c && (pat.arg === 'none' ? !c.arg : pat.arg === 'optional-number' ? !c.arg || c.arg.kind === 'literal_number'
        : pat.arg === 'number' ? c.arg?.kind === 'literal_number' : c.arg?.kind === 'literal_string');
      if (!c || pat.name === '*' || !fnmatch(c.functor, pat.name) || !argOk) {
        if (pat.optional) continue;
        ok = false;
        break;
      }
      comps.push({ ...c, functor: pat.name });
      i++;
    }
    if (ok && i === pp.components.length) {
      const p: A.ProbePoint = { ...pp, components: comps };
      out.set(printProbePoint(p, false), p);
    }
  }
  return [...out.values()];
}

/** Finds the family a concrete (alias-free) probe point belongs to. */
function matchFamily(pp: A.ProbePoint, aliasNames: () => string[][]): { family: ProbeFamily; site: ProbeSite } {
  const comps = pp.components;
  let bestDepth = 0;
  let bestCandidates: string[] = familyHeads();
  for (const fam of PROBE_FAMILIES) {
    const params: Record<string, bigint | string> = {};
    let i = 0;
    let ok = true;
    let depth = 0;
    for (const pat of fam.components) {
      const c = comps[i];
      if (!c || !(pat.name === '*' || c.functor === pat.name)) {
        if (pat.optional) continue;
        ok = false;
        break;
      }
      const arg = c.arg;
      if (pat.arg === 'none' && arg) ok = false;
      else if (pat.arg === 'number' && (!arg || arg.kind !== 'literal_number')) ok = false;
      else if (pat.arg === 'string' && (!arg || arg.kind !== 'literal_string')) ok = false;
      else if (pat.arg === 'optional-number' && arg && arg.kind !== 'literal_number') ok = false;
      if (!ok) break;
      if (arg) params[pat.name] = arg.value;
      depth++;
      i++;
    }
    if (ok && i === comps.length) {
      return { family: fam, site: { family: fam.id, point: printProbePoint(pp, false), params } };
    }
    if (depth > bestDepth) {
      bestDepth = depth;
      bestCandidates = PROBE_FAMILIES.filter((f) => f.components[0]!.name === fam.components[0]!.name)
        .map((f) => f.components[depth]?.name).filter((x): x is string => !!x);
    }
  }
  // An alias family that goes deeper than any built-in one (`syscall.opennat`): the mismatch
  // is at its first unmatched component, with that level's alias names as suggestions.
  const names = aliasNames();
  const prefixOf = (n: string[]) => {
    let d = 0;
    while (d < n.length && d < comps.length && fnmatch(comps[d]!.functor, n[d]!)) d++;
    return d;
  };
  const aliasDepth = Math.max(0, ...names.map((n) => Math.min(prefixOf(n), n.length - 1)));
  if (aliasDepth > bestDepth) {
    bestDepth = aliasDepth;
    bestCandidates = names.filter((n) => n.length > aliasDepth && prefixOf(n) >= aliasDepth).map((n) => n[aliasDepth]!);
  } else if (bestDepth === 0) {
    bestCandidates = [...bestCandidates, ...names.map((n) => n[0]!)];
  }
  const bad = comps[Math.min(bestDepth, comps.length - 1)]!;
  const sugs = suggest(bad.functor, [...new Set(bestCandidates)], 5);
  const err = new SemanticError('derive:mismatch', `probe point mismatch${sugs ? ` (similar: ${sugs})` : ''}`, bad.tok);
  const wrapper = new SemanticError('derive:while', 'while resolving probe point', comps[0]!.tok);
  wrapper.chain = err;
  throw wrapper;
}

export function describeCondition(e: A.Expr | null): string {
  return e ? printExpr(e) : '';
}

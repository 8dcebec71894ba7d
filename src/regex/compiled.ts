// A regex literal compiled once per pattern: its program, and its DFA when that stays small.

import { buildDfa, DfaTooLarge, type Dfa } from './dfa.js';
import { compileRegex, type RegexProgram } from './program.js';

export interface CompiledRegex {
  readonly program: RegexProgram;
  /** null: too many states (the backtracker decides instead). */
  readonly dfa: Dfa | null;
}

const cache = new Map<string, CompiledRegex>();

/** The compiled form of a regex literal's bytes (throws RegexSyntaxError). */
export function compiledRegex(pattern: string): CompiledRegex {
  let c = cache.get(pattern);
  if (!c) {
    const program = compileRegex(pattern);
    let dfa: Dfa | null = null;
    try {
      dfa = buildDfa(program);
    } catch (err) {
      if (!(err instanceof DfaTooLarge)) throw err;
    }
    cache.set(pattern, c = { program, dfa });
  }
  return c;
}

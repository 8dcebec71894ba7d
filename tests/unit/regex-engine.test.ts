// The regex engine behind `=~` (src/regex/): stap's syntax and errors, the DFA's decisions,
// the backtracker's groups.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRegex } from '../../src/regex/program.js';
import { buildDfa, dfaSearch, DfaTooLarge } from '../../src/regex/dfa.js';
import { backtrack } from '../../src/regex/backtrack.js';
import { RegexSyntaxError } from '../../src/regex/syntax.js';

function matches(re: string, s: string): boolean {
  const p = compileRegex(re);
  const viaDfa = dfaSearch(buildDfa(p), s);
  assert.equal(backtrack(p, s) !== null, viaDfa, `the DFA and the backtracker disagree on ${re} =~ ${s}`);
  return viaDfa;
}

function groups(re: string, s: string): (string | null)[] | null {
  const caps = backtrack(compileRegex(re), s);
  if (!caps) return null;
  const out: (string | null)[] = [];
  for (let g = 0; g < caps.length / 2; g++) out.push(caps[2 * g]! < 0 ? null : s.slice(caps[2 * g], caps[2 * g + 1]));
  return out;
}

test('syntax errors read as stap 5 reports them', () => {
  const cases: [string, string][] = [
    ['(a', '(at position 1): expected ), found end of regex'],
    ['*a', "(at position 0): unexpected '*'"],
    ['a|*b', "(at position 2): unexpected '*'"],
    ['[]', '(at position 1): unclosed character class'],
    ['[z-a]', '(at position 4): Inverted character range z-a'],
    ['^*', "(at position 1): postfix closure '*' applied to anchoring operator"],
    ['x{', '(at position 2): expected number'],
    ['x{1', '(at position 3): unexpected end of regex'],
    ['\\', '(at position 2): unexpected end of regex'],
    ['[[:foo:]]', "unknown character class 'foo'"],
  ];
  for (const [re, message] of cases) assert.throws(() => compileRegex(re), (e: unknown) => e instanceof RegexSyntaxError && e.message === message, re);
});

test('what matches: anchors, classes, brackets, escapes, bounds', () => {
  const yes: [string, string][] = [
    ['^foo', 'foobar'], ['[0-9]+$', 'foobar123'], ['bar', 'foobar'], ['', ''], ['a|^b', 'xa'],
    ['\\d', 'd'], ['\\.', 'a.b'], ['[a\\]]', ']'], ['[]a]', ']'], ['[^]a]', 'b'], ['[a-]', '-'],
    ['[[:alpha:]-z]', '-'], ['^[[:space:]]*$', ' \t'], ['^a{2,3}$', 'aaa'], ['^(ab){2}$', 'abab'],
    ['x$|^y', 'yz'], ['^$', ''], ['a.c', 'a\nc'], ['(^|,)b', 'a,b'], ['\xe9', 'caf\xe9'],
  ];
  const no: [string, string][] = [
    ['^bar', 'foobar'], ['\\d', '5'], ['^a{2,3}$', 'aaaa'], ['^a{2,3}$', 'a'], ['a$b', 'ab'], ['x^', 'x'],
    ['[^a]', 'aaa'], ['^$', 'a'], ['[[:digit:]]', 'abc'],
  ];
  for (const [re, s] of yes) assert.equal(matches(re, s), true, `${re} =~ ${JSON.stringify(s)}`);
  for (const [re, s] of no) assert.equal(matches(re, s), false, `${re} !~ ${JSON.stringify(s)}`);
});

test('groups: leftmost match, greedy repetition, alternatives in order', () => {
  assert.deepEqual(groups('str(ing)', 'an example string'), ['string', 'ing']);
  assert.deepEqual(groups('^([a-z]+)=([a-z]+)$', 'key=value'), ['key=value', 'key', 'value']);
  assert.deepEqual(groups('[0-9]+', 'abc123def'), ['123']);
  assert.deepEqual(groups('(a|ab)(c|bcd)', 'abcd'), ['abcd', 'a', 'bcd']);
  assert.deepEqual(groups('(a|ab)(x)?', 'abcd'), ['a', 'a', null]);
  assert.deepEqual(groups('(a)|(b)', 'b'), ['b', null, 'b']);
  assert.deepEqual(groups('(a*)(a)', 'aaa'), ['aaa', 'aa', 'a']);
  assert.deepEqual(groups('x(y)?z', 'xz'), ['xz', null]);
  assert.deepEqual(groups('(a)+', 'aaa'), ['aaa', 'a']);
  assert.equal(groups('z', 'abc'), null);
});

test('decisions agree with JavaScript RegExp on 5,000 random patterns (no escapes or brackets)', () => {
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const gen = (d: number): string => {
    const r = rnd(d > 3 ? 3 : 9);
    if (r < 3) return 'ab.'[rnd(3)]!;
    if (r === 3) return gen(d + 1) + gen(d + 1);
    if (r === 4) return `(${gen(d + 1)}|${gen(d + 1)})`;
    if (r === 5) return `(${gen(d + 1)})${'*+?'[rnd(3)]}`;
    if (r === 6) return `(${gen(d + 1)}){${rnd(2)},${1 + rnd(2)}}`;
    if (r === 7) return '^$'[rnd(2)]!;
    return gen(d + 1) + gen(d + 1) + gen(d + 1);
  };
  let checked = 0;
  for (let t = 0; t < 5000; t++) {
    const src = gen(0);
    const js = new RegExp(src, 's');
    const p = compileRegex(src);
    const d = buildDfa(p);
    for (let k = 0; k < 4; k++) {
      let s = '';
      for (let i = rnd(6); i > 0; i--) s += 'abc'[rnd(3)];
      const want = js.test(s);
      assert.equal(dfaSearch(d, s), want, `${src} on ${JSON.stringify(s)}`);
      assert.equal(backtrack(p, s) !== null, want, `${src} on ${JSON.stringify(s)} (backtracker)`);
      checked++;
    }
  }
  assert.equal(checked, 20000);
});

test('a regex whose DFA would be too large is refused by buildDfa, not built', () => {
  assert.throws(() => buildDfa(compileRegex('(a|b)*a(a|b){12}')), DfaTooLarge);
  assert.equal(buildDfa(compileRegex('(a|b)*a(a|b){3}')).states <= 32, true);
});

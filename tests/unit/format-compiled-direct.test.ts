// compileDirect (printf/sprintf straight from argument closures) must give exactly what the
// argument-array paths give (compilePrintf, compileSprintf), near the buffer and MAXSTRINGLEN
// limits and with NULs too.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFormat } from '../../src/parse/format.js';
import { formatPrintf, formatSprintf, STP_BUFFER_SIZE, type PrintfArg } from '../../src/format/printf.js';
import { compileDirect, compilePrintf, compileSprintf } from '../../src/format/compiled-printf.js';

const FORMATS = ['', 'plain\\n', '%d', '%s %d\\n', '%u|%x|%s', '[%s]', '%d%d', 'a%sb%sc%sd', '%5d %s', '%d %d %d %d'];
const VALUES: PrintfArg[][] = [
  [0n, 'x', -1n, ''],
  [-9223372036854775808n, 'a\0b', 9223372036854775807n, 'z'],
  [42n, 'y'.repeat(600), 7n, 'w'.repeat(STP_BUFFER_SIZE)],
];

/** The direct renderer for `fmt` over frame = the argument list, or null. */
function direct(fmt: string, n: number, maxStringLen: number | null): ((args: PrintfArg[]) => string) | null {
  const comps = parseFormat(fmt);
  const args = Array.from({ length: n }, (_, i) => (f: PrintfArg[]) => f[i]!);
  const slow = maxStringLen === null ? (a: PrintfArg[]) => formatPrintf(comps, a) : (a: PrintfArg[]) => formatSprintf(comps, a, { maxStringLen });
  return compileDirect(comps, args, maxStringLen, slow);
}

test('direct printf and sprintf agree with the argument-array paths', () => {
  let compiled = 0;
  for (const fmt of FORMATS) {
    const comps = parseFormat(fmt);
    const n = comps.filter((c) => c.type !== 'literal').length;
    for (const maxStringLen of [null, 512, 16]) {
      const fn = direct(fmt, n, maxStringLen);
      if (!fn) continue;
      compiled++;
      for (const row of VALUES) {
        // Arguments of the types the format wants: strings for %s, longs otherwise.
        const args = comps.filter((c) => c.type !== 'literal').map((c, i) => {
          const pool = row.filter((v) => (c.type === 'string') === (typeof v === 'string'));
          return pool[i % pool.length]!;
        });
        const want = maxStringLen === null ? compilePrintf(comps)(args)
          : compileSprintf(comps, (a) => formatSprintf(comps, a, { maxStringLen }), maxStringLen)(args);
        assert.equal(fn(args), want, `${fmt} ${maxStringLen}`);
      }
    }
  }
  assert.ok(compiled >= 15, 'the simple formats compile directly');
});

test('formats the direct path leaves to the general one', () => {
  assert.equal(direct('%5d', 1, null), null);
  assert.equal(direct('%d %d %d %d', 4, null), null);
  assert.equal(direct('a\\000b%d', 1, null), null);
});

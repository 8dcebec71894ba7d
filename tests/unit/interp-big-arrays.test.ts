// Arrays past a few thousand entries, through the interpreter: their long values move into
// doubles (and back to BigInts once one needs 64 bits), deletes and wrap-around renumber
// slots. The expected output is computed here with plain Maps and BigInt arithmetic.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';

const SCRIPT = `global a[20000], s[20000], w%[3000]
probe begin {
  for (i = 0; i < 6000; i++) a[i % 5003] += i * 3 - 7000
  foreach (k in a- limit 3) printf("top %d %d\\n", k, a[k])
  foreach (k+ in a limit 2) printf("first %d %d\\n", k, a[k])
  for (i = 0; i < 5003; i += 2) delete a[i]
  n = 0
  foreach (k in a) n++
  printf("%d left\\n", n)
  a[3] = 9223372036854775807
  a[5] += 2
  foreach (k in a- limit 2) printf("max %d %d\\n", k, a[k])
  for (i = 0; i < 5000; i++) s[sprintf("k%05d", i)] = -i * i
  foreach (j in s+ limit 2) printf("%s %d\\n", j, s[j])
  for (i = 0; i < 9000; i++) w[i] = i * 1000000000000
  t = 0
  foreach (k in w) t += w[k]
  foreach (k in w limit 1) printf("oldest %d\\n", k)
  printf("%d %d\\n", t, w[8999])
  exit()
}`;

/** Entries sorted by value, descending (dir -1) or ascending, ties in current order. */
function byValue<K>(m: Map<K, bigint>, dir: 1 | -1): [K, bigint][] {
  return [...m].map((e, i) => ({ e, i })).sort((p, q) => (p.e[1] === q.e[1] ? p.i - q.i : (p.e[1] < q.e[1] ? -dir : dir))).map((x) => x.e);
}

function expected(): string {
  let out = '';
  let a = new Map<bigint, bigint>();
  for (let i = 0n; i < 6000n; i++) a.set(i % 5003n, BigInt.asIntN(64, (a.get(i % 5003n) ?? 0n) + i * 3n - 7000n));
  a = new Map(byValue(a, -1));
  for (const [k, v] of [...a].slice(0, 3)) out += `top ${k} ${v}\n`;
  a = new Map([...a].sort((p, q) => (p[0] < q[0] ? -1 : 1)));
  for (const [k, v] of [...a].slice(0, 2)) out += `first ${k} ${v}\n`;
  for (let i = 0n; i < 5003n; i += 2n) a.delete(i);
  out += `${a.size} left\n`;
  a.set(3n, 9223372036854775807n);
  a.set(5n, (a.get(5n) ?? 0n) + 2n);
  for (const [k, v] of byValue(a, -1).slice(0, 2)) out += `max ${k} ${v}\n`;
  const s = new Map<string, bigint>();
  for (let i = 0n; i < 5000n; i++) s.set(`k${i.toString().padStart(5, '0')}`, -i * i);
  for (const [k, v] of byValue(s, 1).slice(0, 2)) out += `${k} ${v}\n`;
  let t = 0n;
  for (let i = 6000n; i < 9000n; i++) t = BigInt.asIntN(64, t + i * 1000000000000n);
  out += `oldest 6000\n${t} ${8999n * 1000000000000n}\n`;
  return out;
}

test('big arrays: updates, sorts, deletes, 64-bit values, wrap-around', async () => {
  const r = await runTstap(['-D', 'MAXACTION=1000000', '-e', SCRIPT]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, expected());
});

// "similar:" suggestions, computed as stap's levenshtein_suggest does: a weighted edit
// distance (substitution 2, or 1 between upper/lower case of a letter; insertion and deletion
// 2; leading edits 1), best scores first, ties in sorted name order.

export function stapLevenshtein(a: string, b: string): number {
  const w = a.length + 1;
  const h = b.length + 1;
  const d = new Uint32Array(w * h);
  for (let i = 0; i < w; i++) d[i * h] = i;
  for (let j = 0; j < h; j++) d[j] = j;
  for (let i = 1; i < w; i++) {
    for (let j = 1; j < h; j++) {
      const ca = a[i - 1]!;
      const cb = b[j - 1]!;
      if (ca === cb) {
        d[i * h + j] = d[(i - 1) * h + j - 1]!;
      } else {
        const sub = ca.toLowerCase() === cb.toLowerCase() ? 1 : 2;
        d[i * h + j] = Math.min(d[(i - 1) * h + j - 1]! + sub, d[(i - 1) * h + j]! + 2, d[i * h + j - 1]! + 2);
      }
    }
  }
  return d[w * h - 1]!;
}

/** Up to `max` of `candidates` closest to `target`, comma-separated; '' when none qualify. */
export function suggest(target: string, candidates: Iterable<string>, max: number, threshold = Infinity): string {
  const names = [...new Set(candidates)].filter((c) => c !== '').sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const scored: { c: string; d: number }[] = [];
  for (const c of names) {
    if (Math.abs(target.length - c.length) > threshold) continue;
    const d = stapLevenshtein(target, c);
    if (d <= threshold) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d); // stable: ties keep sorted name order
  return scored.slice(0, max).map((s) => s.c).join(', ');
}

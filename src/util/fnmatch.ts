// fnmatch(3) with FNM_NOESCAPE: the glob matching stap uses for arch, CONFIG_ and version tests.

export function fnmatch(pattern: string, text: string): boolean {
  return matchAt(pattern, 0, text, 0);
}

function matchAt(p: string, pi: number, t: string, ti: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi === p.length) return true;
      for (let k = ti; k <= t.length; k++) if (matchAt(p, pi, t, k)) return true;
      return false;
    }
    if (ti >= t.length) return false;
    if (c === '?') {
      pi++;
      ti++;
      continue;
    }
    if (c === '[') {
      const r = matchClass(p, pi, t[ti]!);
      if (r === null) {
        if (t[ti] !== '[') return false; // an unterminated '[' is literal
        pi++;
        ti++;
        continue;
      }
      if (!r.matched) return false;
      pi = r.next;
      ti++;
      continue;
    }
    if (c !== t[ti]) return false;
    pi++;
    ti++;
  }
  return ti === t.length;
}

function matchClass(p: string, pi: number, ch: string): { matched: boolean; next: number } | null {
  let k = pi + 1;
  let negate = false;
  if (p[k] === '!' || p[k] === '^') {
    negate = true;
    k++;
  }
  let matched = false;
  let first = true;
  while (k < p.length && (first || p[k] !== ']')) {
    first = false;
    const lo = p[k]!;
    if (p[k + 1] === '-' && k + 2 < p.length && p[k + 2] !== ']') {
      const hi = p[k + 2]!;
      if (ch >= lo && ch <= hi) matched = true;
      k += 3;
    } else {
      if (ch === lo) matched = true;
      k++;
    }
  }
  if (k >= p.length) return null;
  return { matched: matched !== negate, next: k + 1 };
}

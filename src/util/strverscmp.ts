// glibc strverscmp(3): version-aware string comparison, as stap uses for kernel_v and systemtap_v.

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Returns -1, 0 or 1. Digit runs compare numerically; runs with leading zeros as fractions. */
export function strverscmp(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return 0;
  let j = i;
  while (j > 0 && isDigit(a[j - 1])) j--;
  const runA = digitRun(a, j);
  const runB = digitRun(b, j);
  if (runA.length > 0 && runB.length > 0 && (isDigit(a[i]) || isDigit(b[i]))) {
    const zeroA = runA[0] === '0';
    const zeroB = runB[0] === '0';
    if (!zeroA && !zeroB) {
      if (runA.length !== runB.length) return runA.length < runB.length ? -1 : 1;
      return runA < runB ? -1 : runA > runB ? 1 : 0;
    }
    if (zeroA !== zeroB) return zeroA ? -1 : 1;
    // Both fractional. While only zeros were common, the longer run of zeros is smaller.
    const common = a.slice(j, i);
    const onlyZeros = /^0*$/.test(common);
    const ca = isDigit(a[i]) ? a[i]! : '';
    const cb = isDigit(b[i]) ? b[i]! : '';
    if (ca === '' || cb === '') {
      if (onlyZeros) return ca === '' ? 1 : -1;
      return ca === '' ? -1 : 1;
    }
    return ca < cb ? -1 : 1;
  }
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  const x = Number.isNaN(ca) ? 0 : ca;
  const y = Number.isNaN(cb) ? 0 : cb;
  return x < y ? -1 : x > y ? 1 : 0;
}

function digitRun(s: string, from: number): string {
  let k = from;
  while (isDigit(s[k])) k++;
  return s.slice(from, k);
}

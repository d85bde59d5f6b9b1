// "did you mean …": the closest known names to a typo, by Damerau-Levenshtein distance (optimal
// string alignment: a swapped pair of letters counts as one edit), case-insensitive.

const MAX_SUGGESTION_DISTANCE = 2;

export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // Names are short; anything longer is no typo of them, and stays linear to compare.
  if (Math.abs(x.length - y.length) > MAX_SUGGESTION_DISTANCE || x.length > 64 || y.length > 64) {
    return Math.max(x.length, y.length);
  }
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[x.length]![y.length]!;
}

/** The known names nearest to `word` (two edits at most); none for an exact match. */
export function closest(word: string, known: Iterable<string>): string[] {
  const names = new Set(known);
  if (names.has(word)) return [];
  const scored: [string, number][] = [];
  for (const k of names) {
    const dist = editDistance(word, k);
    if (dist > 0 && dist <= MAX_SUGGESTION_DISTANCE && dist < Math.max(word.length, k.length)) scored.push([k, dist]);
    // Same letters, other case: still worth saying.
    else if (dist === 0 && k !== word) scored.push([k, 0]);
  }
  if (scored.length === 0) return [];
  // Only the nearest: "tpc" is a typo of tcp, not also of tls.
  const best = Math.min(...scored.map(([, d]) => d));
  return scored
    .filter(([, d]) => d === best)
    .map(([k]) => k)
    .sort()
    .slice(0, 3);
}

/** `did you mean collector_host?` (or `… a or b?`), or '' when nothing is close. */
export function didYouMean(word: string, known: Iterable<string>, show: (k: string) => string = (k) => k): string {
  const near = closest(word, known);
  if (near.length === 0) return '';
  return `did you mean ${near.map(show).join(' or ')}?`;
}

/** When a key is next expected (ms), from its last request and its usual gap between requests. */
export interface KeyDue {
  readonly next: number;
  readonly last?: number;
  readonly gap?: number;
}

/**
 * Two predictions closer than this share of the shorter gap are within the gaps' own noise. Two
 * keys asked for in turn are due one warm run apart (about 30 ms), while each gap is an average of
 * runs whose length varies by more than that on a loaded machine: by `next` alone the pool kept the
 * wrong one now and then (5 cold starts in 8 alternating runs instead of 4).
 */
const TIE_SHARE = 0.25;

/** Whether `a` is the better one to remove: expected later, or, within the noise, asked for more recently (furthest from its next turn). */
function removeRather(a: KeyDue, b: KeyDue): boolean {
  const gap = Math.min(a.gap ?? Number.POSITIVE_INFINITY, b.gap ?? Number.POSITIVE_INFINITY);
  const tie = Number.isFinite(gap) && Math.abs(a.next - b.next) <= TIE_SHARE * gap;
  if (tie && a.last !== undefined && b.last !== undefined && a.last !== b.last) return a.last > b.last;
  return a.next > b.next;
}

/**
 * The idle container to remove for room: among the keys holding more idle containers than an even
 * share of `maxIdle` (all keys, when none does), the one whose next request is expected last (see
 * removeRather for near-ties); on a tie, the earliest in `idle` (the least recently used).
 */
export function pickVictim<C>(idle: ReadonlyMap<C, { readonly key: string }>, maxIdle: number, due: (key: string) => KeyDue): [C, string] | undefined {
  const counts = new Map<string, number>();
  for (const entry of idle.values()) counts.set(entry.key, (counts.get(entry.key) ?? 0) + 1);
  const share = Math.max(1, Math.floor(maxIdle / Math.max(1, counts.size)));
  const over = [...idle].filter(([, e]) => (counts.get(e.key) ?? 0) > share);
  let victim: [C, string] | undefined;
  let victimDue: KeyDue | undefined;
  for (const [container, entry] of over.length > 0 ? over : idle) {
    const keyDue = due(entry.key);
    if (!victim || !victimDue || removeRather(keyDue, victimDue)) [victim, victimDue] = [[container, entry.key], keyDue];
  }
  return victim;
}

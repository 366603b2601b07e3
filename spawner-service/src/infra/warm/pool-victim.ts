/**
 * The idle container to remove for room: among the keys holding more idle containers than an even
 * share of `maxIdle` (all keys, when none does), the one whose next request is expected last; on a
 * tie, the earliest in `idle` (the least recently used).
 */
export function pickVictim<C>(idle: ReadonlyMap<C, { readonly key: string }>, maxIdle: number, nextUse: (key: string) => number): [C, string] | undefined {
  const counts = new Map<string, number>();
  for (const entry of idle.values()) counts.set(entry.key, (counts.get(entry.key) ?? 0) + 1);
  const share = Math.max(1, Math.floor(maxIdle / Math.max(1, counts.size)));
  const over = [...idle].filter(([, e]) => (counts.get(e.key) ?? 0) > share);
  let victim: [C, string] | undefined;
  let victimNext = Number.NEGATIVE_INFINITY;
  for (const [container, entry] of over.length > 0 ? over : idle) {
    const next = nextUse(entry.key);
    if (!victim || next > victimNext) [victim, victimNext] = [[container, entry.key], next];
  }
  return victim;
}

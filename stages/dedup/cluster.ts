// Union-find over typed arrays, and the cluster resolution policies.

export class UnionFind {
  readonly parent: Int32Array;
  private readonly rank: Uint8Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.rank = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    let r = x;
    while (p[r] !== r) r = p[r];
    while (p[x] !== r) { const n = p[x]; p[x] = r; x = n; }
    return r;
  }
  /** Returns true when a and b were in different sets. */
  union(a: number, b: number): boolean {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return false;
    if (this.rank[ra] < this.rank[rb]) { const t = ra; ra = rb; rb = t; }
    this.parent[rb] = ra;
    if (this.rank[ra] === this.rank[rb]) this.rank[ra]++;
    return true;
  }
}

export type Policy = 'cross-source-priority' | 'keep-one' | 'keep-best';

export interface Member {
  /** Global document index. */
  g: number;
  id: string;
  source: string;
  /** Larger = preferred. */
  priority: number;
  score: number;
}

const byId = (a: Member, b: Member): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Decides which members of one cluster (size ≥ 2) are removed. Returns the set of removed global indices.
 * - cross-source-priority (Zyda-2): untouched when every member has the same source; otherwise every member
 *   whose source has the top priority present is kept and all others are removed (in-source duplicates of the
 *   top source stay).
 * - keep-one (Zyda-1): keeps the single member first by (priority desc, id asc).
 * - keep-best: keeps the single member first by (score desc, id asc); a missing score ranks last.
 */
export function resolveCluster(members: Member[], policy: Policy): Set<number> {
  const removed = new Set<number>();
  if (members.length < 2) return removed;
  if (policy === 'cross-source-priority') {
    const first = members[0].source;
    if (members.every((m) => m.source === first)) return removed;
    let top = -Infinity;
    for (const m of members) if (m.priority > top) top = m.priority;
    for (const m of members) if (m.priority < top) removed.add(m.g);
    return removed;
  }
  const sorted = [...members].sort(
    policy === 'keep-one'
      ? (a, b) => b.priority - a.priority || byId(a, b)
      : (a, b) => {
          const sa = Number.isFinite(a.score) ? a.score : -Infinity;
          const sb = Number.isFinite(b.score) ? b.score : -Infinity;
          return sa === sb ? byId(a, b) : sb - sa;
        },
  );
  for (let i = 1; i < sorted.length; i++) removed.add(sorted[i].g);
  return removed;
}

/** Drop reason recorded by the apply stage for each policy. */
export function dropReason(prefix: string, policy: Policy): string {
  return `${prefix}_${policy === 'cross-source-priority' ? 'cross_source' : policy === 'keep-one' ? 'keep_one' : 'keep_best'}`;
}

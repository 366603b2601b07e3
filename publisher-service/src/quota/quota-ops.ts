/** Execution id -> epoch ms after which the hold is considered stale. */
export type Holds = Record<string, number>;

export interface QuotaOp {
  readonly kind: 'acquire' | 'release';
  readonly executionId: string;
}

export interface QuotaRules {
  readonly maxConcurrent: number;
  readonly holdMaxMs: number;
  /**
   * True when the execution no longer needs a slot (final, or its record gone): lets a full quota
   * heal itself. `heldSinceMs`: when the hold was taken (a hold is taken before its record exists).
   */
  readonly isSettled: (executionId: string, heldSinceMs: number) => Promise<boolean>;
}

export interface QuotaOpsResult {
  readonly holds: Holds;
  /** Whether `holds` differs from the input (a write is needed). */
  readonly changed: boolean;
  /** Per operation: true when an acquire found the quota full. */
  readonly refused: readonly boolean[];
  /** False when some operation did nothing (refused, or released an absent hold): only a fresh read may decide that. */
  readonly certain: boolean;
}

/**
 * Applies a batch of acquires and releases, in order, to a user's holds. Expired holds are dropped;
 * when an acquire meets a full quota, holds of settled executions are dropped once and it is
 * checked again.
 */
export async function applyQuotaOps(current: Holds, ops: readonly QuotaOp[], rules: QuotaRules): Promise<QuotaOpsResult> {
  const now = Date.now();
  const holds: Holds = Object.fromEntries(Object.entries(current).filter(([, expires]) => expires > now));
  let changed = Object.keys(holds).length !== Object.keys(current).length;
  let reconciled = false;
  let certain = true;
  const refused = ops.map(() => false);
  for (const [i, op] of ops.entries()) {
    if (op.kind === 'release') {
      if (op.executionId in holds) {
        delete holds[op.executionId];
        changed = true;
      } else certain = false;
      continue;
    }
    // A retried acquire (its first write's answer lost to a passing fault) already holds its slot.
    if (op.executionId in holds) continue;
    if (Object.keys(holds).length >= rules.maxConcurrent && !reconciled) {
      reconciled = true;
      const ids = Object.keys(holds);
      const settled = await Promise.all(ids.map((id) => rules.isSettled(id, (holds[id] ?? now) - rules.holdMaxMs)));
      ids.forEach((id, j) => {
        if (settled[j]) {
          delete holds[id];
          changed = true;
        }
      });
    }
    if (Object.keys(holds).length >= rules.maxConcurrent) {
      refused[i] = true;
      certain = false;
    } else {
      holds[op.executionId] = now + rules.holdMaxMs;
      changed = true;
    }
  }
  return { holds, changed, refused, certain };
}

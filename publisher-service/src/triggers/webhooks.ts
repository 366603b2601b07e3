import {
  createUserRateLimiter,
  NotFoundError,
  RateLimitedError,
  retryPassing,
  triggerKey,
  webhookTokenHash,
  type TriggerDefinition,
  type TriggerRef,
  type WebhookTokenEntry,
  type WebhookTrigger,
} from '@faas/common';
import type { KV } from 'nats';

/** What base64url of 32 random bytes looks like; anything else is not a token of ours. */
export const WEBHOOK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const WINDOW_SECONDS = 60;

export interface WebhookDeps {
  /** The enabled webhook this token opens, or undefined. */
  readonly lookup: (token: string) => Promise<WebhookTrigger | undefined>;
  /** Counts one call; RateLimitedError (429) past the trigger's rate. */
  readonly hit: (trigger: WebhookTrigger) => Promise<void>;
  readonly fire: (trigger: WebhookTrigger, argument: string, ref: TriggerRef, requestId: string) => Promise<string>;
}

const unknownToken = (): NotFoundError => new NotFoundError('no webhook for this token');

/** A webhook call: the body is the argument of an async execution of the trigger's function. */
export async function callWebhook(deps: WebhookDeps, token: string, argument: string, requestId: string): Promise<string> {
  const trigger = WEBHOOK_TOKEN_PATTERN.test(token) ? await deps.lookup(token) : undefined;
  if (!trigger) throw unknownToken();
  await deps.hit(trigger);
  return deps.fire(trigger, argument, { id: trigger.id, name: trigger.name, kind: 'webhook' }, requestId);
}

/**
 * Token hash -> (user, name) in `trigger-tokens`, then the definition in `triggers`, which must
 * still carry that hash: a rotated or deleted token is unknown at once, whatever entry lingers.
 */
export function kvWebhookLookup(tokens: KV, triggers: KV): WebhookDeps['lookup'] {
  return async (token) => {
    const hash = webhookTokenHash(token);
    const entry = await retryPassing(() => tokens.get(hash));
    if (!entry || entry.operation !== 'PUT') return undefined;
    const { userId, name, triggerId } = entry.json<WebhookTokenEntry>();
    const def = await retryPassing(() => triggers.get(triggerKey(userId, name)));
    if (!def || def.operation !== 'PUT') return undefined;
    const trigger = def.json<TriggerDefinition>();
    if (trigger.kind !== 'webhook' || trigger.id !== triggerId || trigger.tokenHash !== hash || !trigger.enabled) return undefined;
    return trigger;
  };
}

/** One fixed-window counter per trigger in KV, shared by every publisher replica. */
export function kvWebhookRateLimit(kv: KV, now?: () => number): WebhookDeps['hit'] {
  return async (trigger) => {
    try {
      await createUserRateLimiter(kv, { count: trigger.ratePerMinute, windowSeconds: WINDOW_SECONDS }, now)(`webhook-${trigger.id}`);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      throw new RateLimitedError(`more than ${trigger.ratePerMinute} calls per minute to this webhook; retry later`, err.retryAfterSeconds);
    }
  };
}

import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import type { ExecutionStatus } from './execution-types.js';

/** What the registry stores in KV `triggers` under `<userId>.<name>`; the publisher reads it. */
interface TriggerBase {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  /** The target: one of the owner's functions. */
  readonly function: string;
  readonly enabled: boolean;
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type MissedTickPolicy = 'fire-once' | 'skip';

export interface ScheduleTrigger extends TriggerBase {
  readonly kind: 'schedule';
  /** Five fields: minute hour day-of-month month day-of-week. */
  readonly cron: string;
  /** An IANA zone name (`UTC`, `Europe/Madrid`). */
  readonly timeZone: string;
  /** After downtime: fire the missed ticks once (one execution), or skip them. */
  readonly missedTicks: MissedTickPolicy;
  readonly argument: string;
}

export interface WebhookTrigger extends TriggerBase {
  readonly kind: 'webhook';
  readonly ratePerMinute: number;
  /** sha256 of the token (hex): the token itself is shown once, at creation or rotation. */
  readonly tokenHash: string;
}

export interface FunctionFinishedTrigger extends TriggerBase {
  readonly kind: 'function-finished';
  /** The owner's function whose end fires this trigger. */
  readonly source: string;
  readonly statuses: readonly ExecutionStatus[];
}

/** What happened to an object: stored (new or replaced), or deleted. */
export type ObjectEventKind = 'created' | 'deleted';

export interface ObjectTrigger extends TriggerBase {
  readonly kind: 'object';
  readonly events: readonly ObjectEventKind[];
  /** Only names that start with it fire (`''`: every name). */
  readonly prefix: string;
  /**
   * Whether execution outputs (`executions/<id>/…`) fire it too. Off by default: then nothing a
   * function writes can fire a trigger (no self-loop); on, a chain of outputs stops at the chain depth limit.
   */
  readonly outputs: boolean;
}

export type TriggerDefinition = ScheduleTrigger | WebhookTrigger | FunctionFinishedTrigger | ObjectTrigger;

/** The `trigger-tokens` entry under a token's hash. */
export interface WebhookTokenEntry {
  readonly userId: string;
  readonly name: string;
  readonly triggerId: string;
}

export const triggerKey = (userId: string, name: string): string => `${userId}.${name}`;

export const webhookTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The path a webhook is called on, relative to the platform's base URL. */
export const webhookPath = (token: string): string => `/publisher/hooks/${token}`;

/** Why a zone name is refused, or undefined when Intl knows it. */
export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `unknown time zone ${JSON.stringify(zone)}: use an IANA name such as UTC or Europe/Madrid`;
  }
}

const schedule = (cron: string, timeZone: string): Cron => new Cron(cron, { timezone: timeZone, paused: true, mode: '5-part' });

/** Why a five-field cron expression is refused, or undefined when it is valid. */
export function cronProblem(cron: string): string | undefined {
  try {
    if (schedule(cron, 'UTC').nextRun(new Date()) === null) return 'the expression never fires';
    return undefined;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).replace(/^CronPattern: /, '');
  }
}

/** The latest tick in (after, now], or undefined when none falls in it. */
export function latestTick(trigger: Pick<ScheduleTrigger, 'cron' | 'timeZone'>, afterMs: number, nowMs: number): number | undefined {
  const [latest] = schedule(trigger.cron, trigger.timeZone).previousRuns(1, new Date(nowMs + 1));
  if (!latest) return undefined;
  const at = latest.getTime();
  return at > afterMs && at <= nowMs ? at : undefined;
}

/** The first tick after `afterMs` (for logs and the API's `nextTick`). */
export function nextTick(trigger: Pick<ScheduleTrigger, 'cron' | 'timeZone'>, afterMs: number): number | undefined {
  return schedule(trigger.cron, trigger.timeZone).nextRun(new Date(afterMs))?.getTime();
}

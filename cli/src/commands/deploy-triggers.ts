import { ApiError, type ApiClient } from '../api.js';
import type { Context } from '../context.js';
import { withSpinner } from '../output.js';
import type { StackFunction } from '../stack-file.js';
import { applyTrigger, listTriggers, planTriggers, type TriggerStep } from '../stack-triggers.js';

/** One trigger step as deploy reports it; a new webhook's URL is shown once, as the registry does. */
export type TriggerReport = Omit<TriggerStep, 'body'> & { readonly url?: string };

export const triggerLine = (t: TriggerReport): string => {
  const detail = t.action === 'updated' ? ` (${t.fields.join(', ')})` : t.action === 'replaced' ? ' (another kind: deleted and made again)' : '';
  return `${t.action.padEnd(11)} trigger ${t.name} on ${t.function}${detail}${t.url ? ` (url, shown only now: ${t.url})` : ''}`;
};

/** Creates or replaces the triggers the file names, in file order, after the functions; reports them with what came before. */
export async function deployTriggers(ctx: Context, api: ApiClient, stack: readonly StackFunction[], options: { dryRun: boolean; report: (done: TriggerReport[]) => void }): Promise<void> {
  const wanted = stack.flatMap((fn) => fn.triggers ?? []);
  const done: TriggerReport[] = [];
  try {
    if (wanted.length === 0) return;
    const plan = await withSpinner(ctx, 'Reading deployed triggers', async () => planTriggers(wanted, await listTriggers(api)));
    if (options.dryRun) return void done.push(...plan.map(({ body: _body, ...step }) => step));
    await withSpinner(ctx, 'Deploying triggers', async (update) => {
      for (const step of plan) {
        update(`Deploying trigger ${step.name}`);
        const { body: _body, ...reported } = step;
        const url = await applyTrigger(api, step).catch((err: unknown) => {
          throw err instanceof ApiError ? new ApiError(err.status, err.code, `trigger ${step.name}: ${err.message}`, err.requestId) : err;
        });
        done.push({ ...reported, ...(url ? { url } : {}) });
      }
    });
  } finally {
    options.report(done);
  }
}

import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { ApiError, CliError, type ApiClient } from '../api.js';
import type { Context } from '../context.js';
import { contextOf } from '../context.js';
import { planDeploy, type Step } from '../deploy-plan.js';
import { functionPath, functionUrl, listAllFunctions } from '../functions-api.js';
import { printJson, printLine, withSpinner } from '../output.js';
import { loadStack, type StackFunction } from '../stack-file.js';
import { deployTriggers, triggerLine, type TriggerReport } from './deploy-triggers.js';

/** Applies one step; the server's refusal names the function it was about. */
async function apply(api: ApiClient, step: Step): Promise<Readonly<Record<string, unknown>> | undefined> {
  try {
    return await send(api, step);
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(err.status, err.code, `${step.name}: ${err.message}`, err.requestId);
    throw err;
  }
}

/** The definition the registry answered (create, update), or undefined (delete). */
async function send(api: ApiClient, step: Step): Promise<Readonly<Record<string, unknown>> | undefined> {
  if (step.action === 'created') return api.call('/registry/functions', { body: step.body });
  if (step.action === 'updated') return api.call(functionPath(step.name), { method: 'PUT', body: step.body });
  if (step.action === 'removed') await api.call(functionPath(step.name), { method: 'DELETE' });
  return undefined;
}

/** `urls`: the HTTP functions' addresses by name, shown under their step (and in --json). */
function report(ctx: Context, steps: readonly Step[], dryRun: boolean, urls: ReadonlyMap<string, string>, triggers: readonly TriggerReport[] = []): void {
  const url = (name: string) => (urls.has(name) ? { url: urls.get(name) } : {});
  if (ctx.json) {
    const changes = steps.map(({ name, action, fields }) => ({ name, action, fields, ...url(name) }));
    return printJson({ dryRun, changes, ...(triggers.length > 0 ? { triggers } : {}) });
  }
  for (const step of steps) {
    const detail = step.action === 'updated' ? ` (${step.fields.join(', ')})` : step.action === 'not in file' ? ' (kept; --prune removes it)' : '';
    printLine(`${step.action.padEnd(11)} ${step.name}${detail}`);
    if (step.action !== 'removed' && urls.has(step.name)) printLine(`${''.padEnd(11)} ${urls.get(step.name)}`);
  }
  for (const t of triggers) printLine(triggerLine(t));
  if (dryRun) printLine('(dry run: nothing was changed)');
}

/**
 * Removing is the one step that loses work: refused when the file names no functions (an empty or
 * wrong file would remove everything), asked first on a terminal, and `--yes` for scripts.
 */
async function confirmRemovals(plan: readonly Step[], options: DeployOptions, stackSize: number): Promise<void> {
  const removed = plan.filter((s) => s.action === 'removed').map((s) => s.name);
  if (!options.prune) return;
  if (stackSize === 0) throw new CliError(`refusing --prune: ${options.file ?? 'the file'} names no functions, so it would remove all ${removed.length} of yours`);
  if (removed.length === 0 || options.yes || options.dryRun) return;
  const what = `remove ${removed.length} function${removed.length === 1 ? '' : 's'} (${removed.join(', ')})`;
  if (!process.stdin.isTTY) throw new CliError(`--prune would ${what}: add --yes to confirm (no terminal to ask); nothing was changed`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`--prune will ${what}. Go on? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('deploy cancelled; nothing was changed');
  } finally {
    rl.close();
  }
}

export interface DeployOptions {
  readonly file?: string;
  readonly prune?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
}

/** Makes the platform match the stack, in file order, and reports every step done (also `faas up`'s). */
export async function deployStack(ctx: Context, stack: readonly StackFunction[], options: DeployOptions): Promise<void> {
  const api = ctx.authenticated();
  const deployed = await withSpinner(ctx, 'Reading deployed functions', () => listAllFunctions(api));
  const plan = planDeploy(stack, deployed, options.prune === true);
  await confirmRemovals(plan, options, stack.length);
  const done: Step[] = [];
  const urls = new Map<string, string>();
  const noteUrl = (fn: Readonly<Record<string, unknown>> | undefined): void => {
    const url = fn ? functionUrl(ctx.gateway, fn) : undefined;
    if (fn && url) urls.set(String(fn.name), url);
    else if (fn) urls.delete(String(fn.name));
  };
  for (const fn of deployed) noteUrl(fn);
  const dryRun = options.dryRun === true;
  try {
    if (dryRun) done.push(...plan);
    else {
      await withSpinner(ctx, 'Deploying', async (update) => {
        // One at a time, in file order: a failure stops the deploy with what came before done.
        for (const step of plan) {
          update(`Deploying ${step.name}`);
          noteUrl(await apply(api, step));
          done.push(step);
        }
      });
    }
  } catch (err) {
    report(ctx, done, dryRun, urls);
    throw err;
  }
  // The functions exist now: the triggers on them can name them.
  await deployTriggers(ctx, api, stack, { dryRun, report: (triggers) => report(ctx, done, dryRun, urls, triggers) });
}

export function deployCommand(program: Command): void {
  program
    .command('deploy')
    .description('create or update every function of a stack file; idempotent')
    .option('-f, --file <path>', 'the stack file', 'faas.yml')
    .option('--prune', 'remove your functions that the file does not name (asks first; never with a file that names none)')
    .option('--dry-run', 'print what would change, change nothing')
    .option('-y, --yes', 'do not ask before --prune removes functions (for scripts)')
    .action(async (options: { file: string } & DeployOptions, command: Command) => {
      await deployStack(contextOf(command), loadStack(options.file), options);
    });
}

import type { Command } from 'commander';
import { ApiError, type ApiClient } from '../api.js';
import type { Context } from '../context.js';
import { contextOf } from '../context.js';
import { planDeploy, type Step } from '../deploy-plan.js';
import { functionPath, listAllFunctions } from '../functions-api.js';
import { printJson, printLine, withSpinner } from '../output.js';
import { loadStack, type StackFunction } from '../stack-file.js';

/** Applies one step; the server's refusal names the function it was about. */
async function apply(api: ApiClient, step: Step): Promise<void> {
  try {
    await send(api, step);
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(err.status, err.code, `${step.name}: ${err.message}`, err.requestId);
    throw err;
  }
}

async function send(api: ApiClient, step: Step): Promise<void> {
  if (step.action === 'created') await api.call('/registry/functions', { body: step.body });
  else if (step.action === 'updated') await api.call(functionPath(step.name), { method: 'PUT', body: step.body });
  else if (step.action === 'removed') await api.call(functionPath(step.name), { method: 'DELETE' });
}

function report(ctx: Context, steps: readonly Step[], dryRun: boolean): void {
  if (ctx.json) return printJson({ dryRun, changes: steps.map(({ name, action, fields }) => ({ name, action, fields })) });
  for (const step of steps) {
    const detail = step.action === 'updated' ? ` (${step.fields.join(', ')})` : step.action === 'not in file' ? ' (kept; --prune removes it)' : '';
    printLine(`${step.action.padEnd(11)} ${step.name}${detail}`);
  }
  if (dryRun) printLine('(dry run: nothing was changed)');
}

export interface DeployOptions {
  readonly prune?: boolean;
  readonly dryRun?: boolean;
}

/** Makes the platform match the stack, in file order, and reports every step done (also `faas up`'s). */
export async function deployStack(ctx: Context, stack: readonly StackFunction[], options: DeployOptions): Promise<void> {
  const api = ctx.authenticated();
  const done: Step[] = [];
  try {
    await withSpinner(ctx, 'Reading deployed functions', async (update) => {
      const plan = planDeploy(stack, await listAllFunctions(api), options.prune === true);
      if (options.dryRun) return done.push(...plan);
      // One at a time, in file order: a failure stops the deploy with what came before done.
      for (const step of plan) {
        update(`Deploying ${step.name}`);
        await apply(api, step);
        done.push(step);
      }
    });
  } finally {
    report(ctx, done, options.dryRun === true);
  }
}

export function deployCommand(program: Command): void {
  program
    .command('deploy')
    .description('create or update every function of a stack file; idempotent')
    .option('-f, --file <path>', 'the stack file', 'faas.yml')
    .option('--prune', 'remove your functions that the file does not name')
    .option('--dry-run', 'print what would change, change nothing')
    .action(async (options: { file: string } & DeployOptions, command: Command) => {
      await deployStack(contextOf(command), loadStack(options.file), options);
    });
}

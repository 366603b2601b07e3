import type { Command } from 'commander';
import type { ApiClient } from '../api.js';
import { contextOf, type Context } from '../context.js';
import { exitCodeOf, waitForFinal, type Accepted, type Execution } from '../executions-api.js';
import { printJson, printLine, warn, withSpinner } from '../output.js';
import { readStdin } from '../stdin.js';

interface InvokeOptions {
  readonly async?: boolean;
  readonly wait?: boolean;
}

/** ARG when given; else stdin when it is not a terminal (verbatim); else empty. */
async function argumentOf(arg: string | undefined): Promise<string> {
  if (arg !== undefined) return arg;
  return process.stdin.isTTY ? '' : readStdin();
}

/** Sync: the record, or past the platform's sync wait (202) the same record by polling. */
async function invokeSync(api: ApiClient, name: string, argument: string, update: (t: string) => void): Promise<Execution> {
  const res = await api.send('/publisher/publish', { body: { name, argument } });
  if (res.status !== 202) return res.body as Execution;
  const { executionId } = res.body as Accepted;
  return waitForFinal(api, executionId, (status) => update(`${name}: ${status} (${executionId})`));
}

/** Result to stdout and logs to stderr, untouched; the outcome on stderr when it is not success. */
function showRecord(ctx: Context, record: Execution): void {
  if (ctx.json) printJson(record);
  else {
    process.stdout.write(record.result ?? '');
    process.stderr.write(record.logs ?? '');
    if (record.status !== 'succeeded') {
      // The platform's reason says it best (out of memory, timed out, exited with code N).
      const why = record.error ? `: ${record.error}` : record.exitCode === null ? '' : ` (exit code ${record.exitCode})`;
      warn(`faas: execution ${record.id} ${record.status}${why}`);
    }
  }
  process.exitCode = exitCodeOf(record);
}

export function invokeCommand(program: Command): void {
  program
    .command('invoke')
    .description('run a function: the argument is ARG, or stdin when piped; waits for the result unless --async')
    .argument('<name>', 'function name')
    .argument('[arg]', 'the argument (default: stdin when it is not a terminal)')
    .option('--async', 'queue it and print the execution id')
    .option('--wait', 'with --async: poll until it is done, then print it as a sync call does')
    .action(async (name: string, arg: string | undefined, options: InvokeOptions, command: Command) => {
      const ctx = contextOf(command);
      const api = ctx.authenticated();
      const argument = await argumentOf(arg);
      if (!options.async) {
        const record = await withSpinner(ctx, `Running ${name}`, (update) => invokeSync(api, name, argument, update));
        return showRecord(ctx, record);
      }
      const accepted = await api.call<Accepted>('/publisher/executions', { body: { name, argument } });
      if (!options.wait) return ctx.json ? printJson(accepted) : printLine(accepted.executionId);
      const record = await withSpinner(ctx, `${name}: ${accepted.status} (${accepted.executionId})`, (update) =>
        waitForFinal(api, accepted.executionId, (status) => update(`${name}: ${status} (${accepted.executionId})`)),
      );
      showRecord(ctx, record);
    });
}

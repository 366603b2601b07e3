import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { executionLimit, listExecutions, type Execution } from '../executions-api.js';
import { functionPath } from '../functions-api.js';
import { printJson, printLine } from '../output.js';

/** One execution's logs under a header line: when, id, status (the logs as the record keeps them). */
function printExecution(record: Execution): void {
  const when = (record.finishedAt as string | null | undefined) ?? record.queuedAt;
  printLine(`==> ${when} ${record.id} ${record.status}${record.truncated === true ? ' (output truncated)' : ''}`);
  const logs = record.logs ?? '';
  if (logs !== '') printLine(logs.replace(/\n$/, ''));
  if (typeof record.error === 'string') printLine(`(platform: ${record.error})`);
}

export function logsCommand(program: Command): void {
  program
    .command('logs')
    .description("a function's logs: its last executions, oldest first")
    .argument('<name>', 'function name')
    .option('--limit <n>', 'this many executions (1-200)', executionLimit, 10)
    .action(async (name: string, options: { limit: number }, command: Command) => {
      const ctx = contextOf(command);
      const api = ctx.authenticated();
      // A function that does not exist (or is not yours) is a 404, not an empty list.
      await api.call(functionPath(name));
      const items = await listExecutions(api, { limit: options.limit, function: name });
      if (ctx.json) return printJson(items.map(({ id, status, queuedAt, finishedAt, logs }) => ({ id, status, queuedAt, finishedAt, logs })));
      if (items.length === 0) return printLine(`no executions of ${name} yet`);
      for (const record of items.reverse()) printExecution(record);
    });
}

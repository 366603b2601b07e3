import type { Command } from 'commander';
import { CliError } from '../api.js';
import { contextOf } from '../context.js';
import { executionPath, type Execution } from '../executions-api.js';
import { printJson, printLine, printTable } from '../output.js';

const SUMMARY_FIELDS = ['id', 'function', 'image', 'status', 'exitCode', 'durationMs', 'truncated', 'attempt', 'queuedAt', 'startedAt', 'finishedAt', 'error'];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new CliError(`--limit must be a whole number from 1 to 200, not ${value}`);
  return n;
}

export function executionCommands(program: Command): void {
  program
    .command('executions')
    .description('your executions, newest first')
    .option('--function <name>', 'only this function')
    .option('--limit <n>', 'at most this many (1-200)', positiveInt, 20)
    .action(async (options: { function?: string; limit: number }, command: Command) => {
      const ctx = contextOf(command);
      // A page may hold fewer than asked (the publisher reads at most 2000 records per page): go on while there is a cursor.
      const items: Execution[] = [];
      let cursor: string | undefined;
      do {
        const page = await ctx.authenticated().call<{ items: Execution[]; nextCursor: string | null }>('/publisher/executions', {
          query: { limit: options.limit - items.length, function: options.function, cursor },
        });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < options.limit);
      if (ctx.json) return printJson(items);
      printTable(
        ['ID', 'FUNCTION', 'STATUS', 'EXIT', 'DURATION', 'QUEUED'],
        items.map((e) => [e.id, e.function, e.status, e.exitCode === null ? '-' : String(e.exitCode), e.durationMs === null ? '-' : `${e.durationMs} ms`, e.queuedAt]),
      );
    });

  program
    .command('execution')
    .description('one execution: its status, result and logs')
    .argument('<id>', 'execution id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const record = await ctx.authenticated().call<Execution>(executionPath(id));
      if (ctx.json) return printJson(record);
      for (const key of SUMMARY_FIELDS) if (record[key] !== undefined && record[key] !== null) printLine(`${`${key}:`.padEnd(12)}${String(record[key])}`);
      printLine(`result:\n${indent(record.result)}`);
      printLine(`logs:\n${indent(record.logs)}`);
    });
}

function indent(text: string | null): string {
  if (text === null || text === '') return '  (none)';
  return text.replace(/\n$/, '').split('\n').map((line) => `  ${line}`).join('\n');
}

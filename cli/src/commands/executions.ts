import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { executionLimit, executionPath, listExecutions, type Execution } from '../executions-api.js';
import { printJson, printLine, printTable } from '../output.js';

const SUMMARY_FIELDS = ['id', 'function', 'image', 'status', 'exitCode', 'durationMs', 'truncated', 'attempt', 'queuedAt', 'startedAt', 'finishedAt', 'error'];

export function executionCommands(program: Command): void {
  program
    .command('executions')
    .description('your executions, newest first')
    .option('--function <name>', 'only this function')
    .option('--limit <n>', 'at most this many (1-200)', executionLimit, 20)
    .action(async (options: { function?: string; limit: number }, command: Command) => {
      const ctx = contextOf(command);
      const items = await listExecutions(ctx.authenticated(), options);
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

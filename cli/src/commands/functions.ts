import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { functionPath, functionUrl, listAllFunctions, type FunctionView } from '../functions-api.js';
import { printJson, printLine, printTable, withSpinner } from '../output.js';

const DETAIL_FIELDS = ['name', 'image', 'description', 'timeoutSeconds', 'memoryMb', 'cpus', 'network', 'warm', 'runtime', 'http', 'public', 'secrets', 'revision', 'createdAt', 'updatedAt'];

export function functionCommands(program: Command): void {
  program
    .command('list')
    .alias('ls')
    .description('your functions')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const items = await withSpinner(ctx, 'Listing functions', () => listAllFunctions(ctx.authenticated()));
      if (ctx.json) return printJson(items);
      // URL: an HTTP function's address (docs/http-functions.md); empty for the others.
      printTable(
        ['NAME', 'IMAGE', 'REVISION', 'UPDATED', 'DESCRIPTION', 'URL'],
        items.map((f) => [f.name, f.image, String(f.revision), f.updatedAt, f.description, functionUrl(ctx.gateway, f) ?? '']),
      );
    });

  program
    .command('describe')
    .description("one function's definition")
    .argument('<name>', 'function name')
    .action(async (name: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const fn = await ctx.authenticated().call<FunctionView>(functionPath(name));
      if (ctx.json) return printJson(fn);
      for (const key of DETAIL_FIELDS) if (fn[key] !== undefined) printLine(`${`${key}:`.padEnd(16)}${display(fn[key])}`);
      const url = functionUrl(ctx.gateway, fn);
      if (url) printLine(`${'url:'.padEnd(16)}${url}`);
      const env = Object.entries((fn.env as Record<string, string> | undefined) ?? {});
      printLine(env.length === 0 ? `${'env:'.padEnd(16)}(none)` : 'env:');
      for (const [key, value] of env) printLine(`  ${key}=${value}`);
    });

  program
    .command('remove')
    .alias('rm')
    .description('delete a function')
    .argument('<name>', 'function name')
    .action(async (name: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      await ctx.authenticated().call(functionPath(name), { method: 'DELETE' });
      if (ctx.json) printJson({ name, action: 'removed' });
      else printLine(`removed ${name}`);
    });
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

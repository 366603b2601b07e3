import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { authCommands } from './commands/auth.js';
import { authorCommands } from './commands/author.js';
import { deployCommand } from './commands/deploy.js';
import { executionCommands } from './commands/executions.js';
import { functionCommands } from './commands/functions.js';
import { invokeCommand } from './commands/invoke.js';
import { logsCommand } from './commands/logs.js';

/** cli/package.json, two levels above dist/src in the repo and in the installed package alike. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The whole command tree; global options reach every command through optsWithGlobals(). */
export function buildProgram(): Command {
  const program = new Command('faas')
    .description('the FaaS platform from the command line (the same HTTP API as the curl examples)')
    .version(VERSION)
    .option('--gateway <url>', 'the platform URL (default: $FAAS_GATEWAY, then the one you logged in to, then http://localhost:9080)')
    .option('--json', 'machine-readable output on stdout (errors as JSON on stderr)')
    .option('--insecure', 'allow a plain http:// gateway that is not this machine (password and token in clear)')
    .showHelpAfterError('(add --help for usage)')
    // Before the subcommands exist, so they inherit it: main.ts decides how the process ends.
    .exitOverride();
  authCommands(program);
  deployCommand(program);
  functionCommands(program);
  invokeCommand(program);
  executionCommands(program);
  logsCommand(program);
  authorCommands(program);
  return program;
}

import type { Command } from 'commander';
import { CliError } from '../api.js';
import { saveConfig } from '../config.js';
import { contextOf } from '../context.js';
import { printJson, printLine } from '../output.js';
import { readStdin, withoutFinalNewline } from '../stdin.js';

interface CredentialOptions {
  readonly username: string;
  readonly passwordStdin?: boolean;
}

/** From stdin with --password-stdin, else a prompt that echoes nothing; never from argv. */
async function readPassword(options: CredentialOptions, confirm: boolean): Promise<string> {
  if (options.passwordStdin) {
    const value = withoutFinalNewline(await readStdin());
    if (!value) throw new CliError('--password-stdin: stdin was empty');
    return value;
  }
  if (!process.stdin.isTTY) throw new CliError('no terminal to prompt for the password: pipe it with --password-stdin');
  // Loaded only to prompt: every other command starts without it.
  const { default: password } = await import('@inquirer/password');
  const value = await password({ message: 'Password:' });
  if (confirm && (await password({ message: 'Password again:' })) !== value) throw new CliError('the passwords do not match');
  return value;
}

export function authCommands(program: Command): void {
  program
    .command('login')
    .description('log in and save the token to $XDG_CONFIG_HOME/faas/config.json (mode 0600)')
    .requiredOption('-u, --username <name>', 'your username')
    .option('--password-stdin', 'read the password from stdin instead of prompting')
    .action(async (options: CredentialOptions, command: Command) => {
      const ctx = contextOf(command);
      const secret = await readPassword(options, false);
      const login = await ctx.anonymous().call<{ token: string; expiresIn: number }>('/auth/login', {
        body: { username: options.username, password: secret },
      });
      saveConfig(ctx.env.configFile, { gateway: ctx.gateway, username: options.username, token: login.token });
      if (ctx.json) printJson({ gateway: ctx.gateway, username: options.username, expiresIn: login.expiresIn, configFile: ctx.env.configFile });
      else printLine(`Logged in to ${ctx.gateway} as ${options.username} (token valid ${login.expiresIn} s, saved in ${ctx.env.configFile})`);
    });

  program
    .command('register')
    .description('create an account (then `faas login`)')
    .requiredOption('-u, --username <name>', 'the username to create: 3-32 of letters, digits, _ or -')
    .option('--password-stdin', 'read the password from stdin instead of prompting')
    .action(async (options: CredentialOptions, command: Command) => {
      const ctx = contextOf(command);
      const secret = await readPassword(options, true);
      const user = await ctx.anonymous().call<Record<string, unknown>>('/auth/register', {
        body: { username: options.username, password: secret },
      });
      if (ctx.json) printJson(user);
      else printLine(`Registered ${options.username} on ${ctx.gateway}; now run: faas login -u ${options.username}`);
    });

  program
    .command('logout')
    .description('forget the saved token')
    .action((_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      saveConfig(ctx.env.configFile, { gateway: ctx.saved.gateway });
      if (ctx.json) printJson({ loggedOut: true });
      else printLine('Logged out');
    });

  program
    .command('whoami')
    .description('the user behind the saved token')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const user = await ctx.authenticated().call<{ username: string; id: string }>('/auth/validate');
      if (ctx.json) printJson(user);
      else printLine(`${user.username} on ${ctx.gateway}`);
    });
}

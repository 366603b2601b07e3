import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CliError } from '../api.js';
import { contextOf, type Context } from '../context.js';
import { buildFunction, buildable, type Built } from '../image-build.js';
import { printJson, printLine, withSpinner } from '../output.js';
import { LANGS, defaultImage, loadStack, type Lang, type StackFunction } from '../stack-file.js';
import { scaffold, stackWithEntry } from '../templates.js';
import { deployStack } from './deploy.js';

/** The registry's rule for function names, checked before anything is written. */
const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** The stack file's functions, each handler folder taken relative to the file. */
function loadBuildStack(file: string): StackFunction[] {
  return loadStack(file).map((fn) => (fn.build ? { ...fn, build: { ...fn.build, handler: resolve(dirname(file), fn.build.handler) } } : fn));
}

async function buildAll(ctx: Context, stack: readonly StackFunction[], names: readonly string[]): Promise<Built[]> {
  const todo = buildable(stack, names);
  if (todo.length === 0) throw new CliError('nothing to build: no function in the stack file has a lang (faas new writes one)');
  const built: Built[] = [];
  await withSpinner(ctx, 'Building', async (update) => {
    for (const fn of todo) {
      update(`Building ${fn.name}`);
      built.push(await buildFunction(fn));
    }
  });
  return built;
}

function newFunction(ctx: Context, name: string, options: { lang: Lang; file: string }): void {
  if (!FUNCTION_NAME.test(name)) throw new CliError(`invalid function name ${name}: letters, digits, - and _, starting with a letter or digit, at most 63`);
  const dir = join(dirname(options.file), name);
  const stack = stackWithEntry(options.file, name, { lang: options.lang, handler: `./${name}`, image: defaultImage(name), runtime: 'process' });
  const files = scaffold(name, options.lang, dir);
  writeFileSync(options.file, stack);
  if (ctx.json) return printJson({ name, lang: options.lang, files, stack: options.file });
  printLine(`created ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
  printLine(`added ${name} to ${options.file}; next: faas up, then faas invoke ${name}`);
}

const fileOption = (): Option => new Option('-f, --file <path>', 'the stack file').default('faas.yml');

export function authorCommands(program: Command): void {
  program
    .command('new')
    .description('write a function from a template (handler, package file) and add it to the stack file')
    .argument('<name>', 'function name')
    .addOption(new Option('--lang <lang>', 'the template').choices(LANGS).makeOptionMandatory())
    .addOption(fileOption())
    .action((name: string, options: { lang: Lang; file: string }, command: Command) => newFunction(contextOf(command), name, options));

  program
    .command('build')
    .description("build the images of the stack file's functions from their templates (docker build, local)")
    .argument('[names...]', 'only these functions')
    .addOption(fileOption())
    .action(async (names: string[], options: { file: string }, command: Command) => {
      const ctx = contextOf(command);
      const built = await buildAll(ctx, loadBuildStack(options.file), names);
      if (ctx.json) return printJson(built);
      for (const b of built) printLine(`built       ${b.name} -> ${b.pinned} (also ${b.image})`);
    });

  program
    .command('up')
    .description('build, then deploy: the built functions are deployed at their new image')
    .argument('[names...]', 'only these functions (built and deployed)')
    .addOption(fileOption())
    .option('--prune', 'remove your functions that the file does not name (not with names)')
    .option('-y, --yes', 'do not ask before --prune removes functions (for scripts)')
    .action(async (names: string[], options: { file: string; prune?: boolean; yes?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      if (options.prune && names.length > 0) throw new CliError('--prune removes what the file does not name: it cannot go with names');
      const stack = loadBuildStack(options.file);
      // A stack of ready images only: nothing to build, `up` is a deploy.
      const built = names.length > 0 || stack.some((fn) => fn.build) ? await buildAll(ctx, stack, names) : [];
      const pinned = new Map(built.map((b) => [b.name, b.pinned]));
      const chosen = names.length === 0 ? stack : stack.filter((fn) => names.includes(fn.name));
      const deployed = chosen.map((fn) => (pinned.has(fn.name) ? { ...fn, spec: { ...fn.spec, image: pinned.get(fn.name) } } : fn));
      await deployStack(ctx, deployed, { file: options.file, prune: options.prune, yes: options.yes });
    });
}

import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, parseDocument } from 'yaml';
import { CliError } from './api.js';
import type { Lang } from './stack-file.js';

/** The repository's templates/ (cli/dist/src is three levels below it), or $FAAS_TEMPLATES. */
export function templatesDir(): string {
  const dir = process.env.FAAS_TEMPLATES ?? fileURLToPath(new URL('../../../templates/', import.meta.url));
  if (!existsSync(dir)) throw new CliError(`no templates at ${dir}: run faas from a clone of the platform's repository, or set FAAS_TEMPLATES`);
  return dir;
}


/** Copies templates/<lang>/function/ to dir, naming the package after the function. */
export function scaffold(name: string, lang: Lang, dir: string): string[] {
  if (existsSync(dir)) throw new CliError(`${dir} already exists: choose another name or remove it`);
  const source = join(templatesDir(), lang, 'function');
  cpSync(source, dir, { recursive: true });
  const written = readdirSync(dir).map((file) => join(dir, file));
  for (const file of written) {
    const text = readFileSync(file, 'utf8');
    if (text.includes('{{name}}')) writeFileSync(file, text.replaceAll('{{name}}', name.toLowerCase()));
  }
  return written;
}

/**
 * The stack file's text with the function added (a new file when missing), keeping its comments
 * and order; refuses a name the file has, before anything is written.
 */
export function stackWithEntry(file: string, name: string, entry: Readonly<Record<string, unknown>>): string {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : 'version: 1\nfunctions: {}\n');
  if (doc.errors.length > 0) throw new CliError(`${file}: not valid YAML: ${doc.errors[0]?.message ?? ''}`);
  const functions = doc.get('functions');
  if (functions !== undefined && functions !== null && !isMap(functions)) throw new CliError(`${file}: functions must be a mapping`);
  if (isMap(functions) && functions.has(name)) throw new CliError(`${file} already has a function named ${name}`);
  if (!isMap(functions)) doc.set('functions', doc.createNode({}));
  doc.setIn(['functions', name], doc.createNode(entry));
  // A flow-style empty map `{}` would stay flow style with its first entry in it: block style reads better.
  const map = doc.get('functions');
  if (isMap(map)) map.flow = false;
  return doc.toString();
}

/** The build context of one function: the template's files, and the handler's folder as function/. */
export function buildContext(lang: Lang, handlerDir: string, into: string): void {
  const source = resolve(handlerDir);
  if (!existsSync(source)) throw new CliError(`handler folder ${handlerDir} not found`);
  const template = join(templatesDir(), lang);
  for (const entry of readdirSync(template)) {
    if (entry !== 'function') cpSync(join(template, entry), join(into, entry), { recursive: true });
  }
  cpSync(source, join(into, 'function'), { recursive: true, filter: (path) => !/(^|\/)(node_modules|__pycache__|\.git)$/.test(path) });
}

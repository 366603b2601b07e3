import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './api.js';
import { defaultImage, type StackFunction } from './stack-file.js';
import { buildContext } from './templates.js';

export interface Built {
  readonly name: string;
  /** The tag the file names (`image`, else faas-fn/NAME:latest). */
  readonly image: string;
  /** The same image tagged by its content (repo:<12 hex of its id>): what `faas up` deploys. */
  readonly pinned: string;
}

/** Runs the docker CLI; resolves with its output, rejects with the output's tail on failure. */
function docker(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', (err) => reject(new CliError(`cannot run docker: ${err.message} (faas build needs the docker CLI and an engine)`)));
    child.once('close', (code) => {
      if (code === 0) return resolve(output);
      const tail = output.trimEnd().split('\n').slice(-25).join('\n');
      reject(new CliError(`docker ${args[0] ?? ''} failed (exit ${String(code)}):\n${tail}`));
    });
  });
}

/** Without a tag the reference means :latest; the pinned tag replaces whichever there is. */
function repositoryOf(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(0, colon) : image;
}

/**
 * Builds one function from its template and handler folder. The content tag makes a rebuilt
 * handler a new image reference, so `faas up` updates the definition and no warm container of
 * the old code serves it.
 */
export async function buildFunction(fn: StackFunction): Promise<Built> {
  if (!fn.build) throw new CliError(`${fn.name}: no lang in the stack file, nothing to build (it names a ready image)`);
  const image = typeof fn.spec.image === 'string' ? fn.spec.image : defaultImage(fn.name);
  const context = mkdtempSync(join(tmpdir(), 'faas-build-'));
  try {
    buildContext(fn.build.lang, fn.build.handler, context);
    await requireBase(context);
    await docker(['build', '-t', image, context]);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const id = (await docker(['image', 'inspect', '-f', '{{.Id}}', image])).trim();
  const pinned = `${repositoryOf(image)}:${id.replace(/^sha256:/, '').slice(0, 12)}`;
  await docker(['tag', image, pinned]);
  return { name: fn.name, image, pinned };
}

/** No image registry may answer here: a missing base is a hint, not a failed pull. */
async function requireBase(context: string): Promise<void> {
  const base = /^ARG BASE_IMAGE=(\S+)$/m.exec(readFileSync(join(context, 'Dockerfile'), 'utf8'))?.[1];
  if (!base) return;
  await docker(['image', 'inspect', base]).catch(() => {
    throw new CliError(`base image ${base} not found: build it once with bin/build-base-images.sh (no image registry needed)`);
  });
}

/** The functions to build: the named ones (each must have a lang), else every one that has one. */
export function buildable(stack: readonly StackFunction[], names: readonly string[]): StackFunction[] {
  if (names.length === 0) return stack.filter((fn) => fn.build);
  return names.map((name) => {
    const fn = stack.find((f) => f.name === name);
    if (!fn) throw new CliError(`no function named ${name} in the stack file`);
    if (!fn.build) throw new CliError(`${name}: no lang in the stack file, nothing to build`);
    return fn;
  });
}

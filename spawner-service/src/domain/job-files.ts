import { AppError } from '@faas/common';
import type { IncomingExecution } from './execution-request.js';
import type { JobFiles, ObjectFiles } from './ports.js';

export interface FileLimits {
  readonly maxInputBytes: number;
  readonly maxOutputFiles: number;
  readonly maxOutputBytes: number;
}

/** An execution whose files cannot be had: its record says why, and no container starts. */
export class InputError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INPUT_UNAVAILABLE', message, options);
  }
}

export const wantsFiles = (request: IncomingExecution): boolean => (request.inputs?.length ?? 0) > 0 || request.outputs === true;

/**
 * The inputs to place and where outputs go, checked before any container exists: a missing
 * input or inputs over the cap are an InputError naming them.
 */
export async function jobFiles(objects: ObjectFiles, limits: FileLimits, request: IncomingExecution): Promise<JobFiles> {
  const names = request.inputs ?? [];
  const inputs = await objects.inputs(request.userId, names).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'NOT_FOUND') throw new InputError(`input ${err.message}`, { cause: err });
    throw err;
  });
  const total = inputs.reduce((sum, f) => sum + f.size, 0);
  if (total > limits.maxInputBytes) {
    throw new InputError(`inputs total ${total} bytes; the limit is ${limits.maxInputBytes} (MAX_INPUT_BYTES)`);
  }
  return {
    inputs,
    outputs: { maxFiles: limits.maxOutputFiles, maxBytes: limits.maxOutputBytes, sink: objects.outputSink(request.userId, request.id) },
  };
}

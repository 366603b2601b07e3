import pretty from 'pino-pretty';

export type LogOutput = ReturnType<typeof pretty> | undefined;

/**
 * Where standalone logs go. A developer at a terminal reads pino-pretty's lines; anything else
 * (a pipe, a file, a log collector) gets pino's JSON. `LOG_FORMAT=pretty|json` overrides.
 */
export function logOutput(format: string | undefined, isTTY: boolean): LogOutput {
  const choice = format || (isTTY ? 'pretty' : 'json');
  if (choice === 'json') return undefined;
  if (choice !== 'pretty') throw new Error(`LOG_FORMAT must be "pretty" or "json", not "${format}"`);
  // sync: a line is on the terminal before the process moves on (and before it exits).
  return pretty({ colorize: isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', sync: true });
}

import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** `destination`: stdout by default; standalone passes pino-pretty on a terminal, tests a stream to read. */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    redact: {
      // `value`: a secret's value, should one ever reach a log call by mistake.
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'value', '*.value'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

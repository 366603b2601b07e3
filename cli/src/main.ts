import { CommanderError } from 'commander';
import { reportError } from './output.js';
import { buildProgram } from './program.js';

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has already printed its usage message; it carries its own exit code (0 for --help).
  if (err instanceof CommanderError) process.exitCode = err.exitCode;
  else process.exitCode = reportError(err, program.opts<{ json?: boolean }>().json === true || process.argv.includes('--json'));
}

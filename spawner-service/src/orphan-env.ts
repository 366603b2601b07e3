import { envFields } from '@faas/common';
import { z } from 'zod';

/** The engine and the orphan sweep: read alike by the spawner and the node sweeper. */
export const orphanEnvShape = {
  DOCKER_SOCKET: z.string().min(1).default('/var/run/docker.sock'),
  ORPHAN_GRACE_MS: envFields.int(1_000, 3_600_000).default(60_000),
  ORPHAN_SWEEP_MS: envFields.int(1_000, 3_600_000).default(60_000),
};

/** "key=value,key=value" -> { key: value }. */
export const labelPairsField = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((pair) => pair.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9_.-]+=[^,]*$/, 'labels are key=value pairs, comma-separated')))
  .transform((pairs) => Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])) as Readonly<Record<string, string>>);

import type Docker from 'dockerode';
import type { Logger } from '@faas/common';
import { sweepOrphans } from './infra/orphan-sweep.js';
import type { NodeSweeperConfig } from './node-sweeper-config.js';

export interface NodeSweeper {
  /** One sweep now (or the one under way); how many containers it removed, 0 when it failed. */
  sweepOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The orphan sweep without a spawner, one per node (docs/deployment.md, "Several nodes"): Swarm
 * places no spawner on a node that comes back after a crash, so the containers its dead spawners
 * left would stay until one is placed there again. Beside the spawners' grace policy it removes
 * every container of a spawner known dead on this engine (infra/spawner-liveness.ts) at once.
 * Sweeps at start, then every config.sweepMs.
 */
export async function startNodeSweeper(deps: { docker: Docker; config: NodeSweeperConfig; logger: Logger }): Promise<NodeSweeper> {
  const { docker, config, logger } = deps;
  let underWay: Promise<number> | undefined;
  const sweepOnce = (): Promise<number> =>
    (underWay ??= sweepOrphans({ docker, policy: config.policy, logger, atStart: false, engineLiveness: true, labels: config.labels })
      .catch((err: unknown) => {
        logger.error({ err }, 'orphan sweep failed; trying again next interval');
        return 0;
      })
      .finally(() => (underWay = undefined)));
  await sweepOnce();
  const timer = setInterval(() => void sweepOnce(), config.sweepMs);
  timer.unref();
  logger.info({ sweepMs: config.sweepMs, graceMs: config.policy.stoppedGraceMs }, 'node sweeper started');
  return {
    sweepOnce,
    async stop() {
      clearInterval(timer);
      await underWay;
    },
  };
}

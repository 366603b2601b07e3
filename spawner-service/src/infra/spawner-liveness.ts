import type Docker from 'dockerode';

/** Every platform image carries it (the Dockerfile's LABEL); a container inherits its image's labels. */
const WORKSPACE_LABEL = 'faas.workspace';
/** Images whose containers run a spawner: the spawner service, and standalone's in-process one. */
const SPAWNING_WORKSPACES: ReadonlySet<string> = new Set(['spawner-service', 'standalone']);
const STOPPED_STATES: ReadonlySet<string> = new Set(['exited', 'dead', 'removing']);

/**
 * The id a spawner container runs under: its SPAWNER_ID, else its hostname (the config's
 * default). A host-network container's hostname is the host's: a spawner process on the host
 * could have it too, so it names nobody.
 */
function spawnerIdOf(info: Docker.ContainerInspectInfo): string | undefined {
  const set = info.Config.Env?.find((e) => e.startsWith('SPAWNER_ID='));
  if (set) return set.slice('SPAWNER_ID='.length);
  return info.HostConfig.NetworkMode === 'host' ? undefined : info.Config.Hostname;
}

/**
 * Which of `ids` are spawners known dead on this engine: a spawner container here runs under
 * that id and every such container has stopped. A spawner that is not a container here (a
 * process on the host, a container on another engine) is never known dead: its containers
 * stay under the grace policy (orphans.ts). On a node that comes back after a crash, every
 * container that ran there has stopped, its spawners' own containers too.
 */
export async function deadSpawnersOnEngine(docker: Docker, ids: ReadonlySet<string>): Promise<ReadonlySet<string>> {
  if (ids.size === 0) return new Set();
  const listed = await docker.listContainers({ all: true, filters: { label: [WORKSPACE_LABEL] } });
  const spawners = listed.filter((c) => SPAWNING_WORKSPACES.has(c.Labels[WORKSPACE_LABEL] ?? ''));
  const seen = await Promise.all(spawners.map((c) => docker.getContainer(c.Id).inspect().catch(() => undefined)));
  const alive = new Set<string>();
  const stopped = new Set<string>();
  for (const info of seen) {
    const id = info && spawnerIdOf(info);
    if (id === undefined || !ids.has(id)) continue;
    (STOPPED_STATES.has(info?.State.Status ?? '') ? stopped : alive).add(id);
  }
  return new Set([...stopped].filter((id) => !alive.has(id)));
}

import { NotFoundError, UnavailableError } from '@faas/common';
import type Docker from 'dockerode';
import type { ServiceScaler } from '../domain/ports.js';

interface ServiceInfo {
  readonly Version?: { readonly Index?: number };
  readonly Spec?: { readonly Mode?: { readonly Replicated?: { readonly Replicas?: number } } } & Record<string, unknown>;
}

function translate(err: unknown, service: string): Error {
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 404) return new NotFoundError(`service ${service} not found`, { cause: err });
  return new UnavailableError(`docker engine: service ${service}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * The engine's service inspect and update calls. An update carries the spec's version: when
 * someone else changed the service in between, the engine refuses it and the next check retries.
 */
export function dockerServiceScaler(docker: Docker, service: string): ServiceScaler {
  const inspect = async (): Promise<ServiceInfo> => {
    try {
      return (await docker.getService(service).inspect()) as ServiceInfo;
    } catch (err) {
      throw translate(err, service);
    }
  };
  return {
    async replicas() {
      const replicas = (await inspect()).Spec?.Mode?.Replicated?.Replicas;
      if (replicas === undefined) throw new UnavailableError(`service ${service} is not in replicated mode`);
      return replicas;
    },
    async scaleTo(replicas) {
      const info = await inspect();
      const spec = { ...info.Spec, Mode: { Replicated: { Replicas: replicas } } };
      try {
        await docker.getService(service).update({ _query: { version: info.Version?.Index }, _body: spec });
      } catch (err) {
        throw translate(err, service);
      }
    },
  };
}

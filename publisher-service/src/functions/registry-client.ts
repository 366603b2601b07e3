import { AppError, NotFoundError, UnauthenticatedError, UnavailableError, type FunctionDefinition, type Principal } from '@faas/common';
import axios, { type AxiosInstance } from 'axios';

export interface CallerContext {
  /** The verified caller: a function is looked up among this user's own. */
  readonly principal: Pick<Principal, 'id'>;
  readonly token: string;
  readonly requestId: string;
}

export interface FunctionResolver {
  getFunction(name: string, caller: CallerContext): Promise<FunctionDefinition>;
}

/** Asks the registry over HTTP with the caller's own token, so the registry enforces ownership. */
export function createRegistryClient(options: { baseUrl: string; timeoutMs: number }): FunctionResolver {
  const http: AxiosInstance = axios.create({ baseURL: options.baseUrl, timeout: options.timeoutMs, validateStatus: () => true });
  return {
    async getFunction(name, caller) {
      let res;
      try {
        res = await http.get<unknown>(`/registry/functions/${encodeURIComponent(name)}`, {
          headers: { authorization: `Bearer ${caller.token}`, 'x-request-id': caller.requestId },
        });
      } catch (err) {
        throw new UnavailableError('function registry is unreachable', { cause: err });
      }
      if (res.status === 200) return res.data as FunctionDefinition;
      if (res.status === 404) throw new NotFoundError(`function ${name} not found`);
      if (res.status === 401) throw new UnauthenticatedError();
      if (res.status >= 500) throw new UnavailableError(`function registry answered ${res.status}`);
      throw new AppError('UNAVAILABLE', `function registry answered ${res.status}`);
    },
  };
}

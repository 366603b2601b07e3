import { UnavailableError, openSecret, type SealedSecret, type SecretKeyring } from '@faas/common';
import { NatsError, type KV } from 'nats';
import { MissingSecretError, type SecretResolver } from '../domain/ports.js';

/** The registry's entry in KV `secrets` (`<userId>.<NAME>`); only the sealed part matters here. */
interface StoredSecret {
  readonly sealed: SealedSecret;
}

/** Reads the sealed values from KV `secrets` and opens them with the keyring, for one run. */
export function createSecretResolver(kv: KV, keyring: SecretKeyring): SecretResolver {
  const read = async (key: string) => {
    try {
      return await kv.get(key);
    } catch (err) {
      if (err instanceof NatsError) throw new UnavailableError('the secrets store is not answering', { cause: err });
      throw err;
    }
  };
  return {
    async resolve(userId, names) {
      const entries = await Promise.all(names.map((name) => read(`${userId}.${name}`)));
      const missing = names.filter((_, i) => entries[i]?.operation !== 'PUT');
      if (missing.length > 0) throw new MissingSecretError(missing);
      const env: Record<string, string> = {};
      names.forEach((name, i) => {
        env[name] = openSecret(keyring, { userId, name }, (entries[i]?.json<StoredSecret>() as StoredSecret).sealed);
      });
      return env;
    },
  };
}

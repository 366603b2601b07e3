import { randomBytes } from 'node:crypto';
import { NATS_PERMISSIONS, NATS_SERVICES, type NatsPermissions, type NatsService } from './nats-permissions.js';

/** The environment variable nats-server reads a service's password from in the stack (`password: $VAR`). */
export const natsPasswordVariable = (service: NatsService): string => `NATS_${service.toUpperCase()}_PASSWORD`;

/** A password as the configuration holds it: a literal, or a variable of nats-server's environment. */
export type PasswordSource = { readonly literal: string } | { readonly variable: string };

export interface AuthorizationOptions {
  /** Where each service's password comes from. */
  readonly passwords: (service: NatsService) => PasswordSource;
  /**
   * Test harness only: a user with every permission, which clients without credentials become
   * (`no_auth_user`), so fixtures keep connecting as before while services use their own users.
   */
  readonly fixtureUser?: { readonly user: string; readonly password: string };
}

const quote = (value: string): string => JSON.stringify(value);

function passwordValue(source: PasswordSource): string {
  return 'literal' in source ? quote(source.literal) : `$${source.variable}`;
}

function permissionsBlock(permissions: NatsPermissions): string[] {
  const list = (subjects: readonly string[]): string => `[\n${subjects.map((s) => `            ${quote(s)}`).join('\n')}\n          ]`;
  return [
    '      permissions: {',
    `        publish: { allow: ${list(permissions.publish)} }`,
    `        subscribe: { allow: ${list(permissions.subscribe)} }`,
    '      }',
  ];
}

/**
 * The nats-server `authorization` block for the platform's users and their permissions
 * (NATS_PERMISSIONS): every client must authenticate, and may do only what its table row allows.
 */
export function natsAuthorizationConfig(options: AuthorizationOptions): string {
  const users = NATS_SERVICES.map((service) =>
    ['    {', `      user: ${quote(service)}`, `      password: ${passwordValue(options.passwords(service))}`, ...permissionsBlock(NATS_PERMISSIONS[service]), '    }'].join('\n'),
  );
  if (options.fixtureUser) {
    users.push(`    { user: ${quote(options.fixtureUser.user)}, password: ${quote(options.fixtureUser.password)} }`);
  }
  const lines = [
    '# Generated from common/src/nats-permissions.ts (npm run nats-auth -w @faas/common): do not edit.',
    ...(options.fixtureUser ? [`no_auth_user: ${quote(options.fixtureUser.user)}`] : []),
    'authorization {',
    '  users = [',
    users.join('\n'),
    '  ]',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The stack's file: every password is a variable the NATS task's entrypoint sets from its Docker secret. */
export function stackNatsAuthorization(): string {
  return natsAuthorizationConfig({ passwords: (service) => ({ variable: natsPasswordVariable(service) }) });
}

/** A fresh random password per service (standalone mode and the test harness). */
export function randomNatsPasswords(): Record<NatsService, string> {
  return Object.fromEntries(NATS_SERVICES.map((s) => [s, randomBytes(24).toString('hex')])) as Record<NatsService, string>;
}

export { AUTH_PREFIX, authApiSection, authRouter, connectAuthDeps, createApp, type AuthDeps } from './app.js';
export { loadAuthConfig, type AuthConfig } from './config.js';

export { PUBLISHER_PREFIX, publisherApiSection, createApp, publisherRouter, type PublisherDeps } from './wiring/app.js';
export { connectPublisherDeps } from './wiring/connect-deps.js';
export { loadPublisherConfig, type PublisherConfig } from './config.js';
export { checkCallbackUrl } from './callbacks/callbacks.js';
export { createFunctionCache, type FunctionCache } from './functions/function-cache.js';
export { createRegistryClient, type CallerContext, type FunctionResolver } from './functions/registry-client.js';
export { SIGNATURE_HEADER, signCallback, verifyCallbackSignature } from './callbacks/callback-signing.js';

export { PUBLISHER_PREFIX, connectPublisherDeps, publisherApiSection, createApp, publisherRouter, type PublisherDeps } from './app.js';
export { loadPublisherConfig, type PublisherConfig } from './config.js';
export { checkCallbackUrl } from './callbacks.js';
export { createFunctionCache, type FunctionCache } from './function-cache.js';
export { createRegistryClient, type CallerContext, type FunctionResolver } from './registry-client.js';
export { SIGNATURE_HEADER, signCallback, verifyCallbackSignature } from './callback-signing.js';

export { PUBLISHER_PREFIX, connectPublisherDeps, createApp, publisherRouter, type PublisherDeps } from './app.js';
export { loadPublisherConfig, type PublisherConfig } from './config.js';
export { checkCallbackUrl } from './callbacks.js';

export { REGISTRY_PREFIX, registryApiSection, registryRouter, connectRegistryDeps, createApp, type RegistryDeps } from './app.js';
export { loadRegistryConfig, type RegistryConfig } from './config.js';
export { createFunctionStore, type FunctionStore, type StoredFunction } from './function-store.js';
export { deleteFunction, getFunction, listFunctions, registerFunction, updateFunction, type FunctionDeps, type FunctionPage } from './functions.js';
export type { FunctionSpec } from './function-input.js';
export { imageReferenceProblem } from './image-ref.js';
export type { LimitPolicy } from './limits.js';
export type { RegistryRouteDeps } from './routes.js';

export { REGISTRY_PREFIX, registryApiSection, registryRouter, connectRegistryDeps, createApp, type RegistryDeps } from './app.js';
export { loadRegistryConfig, type RegistryConfig } from './config.js';
export { createFunctionStore, type FunctionStore, type StoredFunction } from './functions/function-store.js';
export { deleteFunction, getFunction, listFunctions, registerFunction, updateFunction, type FunctionDeps, type FunctionPage } from './functions/functions.js';
export type { FunctionSpec } from './functions/function-input.js';
export { imageReferenceProblem } from './functions/image-ref.js';
export type { LimitPolicy } from './functions/limits.js';
export type { RegistryRouteDeps } from './functions/routes.js';

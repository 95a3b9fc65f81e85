export { type Env, parseEnv, resolveSecrets } from './env.js';
export { ConfigError } from './errors.js';
export {
  loadCliConfig,
  loadEmbedderConfig,
  loadEmbeddingModelConfig,
  loadRouterConfig,
  loadWriterConfig,
} from './load.js';
export {
  cliSchema,
  embedderSchema,
  KNOWN_VARIABLES,
  routerSchema,
  SECRET_VARIABLES,
  writerSchema,
} from './schema.js';
export type * from './types.js';

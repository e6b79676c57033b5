export { CONFIG_KEYS, keySpec, type KeySpec } from './schema.js';
export { NETWORKS, resolveNetwork, type NetworkEndpoints } from './networks.js';
export {
  loadConfig,
  redactedConfig,
  readConfigFile,
  defaultConfigFile,
  type Config,
  type ConfigSource,
  type ConfigValue,
  type LoadConfigOptions,
} from './load.js';
export { loadSigner, parsePrivateKey, readKeystore, type LoadedKey } from './keys.js';
export { ConfigError } from './errors.js';
export { writeConfigValues } from './write.js';

/**
 * Effective configuration: flag > environment (K3SDAAS_*) > YAML file > default. Every value remembers where it
 * came from so `k3sdaas config view` can say so. Unknown keys and invalid values fail with the key named.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_KEYS, keySpec } from './schema.js';
import { resolveNetwork, type NetworkEndpoints } from './networks.js';
import { ConfigError } from './errors.js';
import { parseConfigYaml } from './parse.js';

export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

export interface ConfigValue {
  value: string;
  source: ConfigSource;
}

export interface Config {
  /** Path of the YAML file consulted (it may not exist). */
  file: string;
  values: Record<string, ConfigValue>;
  get(key: string): string | undefined;
  network: NetworkEndpoints;
}

export interface LoadConfigOptions {
  /** `--config` */
  file?: string;
  /** Flags already mapped to config keys (undefined values are ignored). */
  flags?: Record<string, string | undefined>;
  env?: NodeJS.ProcessEnv;
}

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.K3SDAAS_CONFIG ?? join(homedir(), '.k3sdaas', 'config.yaml');
}

function flatten(obj: unknown, prefix: string, out: Record<string, unknown>, file: string): void {
  if (obj === null || obj === undefined) return;
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ConfigError(`${file}: expected a mapping of keys${prefix ? ` at '${prefix}'` : ''}`);
  }
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !keySpec(key)) flatten(v, key, out, file);
    else out[key] = v;
  }
}

export function readConfigFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = parseConfigYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const flat: Record<string, unknown> = {};
  flatten(doc ?? {}, '', flat, file);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (!keySpec(key)) throw new ConfigError(`${file}: unknown key '${key}'`, { key });
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(`${file}: '${key}' must be a string`, { key });
    }
    out[key] = String(value);
  }
  return out;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? defaultConfigFile(env);
  if (options.file && !existsSync(options.file)) throw new ConfigError(`config file not found: ${options.file}`);
  const fromFile = readConfigFile(file);
  const values: Record<string, ConfigValue> = {};
  for (const spec of CONFIG_KEYS) {
    const flag = options.flags?.[spec.key];
    const envValue = env[spec.env];
    let chosen: ConfigValue | undefined;
    if (flag !== undefined) chosen = { value: flag, source: 'flag' };
    else if (envValue !== undefined && envValue !== '') chosen = { value: envValue, source: 'env' };
    else if (fromFile[spec.key] !== undefined) chosen = { value: fromFile[spec.key], source: 'file' };
    else {
      const d = spec.default?.();
      if (d !== undefined) chosen = { value: d, source: 'default' };
    }
    if (!chosen) continue;
    const problem = spec.validate?.(chosen.value);
    if (problem) {
      const where = chosen.source === 'env' ? `env ${spec.env}` : chosen.source === 'file' ? file : chosen.source;
      throw new ConfigError(`invalid '${spec.key}' (from ${where}): ${problem}`, { key: spec.key });
    }
    values[spec.key] = chosen;
  }
  for (const key of Object.keys(options.flags ?? {})) {
    if (!keySpec(key)) throw new ConfigError(`unknown config key '${key}'`, { key });
  }
  const base = resolveNetwork(values.network.value)!;
  const network: NetworkEndpoints = {
    ...base,
    rpcUrl: values.rpcUrl?.value ?? base.rpcUrl,
    faucetUrl: values.faucetUrl?.value ?? base.faucetUrl,
  };
  return { file, values, get: (key) => values[key]?.value, network };
}

/** The effective configuration with secrets redacted, for display. */
export function redactedConfig(config: Config): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [key, v] of Object.entries(config.values)) {
    out[key] = keySpec(key)?.secret ? { value: '<redacted>', source: v.source } : v;
  }
  return out;
}

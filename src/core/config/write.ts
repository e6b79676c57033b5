/** Writes keys into the YAML config file (creating it 0600), validating each value first. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { keySpec } from './schema.js';
import { ConfigError } from './errors.js';

export function writeConfigValues(file: string, values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    const spec = keySpec(key);
    if (!spec) throw new ConfigError(`unknown config key '${key}'`, { key });
    if (spec.secret) throw new ConfigError(`'${key}' is a secret; keep it in a key file or the environment`, { key });
    const problem = spec.validate?.(value);
    if (problem) throw new ConfigError(`invalid '${key}': ${problem}`, { key });
  }
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : '');
  if (doc.errors.length) throw new ConfigError(`${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  for (const [key, value] of Object.entries(values)) {
    // Keep the file's own style: update a nested key where it exists, otherwise write the dotted path nested.
    doc.setIn(key.split('.'), value);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, doc.toString(), { mode: 0o600 });
}

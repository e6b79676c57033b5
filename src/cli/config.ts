/** `k3sdaas config view|path|set`: the effective configuration, secrets redacted. */
import { Command } from 'commander';
import { CONFIG_KEYS } from '../core/config/schema.js';
import { redactedConfig } from '../core/config/load.js';
import { writeConfigValues } from '../core/config/write.js';
import { cliConfig } from './config-flags.js';

export function configCommand(): Command {
  const config = new Command('config').description('show or change the k3sdaas configuration');

  config
    .command('view')
    .description('print the effective configuration (flag > env > file > default), secrets redacted')
    .option('--json', 'one JSON object: key -> { value, source }')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const c = cliConfig(cmd);
      const shown = redactedConfig(c);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ file: c.file, network: c.network, values: shown }) + '\n');
        return;
      }
      process.stdout.write(`# ${c.file}\n`);
      const width = Math.max(...CONFIG_KEYS.map((k) => k.key.length));
      for (const spec of CONFIG_KEYS) {
        const v = shown[spec.key];
        if (!v) continue;
        process.stdout.write(`${spec.key.padEnd(width)}  ${v.value}  (${v.source})\n`);
      }
      process.stdout.write(`${'rpc'.padEnd(width)}  ${c.network.rpcUrl}\n`);
    });

  config
    .command('path')
    .description('print the path of the config file in use')
    .action((_opts: unknown, cmd: Command) => {
      process.stdout.write(cliConfig(cmd).file + '\n');
    });

  config
    .command('set')
    .description('write a key into the config file (e.g. clusterId 0x…)')
    .argument('<key>', `one of: ${CONFIG_KEYS.filter((k) => !k.secret).map((k) => k.key).join(', ')}`)
    .argument('<value>')
    .action((key: string, value: string, _opts: unknown, cmd: Command) => {
      const c = cliConfig(cmd);
      writeConfigValues(c.file, { [key]: value });
      process.stdout.write(`${key} = ${value} written to ${c.file}\n`);
    });

  return config;
}

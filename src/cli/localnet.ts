/** `k3sdaas localnet start`: runs the embedded Sui-compatible dev chain until SIGINT/SIGTERM. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger, type LogLevel } from '../core/log.js';
import { DEFAULT_CHECKPOINT_MS, DEFAULT_FAUCET_PORT, DEFAULT_RPC_PORT, startLocalnet, type Localnet } from '../localnet/index.js';
import { durationOption } from './duration-flag.js';

interface StartFlags {
  port: number;
  faucetPort: number;
  host: string;
  dataDir?: string;
  reset?: boolean;
  ephemeral?: boolean;
  checkpointMs: number;
  json?: boolean;
  showKeys?: boolean;
}

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

export const defaultDataDir = () => path.join(os.homedir(), '.k3sdaas', 'localnet');

/** Writes the dev account keys next to the journal (0600), so tools can import them without printing secrets. */
function writeKeysFile(net: Localnet): string | undefined {
  if (!net.dataDir) return undefined;
  const file = path.join(net.dataDir, 'dev-accounts.json');
  const body = net.accounts.map((a) => ({ index: a.index, address: a.address, secretKey: a.secretKey }));
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  return file;
}

function render(net: Localnet, keysFile: string | undefined, showKeys: boolean): string {
  const lines = [
    'localnet is running',
    `  RPC (gRPC-web)  ${net.rpcUrl}`,
    `  faucet          ${net.faucetUrl}/v2/gas`,
    `  chain id        ${net.chainId}`,
    `  package id      ${net.packageId}`,
    `  data dir        ${net.dataDir ?? '(ephemeral, in memory)'}`,
    '  dev accounts (5 × 1000 SUI each at genesis):',
    ...net.accounts.map((a) => `    [${a.index}] ${a.address}${showKeys ? `  ${a.secretKey}` : ''}`),
    keysFile
      ? `  keys: ${keysFile} (suiprivkey…; import with \`sui keytool import <key> ed25519\` or Ed25519Keypair.fromSecretKey)`
      : '  keys: rerun with --show-keys to print them (they are the same on every localnet)',
    '',
    `  SDK: new SuiGrpcClient({ baseUrl: '${net.rpcUrl}', network: 'localnet' })`,
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n') + '\n';
}

export function localnetCommand(): Command {
  const localnet = new Command('localnet').description('an embedded Sui-compatible dev chain with the K3s-DaaS package');

  localnet
    .command('start')
    .description('start localnet (Sui gRPC API over gRPC-web, faucet, funded dev accounts)')
    .option('--port <port>', 'RPC port (0 = any free port)', int('--port'), DEFAULT_RPC_PORT)
    .option('--faucet-port <port>', 'faucet port (0 = any free port)', int('--faucet-port'), DEFAULT_FAUCET_PORT)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', `where state is kept across restarts (default ${defaultDataDir()})`)
    .option('--reset', 'wipe the data dir first (new genesis)')
    .option('--ephemeral', 'keep state in memory only')
    .addOption(durationOption('--checkpoint-ms <ms>', 'checkpoint interval (ms, or a duration such as 1s); 0 = one checkpoint per transaction', DEFAULT_CHECKPOINT_MS, { bare: 'ms', allowZero: true }))
    .option('--json', 'print one JSON line once ready')
    .option('--show-keys', 'also print the dev accounts\' secret keys')
    .action(async (opts: StartFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<{ logLevel?: LogLevel }>();
      const logger = createLogger({ level: g.logLevel, fields: { component: 'localnet' } });
      if (opts.ephemeral && opts.dataDir) throw new InvalidArgumentError('--ephemeral and --data-dir exclude each other');
      const net = await startLocalnet({
        port: opts.port,
        faucetPort: opts.faucetPort,
        host: opts.host,
        dataDir: opts.ephemeral ? undefined : (opts.dataDir ?? defaultDataDir()),
        ephemeral: opts.ephemeral,
        reset: opts.reset,
        checkpointMs: opts.checkpointMs,
        logger,
      });
      const keysFile = writeKeysFile(net);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            rpcUrl: net.rpcUrl,
            faucetUrl: net.faucetUrl,
            chainId: net.chainId,
            packageId: net.packageId,
            dataDir: net.dataDir ?? null,
            keysFile: keysFile ?? null,
            accounts: net.accounts.map((a) => ({ address: a.address, ...(opts.showKeys ? { secretKey: a.secretKey } : {}) })),
          }) + '\n',
        );
      } else process.stdout.write(render(net, keysFile, !!opts.showKeys));
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          net.stop().then(resolve, (err) => {
            logger.error('stop failed', { error: err });
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  return localnet;
}

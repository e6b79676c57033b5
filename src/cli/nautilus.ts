/**
 * `k3sdaas nautilus start`: the control-plane host. Generates the enclave key at boot, registers it for the cluster
 * (debug registration only on debug clusters, with a warning), follows the chain and executes each request against
 * the kube-apiserver named by --kubeconfig, or by the `k3s server` it supervises with --k3s.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { fileCursorStore } from '../core/chain/index.js';
import { ConfigError } from '../core/config/index.js';
import { KubeForwarder, loadKubeConfig } from '../core/kube/index.js';
import { generateEnclaveKey } from '../nautilus/enclave-key.js';
import { commandAttestationProvider } from '../nautilus/attestation.js';
import { serveNautilusHealth } from '../nautilus/health.js';
import { Journal } from '../nautilus/journal.js';
import { K3sServer } from '../nautilus/k3s-server.js';
import { NautilusService } from '../nautilus/service.js';
import { DEFAULT_TENANT_POLICY } from '../nautilus/tenants.js';
import { JoinTokenIssuer, tokenSourceFromSpec } from '../nautilus/join-tokens.js';
import { parseListen } from '../gateway/serve.js';
import { ensureTlsMaterial } from '../gateway/tls.js';
import { DEFAULT_BLOB_RETENTION_MS, HttpBlobStore, serveBlobs } from '../core/blobs/index.js';
import { durationOption } from './duration-flag.js';
import { blobStoreFromFlags } from './blob-flags.js';
import { cliRuntime } from './context.js';
import { createProgress } from './progress.js';
import { integerFlag, listenFlag, untilSignal } from './serve-common.js';
import { SessionHub } from '../nautilus/sessions.js';
import { SessionRecorder } from '../nautilus/session-recorder.js';
import { SessionRevoker } from '../nautilus/session-revoker.js';
import { SessionLimit } from '../nautilus/session-limit.js';

interface StartFlags {
  cluster?: string;
  kubeconfig?: string;
  k3s?: boolean;
  k3sBin?: string;
  dataDir?: string;
  listen: string;
  blobListen: string;
  blobRetention: number;
  sessionListen: string;
  sessionUrl?: string;
  maxSession?: number;
  sessionRecordEvery: number;
  joinTokenSource?: string;
  walrusPublisher?: string;
  walrusAggregator?: string;
  concurrency: number;
  json?: boolean;
  attestationCommand?: string;
  releasedNamespaces: 'keep' | 'delete';
}

function releasedArg(v: string): 'keep' | 'delete' {
  if (v !== 'keep' && v !== 'delete') throw new InvalidArgumentError('must be keep or delete');
  return v;
}

export function nautilusCommand(): Command {
  const nautilus = new Command('nautilus').description('the control-plane host: executes on-chain requests against k3s');
  nautilus
    .command('start')
    .description('follow the chain for a cluster, execute each request once, answer on chain signed by the enclave key')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--kubeconfig <file>', 'kubeconfig of the kube-apiserver to forward to (default: nautilus.kubeconfig from config)')
    .option('--k3s', 'start and supervise `k3s server` and use its kubeconfig (production)')
    .option('--k3s-bin <path>', 'the k3s executable (default: k3s on PATH)')
    .option('--data-dir <dir>', 'journal and cursors live in <dir>/nautilus/<cluster> (default: dataDir from config)')
    .option('--listen <host:port>', 'health and metrics endpoint', listenFlag, '127.0.0.1:9102')
    .option('--blob-listen <host:port>', 'HTTPS blob service for bodies too large for a transaction', listenFlag, '127.0.0.1:9103')
    .addOption(durationOption('--blob-retention <duration>', 'how long the blob service keeps each blob (in <data dir>/blobs) after it was stored', DEFAULT_BLOB_RETENTION_MS))
    .option('--session-listen <host:port>', 'WebSocket endpoint of streaming sessions (watch, logs -f); frames are end-to-end encrypted', listenFlag, '127.0.0.1:9104')
    .option('--session-url <url>', 'the session endpoint as requesters reach it (default: ws://<session-listen>)')
    .addOption(durationOption('--max-session <duration>', "lower the cluster's on-chain maximum session duration (max_session_ms) for this enclave (e.g. 10m)"))
    .addOption(durationOption('--session-record-every <duration>', 'a long session is also recorded on chain this often', 10 * 60_000))
    .option('--walrus-publisher <url>', 'store large answers on Walrus (with --walrus-aggregator) instead of the local blob service')
    .option('--walrus-aggregator <url>', 'read large request bodies from Walrus through this aggregator')
    .option('--join-token-source <spec>', 'where worker join tokens come from: k3s[:path], command:<exe> [args], file:<path>, generated (dev); default k3s with --k3s, otherwise none')
    .option('--concurrency <n>', 'respond transactions in flight at once (one gas coin each; each carries many answers, and 16 times as many requests execute against k3s at once)', integerFlag('--concurrency'), 4)
    .option('--json', 'print one JSON line once ready')
    .option('--released-namespaces <keep|delete>', "what happens to a tenant's namespace when its token unstakes or is slashed below the minimum (its RoleBinding is always removed)", releasedArg, 'keep' as const)
    .option('--attestation-command <cmd>', 'AWS Nitro: prints the attestation document (hex/base64) for {public_key} and {user_data} (hex); required on non-debug clusters')
    .action(async (flags: StartFlags, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster, dataDir: flags.dataDir, 'nautilus.kubeconfig': flags.kubeconfig });
      const clusterId = rt.clusterId();
      const dir = join(rt.config.get('dataDir')!, 'nautilus', clusterId);
      const progress = createProgress({ quiet: flags.json });
      // Everything started is stopped again, in reverse order, on Ctrl-C and when startup fails half-way.
      const stops: Array<() => unknown> = [];
      const stopAll = async () => {
        for (const stop of stops.reverse()) await Promise.resolve(stop()).catch((err) => rt.logger.warn('stop failed', { error: err }));
      };
      try {
        let k3s: K3sServer | null = null;
        let kubeconfigFile = rt.config.get('nautilus.kubeconfig');
        if (flags.k3s) {
          k3s = new K3sServer({ bin: flags.k3sBin, dataDir: dir, logger: rt.logger });
          stops.push(() => k3s!.stop());
          await progress.step('starting k3s server', () => k3s!.start());
          kubeconfigFile = k3s.kubeconfig;
        }
        if (!kubeconfigFile) throw new ConfigError('pass --kubeconfig <file> (or --k3s) so nautilus knows which kube-apiserver to use', { key: 'nautilus.kubeconfig' });
        const forwarder = new KubeForwarder({ kubeconfig: loadKubeConfig(kubeconfigFile) });
        stops.push(() => forwarder.close());
        // A kubeconfig field that cannot be honoured (or unreadable credentials) stops the start, naming it.
        await forwarder.ready();
        const blobAddr = parseListen(flags.blobListen);
        const blobTls = await ensureTlsMaterial(join(dir, 'blob-tls'), [...new Set([blobAddr.host, '127.0.0.1', 'localhost'])]);
        // Uploads to the blob service need a token the operator hands to its gateways (reads are open: ciphertexts).
        const blobTokenFile = join(dir, 'blob-token');
        if (!existsSync(blobTokenFile)) {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          writeFileSync(blobTokenFile, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
        }
        const blobToken = readFileSync(blobTokenFile, 'utf8').trim();
        const blobServer = await serveBlobs({ host: blobAddr.host, port: blobAddr.port, tls: blobTls, token: blobToken, dir: join(dir, 'blobs'), retentionMs: flags.blobRetention });
        stops.push(() => blobServer.close());
        const blobs =
          blobStoreFromFlags({ walrusPublisher: flags.walrusPublisher, walrusAggregator: flags.walrusAggregator }) ??
          new HttpBlobStore(blobServer.url, { ca: blobTls.caPem, token: blobToken });
        stops.push(() => blobs.close());
        const journal = new Journal(join(dir, 'journal.jsonl'));
        stops.push(() => journal.close());
        const enclaveKey = generateEnclaveKey();
        const sessions = new SessionHub({ forwarder, logger: rt.logger, maxSessionMs: flags.maxSession, recordEveryMs: flags.sessionRecordEvery, endpoint: flags.sessionUrl });
        const sessionAddr = parseListen(flags.sessionListen);
        const sessionUrl = await sessions.listen(sessionAddr.host, sessionAddr.port);
        // The cluster's maximum session duration, before any session is granted.
        const sessionLimit = await new SessionLimit({ client: rt.client, packageId: rt.packageId, clusterId, hub: sessions, logger: rt.logger }).start();
        stops.push(() => sessionLimit.stop());
        const executor = await rt.concurrentExecutor(flags.concurrency);
        const recorder = new SessionRecorder({ executor, packageId: rt.packageId, clusterId, enclaveKey, logger: rt.logger }).attach(sessions);
        stops.push(() => recorder.idle());
        stops.push(() => sessions.close());
        const service = new NautilusService({
          sessions,
          client: rt.client,
          executor,
          packageId: rt.packageId,
          originalPackageId: rt.originalPackageId,
          clusterId,
          enclaveKey,
          forwarder,
          blobs,
          journal,
          cursors: fileCursorStore(join(dir, 'cursors.json')),
          logger: rt.logger,
          // Executing is quick next to waiting for the chain: enough at once to fill a respond batch per gas coin.
          concurrency: 16 * flags.concurrency,
        attestation: flags.attestationCommand ? commandAttestationProvider(flags.attestationCommand) : undefined,
          provisioning: { policy: { ...DEFAULT_TENANT_POLICY, onRelease: flags.releasedNamespaces } },
        });
        await progress.step('registering the enclave key on chain', () => service.registerEnclave());
        await progress.step('installing cluster RBAC and tenant namespaces, catching up with the chain', async () => {
          stops.push(() => service.stop());
          await service.start();
          await service.follower!.waitCaughtUp();
        });
        const revoker = await new SessionRevoker({ client: rt.client, packageId: rt.packageId, clusterId, hub: sessions, logger: rt.logger }).start();
        stops.push(() => revoker.stop());
        const tokenSpec = flags.joinTokenSource ?? (flags.k3s ? `k3s${flags.k3sBin ? ':' + flags.k3sBin : ''}` : undefined);
        let issuer: JoinTokenIssuer | null = null;
        if (tokenSpec) {
          issuer = new JoinTokenIssuer({
            client: rt.client,
            executor,
            packageId: rt.packageId,
            originalPackageId: rt.originalPackageId,
            clusterId,
            enclaveKey,
            source: tokenSourceFromSpec(tokenSpec),
            cursors: fileCursorStore(join(dir, 'join-token-cursors.json')),
            logger: rt.logger,
          });
          stops.push(() => issuer!.stop());
          await progress.step('issuing join tokens to registered workers', () => issuer!.start());
        } else {
          rt.logger.warn('no --join-token-source: workers that register will not receive join tokens from this nautilus');
        }
        const { host, port } = parseListen(flags.listen);
        const health = await serveNautilusHealth({ service, forwarder, host, port, gas: executor.gas });
        stops.push(() => health.close());
        const ready = {
          clusterId,
          packageId: rt.packageId,
          enclavePublicKey: Buffer.from(enclaveKey.publicKey).toString('hex'),
          apiserver: forwarder.server.origin,
          health: health.url,
          blobs: blobServer.url,
          sessions: sessionUrl,
          blobCa: join(dir, 'blob-tls', 'ca.crt'),
          blobTokenFile,
          pid: process.pid,
        };
        if (flags.json) process.stdout.write(JSON.stringify(ready) + '\n');
        else process.stdout.write(`nautilus serving cluster ${clusterId} → ${ready.apiserver}\n  health ${health.url}/readyz  metrics ${health.url}/metrics\n  blobs  ${blobServer.url} (CA ${ready.blobCa}, upload token ${blobTokenFile})\nPress Ctrl-C to stop.\n`);
        await untilSignal(stopAll);
      } catch (err) {
        await stopAll();
        throw err;
      }
    });
  return nautilus;
}

/**
 * `k3sdaas watch`: follows the chain and shows each request's life (submitted → authorized or rejected → stored →
 * answered), the workers and totals. An Ink TUI on a terminal; plain lines otherwise; `--json` one object per event.
 */
import { Command, InvalidArgumentError } from 'commander';
import { silentLogger } from '../core/log.js';
import { ChainLifecycleSource } from '../tui/source.js';
import { jsonLine, plainLine } from '../tui/plain.js';
import { K3sDaasError } from '../core/errors.js';
import { cliRuntime, describeCliError } from './context.js';

interface WatchFlags {
  cluster?: string;
  json?: boolean;
  from: 'beginning' | 'now';
  rejections: boolean;
}

const from = (v: string) => {
  if (v !== 'beginning' && v !== 'now') throw new InvalidArgumentError('--from must be beginning or now');
  return v;
};

/** Resolves on SIGINT/SIGTERM or when stdout goes away (e.g. `| head`). */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      process.stdout.off('error', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    process.stdout.on('error', done);
  });
}

export function watchCommand(): Command {
  return new Command('watch')
    .description("follow requests on chain: each request's lifecycle, the workers, and totals")
    .option('--cluster <id>', 'only this cluster (default: clusterId from config; every cluster of the package when unset)')
    .option('--json', 'one JSON object per lifecycle event (no TUI)')
    .option('--from <where>', 'beginning (replay the history first) or now', from, 'beginning')
    .option('--no-rejections', 'do not look up aborted submissions in the node\'s transaction index')
    .action(async (flags: WatchFlags, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const clusterId = rt.config.get('clusterId') ?? null;
      // a network that does not answer at all is a mistake to report, not an outage to wait out in silence
      await Promise.resolve(rt.client.ledgerService.getServiceInfo({}, { timeout: 10_000 }).response).catch((err: unknown) => {
        throw new K3sDaasError('NETWORK_UNREACHABLE', describeCliError(err), { cause: err });
      });
      const tui = !flags.json && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY);
      const source = new ChainLifecycleSource({
        client: rt.client,
        packageId: rt.packageId,
        originalPackageId: rt.originalPackageId,
        clusterId: clusterId ?? undefined,
        startAt: flags.from,
        rejections: flags.rejections,
        // Log lines on the terminal would tear the TUI; the header shows connection problems instead.
        logger: tui ? silentLogger : rt.logger,
      });
      if (!tui) {
        const format = flags.json ? jsonLine : plainLine;
        source.subscribe({ events: (batch) => process.stdout.write(batch.map((e) => format(e) + '\n').join('')) });
        source.start();
        await untilInterrupted();
        await source.stop();
        return;
      }
      const [{ render }, { createElement }, { App }] = await Promise.all([import('ink'), import('react'), import('../tui/components/App.js')]);
      const app = render(createElement(App, { feed: source, clusterId }));
      source.start();
      await app.waitUntilExit();
      await source.stop();
    });
}

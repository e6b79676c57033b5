/**
 * Supervises `k3s server` on the control-plane host: starts it with a kubeconfig written where nautilus reads it,
 * restarts it with exponential backoff if it dies, and stops it cleanly (SIGTERM, then SIGKILL after a grace period).
 */
import { backoffDelay } from '../core/retry.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { K3sDaasError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';

export interface K3sServerOptions {
  bin?: string;
  dataDir: string;
  extraArgs?: string[];
  logger?: Logger;
}

export class K3sServer {
  readonly kubeconfig: string;
  #child: ChildProcess | null = null;
  #stopping = false;
  #restarts = 0;
  readonly #log: Logger;

  constructor(readonly o: K3sServerOptions) {
    this.kubeconfig = join(o.dataDir, 'k3s.yaml');
    this.#log = (o.logger ?? silentLogger).child({ component: 'k3s-server' });
  }

  get restarts(): number {
    return this.#restarts;
  }

  #spawn(): void {
    const args = ['server', '--write-kubeconfig', this.kubeconfig, '--write-kubeconfig-mode', '0600', '--data-dir', join(this.o.dataDir, 'k3s'), ...(this.o.extraArgs ?? [])];
    const child = spawn(this.o.bin ?? 'k3s', args, { stdio: ['ignore', 'inherit', 'inherit'] });
    this.#child = child;
    child.on('error', (err) => this.#log.error('cannot start k3s server', { error: err }));
    child.on('exit', (code, signal) => {
      this.#child = null;
      if (this.#stopping) return;
      this.#restarts++;
      const delay = backoffDelay(this.#restarts + 1, { minDelayMs: 500, maxDelayMs: 30_000, factor: 2 }, () => 0);
      this.#log.warn('k3s server exited; restarting', { code, signal, restartInMs: delay, restarts: this.#restarts });
      setTimeout(() => !this.#stopping && this.#spawn(), delay);
    });
  }

  /** Starts k3s and waits until its kubeconfig exists. */
  async start(timeoutMs = 120_000): Promise<void> {
    this.#spawn();
    const until = Date.now() + timeoutMs;
    while (!existsSync(this.kubeconfig)) {
      if (Date.now() > until) throw new K3sDaasError('K3S_START_TIMEOUT', `k3s server wrote no kubeconfig to ${this.kubeconfig} in ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => (clearTimeout(kill), resolve()));
      child.kill('SIGTERM');
    });
  }
}

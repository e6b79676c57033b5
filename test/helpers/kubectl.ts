/** Drives the real kubectl (/usr/bin/kubectl) with a fresh discovery cache per test file. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectlRunner(kubeconfig: string, env: NodeJS.ProcessEnv = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'k3sdaas-kcache-'));
  return (args: string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        { env: { ...process.env, ...env }, timeout: timeoutMs },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin!.end(input);
    });
}

/** A kubeconfig with one context: the server, its CA, and either a static token or an exec plugin. */
export function writeKubeconfig(
  server: string,
  caPem: string,
  user: { token: string } | { exec: { command: string; args: string[]; env?: Array<{ name: string; value: string }> } },
): string {
  const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-kubeconfig-'));
  const file = join(dir, 'config');
  const u =
    'token' in user
      ? { token: user.token }
      : { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', ...user.exec } };
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k3sdaas', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
      users: [{ name: 'k3sdaas', user: u }],
      contexts: [{ name: 'k3sdaas', context: { cluster: 'k3sdaas', user: 'k3sdaas' } }],
      'current-context': 'k3sdaas',
    }),
    { mode: 0o600 },
  );
  return file;
}

/** A kubeconfig for a plain-HTTP API with no credentials (the embedded Kubernetes API), namespace `default`. */
export function writePlainKubeconfig(path: string, server: string): string {
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'dev', cluster: { server } }],
      contexts: [{ name: 'dev', context: { cluster: 'dev', user: 'dev', namespace: 'default' } }],
      'current-context': 'dev',
      users: [{ name: 'dev', user: {} }],
    }),
  );
  return path;
}

/** Runs the real kubectl (/usr/bin/kubectl) with `args` (HOME = `home`, no inherited KUBECONFIG), feeding `input`; rejects on timeout. */
export function spawnKubectl(args: string[], home: string, input?: string, timeoutMs = 20_000): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/kubectl', args, { env: { ...process.env, KUBECONFIG: '', HOME: home } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')} timed out`));
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

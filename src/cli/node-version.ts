/**
 * The Node.js the CLI needs (undici, the HTTP client under everything, needs 22.19). bin/k3sdaas runs the Node 24
 * the package brings (npm package `node`); when that is missing (installed with --ignore-scripts) and the system
 * Node is older, say so in one line instead of crashing inside a dependency. Imports nothing.
 */
export const NODE_REQUIRED = '22.19.0';

export function nodeTooOld(version: string = process.versions.node, required: string = NODE_REQUIRED): boolean {
  const have = version.split('.').map(Number);
  const need = required.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) < need[i];
  }
  return false;
}

/** Exits with a one-line message when this Node is too old. */
export function requireNode(): void {
  if (!nodeTooOld()) return;
  process.stderr.write(
    `error: k3sdaas needs Node.js >= ${NODE_REQUIRED}, but ${process.execPath} is ${process.version}; reinstall k3sdaas with npm install scripts enabled (it brings Node 24), or install Node >= ${NODE_REQUIRED}\n`,
  );
  process.exit(1);
}

import { defineConfig } from 'tsup';

export default defineConfig({
  // cli: the whole CLI, each subcommand in its own chunk (loaded by `import()` when named).
  // token: the kubeconfig exec credential plugin (`k3sdaas token`, run by kubectl on every command): it loads only
  // the credential cache unless it has to sign (bin/k3sdaas picks it when the first argument is `token`).
  entry: { cli: 'src/cli/main.ts', token: 'src/cli/token-main.ts' },
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  outDir: 'dist',
  sourcemap: true,
  clean: true,
  splitting: true,
  // Dependencies stay in node_modules; only our code is bundled.
  skipNodeModulesBundle: true,
});

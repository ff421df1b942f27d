// Builds the optional native kernels (postinstall and `npm run build:native`). Never fails
// the install: without a compiler or oneDNN, Permanence falls back to its wasm kernels.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');

function nodeGypCommand() {
  // npm exports its bundled node-gyp to lifecycle scripts; else look beside npm.
  if (process.env.npm_config_node_gyp) return [process.execPath, process.env.npm_config_node_gyp];
  const bundled = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  if (existsSync(bundled)) return [process.execPath, bundled];
  return ['node-gyp'];
}

const args = ['rebuild'];
// Use the installed Node headers when present, so the build needs no download.
const prefix = join(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
if (!existsSync('/usr/include/dnnl.hpp') && !existsSync('/usr/local/include/dnnl.hpp')) {
  console.log('[permanence] native kernels skipped: oneDNN headers not found (apt-get install libdnnl-dev)');
  process.exit(strict ? 1 : 0);
}
const [command, ...prefixArgs] = nodeGypCommand();
const result = spawnSync(command, [...prefixArgs, ...args], {
  cwd: here,
  stdio: strict ? 'inherit' : 'pipe',
});
if (result.status === 0) {
  console.log('[permanence] native kernels built (oneDNN)');
} else {
  const lines = (result.stderr?.toString() ?? '').split('\n').map((l) => l.trim());
  const detail = result.error?.message ?? lines.find((l) => /error/i.test(l)) ?? lines.filter(Boolean).at(-1);
  console.log(`[permanence] native kernels not built, using wasm kernels: ${detail}`);
  if (strict) process.exit(1);
}

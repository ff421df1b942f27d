// Builds the native kernels (postinstall and `npm run build:native`), installing oneDNN
// first when run as root with apt-get. Never fails the install: without a compiler or
// oneDNN, Permanence falls back to its wasm kernels and says how to get the fast path.
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

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * The fast path is the default: as root on Debian/Ubuntu, install oneDNN's headers and
 * library with apt-get (PERMANENCE_NO_APT=1 skips this). Elsewhere the caller prints the
 * exact command to run.
 */
function installOneDnn() {
  if (!isRoot() || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return;
  console.log('[permanence] installing oneDNN for the native kernels: apt-get install libdnnl-dev');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'libdnnl-dev'], {
      env,
      stdio: 'pipe',
    });
  // A fresh machine has no package lists yet: update once and retry.
  if (install().status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'pipe' });
    const retry = install();
    if (retry.status !== 0) {
      const why = retry.stderr?.toString().trim().split('\n').at(-1) ?? 'unknown error';
      console.log(`[permanence] apt-get install libdnnl-dev failed: ${why}`);
    }
  }
}

const args = ['rebuild'];
// Use the installed Node headers when present, so the build needs no download.
const prefix = join(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const hasHeaders = () => existsSync('/usr/include/dnnl.hpp') || existsSync('/usr/local/include/dnnl.hpp');
if (!hasHeaders() && process.env.PERMANENCE_NO_APT !== '1') installOneDnn();
if (!hasHeaders()) {
  const sudo = isRoot() ? '' : 'sudo ';
  console.log(
    [
      '',
      '[permanence] ==============================================================',
      '[permanence] native kernels NOT built: oneDNN headers not found.',
      '[permanence] Training runs on the slow path (about 4x slower). For the fast path:',
      `[permanence]   ${sudo}apt-get install -y libdnnl-dev && npm run build:native`,
      '[permanence] ==============================================================',
      '',
    ].join('\n'),
  );
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

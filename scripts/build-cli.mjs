#!/usr/bin/env node
/**
 * Precompiles the CLI's start-up code (services/cli/main.ts and what it imports statically: the
 * command definitions and their help texts) into dist/cli.mjs with esbuild, so that
 * `permanence --help` and `--version` run on bare node, without tsx's start-up (about half
 * a second on this project's 2-core VM; docs/benchmarks in docs/cli.md). Commands
 * import their heavy modules inside their actions, and an action always runs through tsx
 * from the sources (bin/permanence.mjs), so the bundle only ever prints help or the version.
 * dist/cli.json lists the bundle's source files: the bin falls back to tsx when any of them
 * is newer than the bundle, so an edit never shows stale help.
 *
 * Run by `npm install` (postinstall) and `npm run build:cli`; a failure only warns: the bin
 * then always takes the tsx path.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bundle into outDir (default dist/); returns the source files it contains. */
export async function buildCli(outDir = join(ROOT, 'dist')) {
  const esbuild = await import('esbuild');
  const outfile = join(outDir, 'cli.mjs');
  const result = await esbuild.build({
    entryPoints: [join(ROOT, 'services/cli/main.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    // program.ts reads package.json beside the repository root: keep that URL pointing there.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(ROOT, 'sim/cli/program.ts')).href) },
    plugins: [
      {
        // Actions' dynamic imports stay out of the bundle: they never run from it.
        name: 'actions-stay-external',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) =>
            args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
          );
        },
      },
    ],
  });
  const sources = Object.keys(result.metafile.inputs).map((p) => relative(ROOT, resolve(ROOT, p)));
  writeFileSync(join(outDir, 'cli.json'), `${JSON.stringify({ root: ROOT, sources }, null, 2)}\n`);
  return { outfile, sources };
}

/** Builds into a fresh folder, then renames each file into dist/: a running bin never reads a torn file. */
async function install() {
  const dist = join(ROOT, 'dist');
  mkdirSync(dist, { recursive: true });
  const staging = mkdtempSync(join(dist, '.build-'));
  try {
    const built = await buildCli(staging);
    renameSync(built.outfile, join(dist, 'cli.mjs'));
    renameSync(join(staging, 'cli.json'), join(dist, 'cli.json'));
    return built;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { sources } = await install();
    console.log(`[permanence] CLI start-up bundle built (dist/cli.mjs, ${sources.length} sources)`);
  } catch (error) {
    console.warn(`[permanence] CLI bundle not built (the CLI runs through tsx): ${error.message}`);
  }
}

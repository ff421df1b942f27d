/**
 * The layering of the code, read from the import graph (TypeScript's parser, not a regex):
 * the simulator library stands alone, defenses do not depend on the experiment runner,
 * prediction does not depend on HTTP, and Prometheus only listens to the loop's events.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every relative import and re-export of a file, resolved to a repository path. */
function edges(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
  const out: Edge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
    out.push({ from: file, to: relative(ROOT, resolve(ROOT, dirname(file), specifier.text)), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            named !== undefined &&
            ts.isNamedImports(named) &&
            named.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const graph = [...sourceFiles('sim'), ...sourceFiles('services')].flatMap(edges);
const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const violations = (fromDir: string, toDir: string, allowTypes = false) =>
  graph
    .filter((e) => under(e.from, fromDir) && under(e.to, toDir) && !(allowTypes && e.typeOnly))
    .map((e) => `${e.from} -> ${e.to}`);

test('the import graph is read (the check is not vacuous)', () => {
  assert.ok(graph.some((e) => e.from === 'sim/experiment/runner.ts' && e.to === 'sim/stream/update-step.ts'));
  assert.ok(graph.some((e) => e.from === 'services/worker/simulation.ts' && under(e.to, 'sim/stream')));
});

test('sim/ imports nothing from services/', () => {
  assert.deepEqual(violations('sim', 'services'), []);
});

test('sim/defenses does not import sim/experiment', () => {
  assert.deepEqual(violations('sim/defenses', 'sim/experiment'), []);
});

test('services/predict does not import services/http', () => {
  assert.deepEqual(violations('services/predict', 'services/http'), []);
});

test('services/http sees the loop through its LoopControl interface, not the LiveLoop class', () => {
  assert.deepEqual(violations('services/http', 'services/loop/live-loop.ts'), []);
});

test('services/metrics imports services/loop only for event types', () => {
  assert.deepEqual(violations('services/metrics', 'services/loop', true), []);
});

test('services/loop writes no metric: it imports neither prom-client nor services/metrics', () => {
  assert.deepEqual(violations('services/loop', 'services/metrics'), []);
  const promClient = sourceFiles('services/loop').filter((f) =>
    /from 'prom-client'/.test(readFileSync(join(ROOT, f), 'utf8')),
  );
  assert.deepEqual(promClient, []);
});

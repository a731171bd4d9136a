// Bundles the MCP server: `node server/bundle-worker.js <outdir> server=<entry>`, writing <outdir>/server.js with
// its source map. Run by server/bundle.ts (bundleServer),
// which must stay synchronous for the CDK app, while esbuild plugins need its asynchronous API: hence this child
// process. Plain CommonJS so that plain `node` runs it without a TypeScript loader.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const [outdir, ...entries] = process.argv.slice(2);
const entryPoints = Object.fromEntries(
  entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
);
const ROOT = path.join(__dirname, '..');

/** Every installed copy of every package under node_modules, by name: [{ dir, version }]. */
function installedCopies() {
  const copies = new Map();
  const visit = (nodeModules) => {
    if (!fs.existsSync(nodeModules)) return;
    for (const entry of fs.readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@')
        ? fs.readdirSync(path.join(nodeModules, entry)).map((e) => path.join(nodeModules, entry, e))
        : [path.join(nodeModules, entry)];
      for (const dir of dirs) {
        const manifest = path.join(dir, 'package.json');
        if (fs.existsSync(manifest)) {
          const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
          if (name && version) copies.set(name, [...(copies.get(name) ?? []), { dir, version }]);
        }
        visit(path.join(dir, 'node_modules'));
      }
    }
  };
  visit(path.join(ROOT, 'node_modules'));
  return copies;
}

const parts = (v) => v.split(/[.+]/).slice(0, 3).map(Number);
/** Semver compatibility class: the major version (the minor for 0.x). */
const line = (v) => {
  const [major, minor] = parts(v);
  return major === 0 ? `0.${minor}` : String(major);
};
const newerFirst = (a, b) => {
  const x = parts(a.version);
  const y = parts(b.version);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i] - x[i];
  return 0;
};

/**
 * Each AWS SDK client pins its own minor of @smithy/core, @aws-sdk/core and friends, so npm nests a copy under
 * every client whose range the top-level copy does not satisfy: nine copies of @smithy/core alone, half the
 * bundle. Every importer asks for a caret range (^3.x), which the newest installed copy of the same major
 * satisfies, so each import of an AWS package resolves to that copy: what `npm dedupe` would install if the
 * lockfile let it. Different majors (the older Billing Conductor client's 1.x/2.x) stay apart; pre-releases are
 * never substituted.
 */
function dedupeAwsPackages() {
  return {
    name: 'dedupe-aws-packages',
    setup(build) {
      const copies = installedCopies();
      build.onResolve({ filter: /^@(smithy|aws-sdk|aws-crypto)\// }, async (args) => {
        if (args.pluginData === 'dedupe') return undefined;
        const name = args.path.split('/').slice(0, 2).join('/');
        const all = copies.get(name);
        if (!all || all.length < 2) return undefined;
        const natural = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'dedupe',
        });
        if (natural.errors.length > 0) return undefined;
        const own = all.find((c) => natural.path.startsWith(c.dir + path.sep));
        if (!own || own.version.includes('-')) return undefined;
        const [best] = all
          .filter((c) => line(c.version) === line(own.version) && !c.version.includes('-'))
          .sort(newerFirst);
        if (best.dir === own.dir) return undefined;
        const resolveDir = best.dir.slice(0, best.dir.lastIndexOf(`${path.sep}node_modules${path.sep}`));
        return build.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'dedupe' });
      });
    },
  };
}

esbuild
  .build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    // Node 20 so the same files run on the developer machine and on the Node 22 image.
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Every other character escaped: server/src/boot.ts reads app.js as Latin-1, which is ASCII-safe only.
    charset: 'ascii',
    sourcemap: 'external',
    legalComments: 'none',
    logLevel: 'error',
    plugins: [dedupeAwsPackages()],
    // A native module cannot be bundled: the duckdb engine requires it from node_modules at run time (the image,
    // which ships only the bundle, runs the athena engine).
    external: ['@duckdb/node-api'],
  })
  .catch(() => process.exit(1));

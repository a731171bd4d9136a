import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

/** The front's entry point (config, log, the HTTP front answering `initialize`), bundled into `server.js`. */
export const SERVER_ENTRY = path.join(__dirname, 'src', 'main.ts');

/** The core's entry point (MCP SDK, zod, tools, AWS gateway), bundled into `core.js`, which the front loads. */
export const CORE_ENTRY = path.join(__dirname, 'src', 'core.ts');

/**
 * The JavaScript files {@link bundleServer} writes, each with its `.map` beside it, all shipped in the image:
 * `server.js` is what `node` runs; it loads `core.js` from its own directory.
 */
export const BUNDLE_FILES: readonly string[] = Object.freeze(['server.js', 'core.js']);

/** The Dockerfile of the runtime image, expecting the {@link BUNDLE_FILES} and their maps beside it. */
export const SERVER_DOCKERFILE = path.join(__dirname, 'Dockerfile');

/** The bundler itself: a child process, because esbuild plugins need its asynchronous API (see the file). */
export const BUNDLE_WORKER = path.join(__dirname, 'bundle-worker.js');

/**
 * Bundles the MCP server into `<outDir>/server.js` and `<outDir>/core.js` (+ external source maps): CommonJS files
 * with every dependency inlined, runnable with plain `node` and no node_modules, minified, with each AWS SDK package
 * included once per major version (see bundle-worker.js). Two files so that a cold start answers `initialize` after
 * parsing a small front only: `server.js` holds the configuration and the HTTP front and must not bundle any
 * package (the build fails if it does); `core.js` holds the rest and is loaded on demand. Targets Node 20 so the
 * same files run on the developer machine and on the Node 22 image. Synchronous, for the CDK app.
 *
 * @returns the path of `server.js`; every file written is `<outDir>/<f>` and `<outDir>/<f>.map` for each f of
 *   {@link BUNDLE_FILES}
 */
export function bundleServer(outDir: string): string {
  execFileSync(process.execPath, [BUNDLE_WORKER, outDir, `server=${SERVER_ENTRY}`, `core=${CORE_ENTRY}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return path.join(outDir, 'server.js');
}

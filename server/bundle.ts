import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

/** The process entry, bundled into `server.js`: it loads `app.js` with the image's code cache (see the file). */
export const BOOT_ENTRY = path.join(__dirname, 'src', 'boot.ts');

/** The server itself, bundled into `app.js`. */
export const SERVER_ENTRY = path.join(__dirname, 'src', 'main.ts');

/** The JavaScript files {@link bundleServer} writes, each with its `.map` beside it, all shipped in the image. */
export const BUNDLE_FILES: readonly string[] = Object.freeze(['server.js', 'app.js']);

/** The Dockerfile of the runtime image, expecting the {@link BUNDLE_FILES} and their maps beside it. */
export const SERVER_DOCKERFILE = path.join(__dirname, 'Dockerfile');

/** The bundler itself: a child process, because esbuild plugins need its asynchronous API (see the file). */
export const BUNDLE_WORKER = path.join(__dirname, 'bundle-worker.js');

/**
 * Bundles the MCP server into `<outDir>/app.js` and its process entry into `<outDir>/server.js` (each with an
 * external source map): CommonJS with every dependency inlined, runnable with plain `node server.js` and no
 * node_modules, minified, with each AWS SDK package included
 * once per major version (see bundle-worker.js). Targets Node 20 so the same file runs on the developer machine
 * and on the Node 22 image. Synchronous, for the CDK app.
 *
 * @returns the path of `server.js`
 */
export function bundleServer(outDir: string): string {
  execFileSync(process.execPath, [BUNDLE_WORKER, outDir, `server=${BOOT_ENTRY}`, `app=${SERVER_ENTRY}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return path.join(outDir, 'server.js');
}

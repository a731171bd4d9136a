import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

/** The server's entry point, bundled into the single file the container runs. */
export const SERVER_ENTRY = path.join(__dirname, 'src', 'main.ts');

/** The Dockerfile of the runtime image, expecting `server.js` beside it in the build context. */
export const SERVER_DOCKERFILE = path.join(__dirname, 'Dockerfile');

/** The bundler itself: a child process, because esbuild plugins need its asynchronous API (see the file). */
export const BUNDLE_WORKER = path.join(__dirname, 'bundle-worker.js');

/**
 * Bundles the MCP server into `<outDir>/server.js` (+ an external source map): one CommonJS file with every
 * dependency inlined, runnable with plain `node` and no node_modules, minified, with each AWS SDK package included
 * once per major version (see bundle-worker.js). Targets Node 20 so the same file runs on the developer machine
 * and on the Node 22 image. Synchronous, for the CDK app.
 */
export function bundleServer(outDir: string): string {
  const outfile = path.join(outDir, 'server.js');
  execFileSync(process.execPath, [BUNDLE_WORKER, SERVER_ENTRY, outfile], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return outfile;
}

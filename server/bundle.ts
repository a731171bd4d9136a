import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** The server's entry point, bundled into the single file the container runs. */
export const SERVER_ENTRY = path.join(__dirname, 'src', 'main.ts');

/** The Dockerfile of the runtime image, expecting `server.js` beside it in the build context. */
export const SERVER_DOCKERFILE = path.join(__dirname, 'Dockerfile');

/**
 * Bundles the MCP server into `<outDir>/server.js` (+ an external source map): one CommonJS file with every
 * dependency inlined, runnable with plain `node` and no node_modules. Targets Node 20 so the same file runs on
 * the developer machine and on the Node 22 image.
 */
export function bundleServer(outDir: string): string {
  const outfile = path.join(outDir, 'server.js');
  buildSync({
    entryPoints: [SERVER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'external',
    legalComments: 'none',
    logLevel: 'error',
  });
  return outfile;
}

/**
 * The Node.js options the server runs with: in the image (server/Dockerfile's `ENV NODE_OPTIONS`) and in
 * `npm run bench`, from this one string (test/server/node-options.test.ts checks the Dockerfile against it).
 *
 * In NODE_OPTIONS rather than on the `node` command line because V8 refuses a code cache made under other V8 flags:
 * the image makes its code cache at build time with a plain `node server.js` (the training run, server/src/boot.ts),
 * and a runtime with different V8 flags would miss that cache on every cold start. NODE_OPTIONS reaches both.
 *
 * Measured on the bench's memory workload (1,000 varied tool calls, Node 20, 2 cores), RSS 150 → 110 MB with no
 * measurable throughput cost:
 * - `--max-semi-space-size=2`: a 2 MiB young generation semi-space instead of Node's default of up to 16 MiB
 *   (which depends on the machine's memory): the young generation stops committing 32 MB it barely uses.
 * - `--max-old-space-size=1024`: a 1 GiB old generation. Below 2 GiB, V8 grows the old generation in smaller steps
 *   (up to ~1.6× instead of 4×), so the heap stays close to what is live. 1 GiB is far above what the server keeps
 *   (≈20 MB live plus the answer cache's CACHE_MAX_MB budget, which config.ts caps at 512 MB for this reason).
 * - `--v8-pool-size=1`: one V8 background thread (GC, compilation) beside the main thread: the server does its work on
 *   one thread, and Node's default of 4 V8 threads brings 4 malloc arenas and stacks for little gain on few cores.
 */
export const SERVER_NODE_OPTIONS = '--max-semi-space-size=2 --max-old-space-size=1024 --v8-pool-size=1';

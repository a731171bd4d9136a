/**
 * How the server's Node.js and V8 are tuned, from one place: the image (server/Dockerfile's `ENV NODE_OPTIONS`,
 * checked by test/server/node-options.test.ts), `npm run bench` and the e2e tests start the server with
 * {@link SERVER_NODE_OPTIONS}, and server/src/boot.ts sets {@link GC_FLAGS} on itself.
 *
 * No V8 flag goes in NODE_OPTIONS. Every V8 flag set at start-up changes V8's flag hash, and V8 then refuses every
 * code cache made under another one: Node's own cache of its built-in modules, embedded in the binary, as well as
 * ours (app.js.cache, made by the image build's training run). With `--max-semi-space-size=2 --max-old-space-size=1024`
 * in NODE_OPTIONS, Node compiled node:http, node:crypto, undici and the rest from source on every cold start: about
 * 50 ms of the spawn → first tools/call figure (`npm run bench`, 206 → 157 ms with Node 22 and our code cache).
 */

/**
 * `--v8-pool-size=1`: one V8 background thread (GC, compilation) beside the main thread. The server does its work on
 * one thread, and Node's default of 4 V8 threads brings 4 malloc arenas and stacks for little gain on a microVM's 2
 * vCPUs. A Node option, not a V8 flag: V8's flag hash does not change.
 */
export const SERVER_NODE_OPTIONS = '--v8-pool-size=1';

/**
 * V8 flags boot.ts sets once app.js is loaded, when the code caches have been used and the built-in modules a start
 * needs are compiled. V8 reads both whenever it sizes a heap space, so set late they still take effect (checked in
 * test/server/node-options.test.ts):
 * - `--semi-space-growth-factor=1`: the young generation stays the size it has reached while the server loaded (8 MB
 *   in all) instead of doubling up to 32 MB under load.
 * - `--heap-growing-percent=20`: after each full GC the old generation may grow 20 % over what is live before the
 *   next, instead of V8's own, larger growing factor.
 * Measured with `npm run bench`'s memory workload (1,000 varied tool calls, 4 clients): RSS 166 → 104 MB with Node 22
 * and the code cache, 158 → 95 MB with Node 20.
 */
export const GC_FLAGS: readonly string[] = Object.freeze([
  '--semi-space-growth-factor=1',
  '--heap-growing-percent=20',
]);

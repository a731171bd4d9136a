import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { constants, Script } from 'node:vm';
import { crc32 } from 'node:zlib';
import type { App, CodeCacheState } from './main';

// What `node server.js` runs: loads the server (app.js) with V8's code cache, made after a training run when the
// image is built (server/Dockerfile). Node's own compile cache (NODE_COMPILE_CACHE) is written as each file is
// compiled, so it holds only the code that runs while the bundle loads; every function the first requests reach is
// then compiled on the first request of every cold microVM. A cache made after those requests ran holds them too.

const APP = path.join(__dirname, 'app.js');

/** Where the code cache is: BILLING_MCP_CODE_CACHE, else beside app.js. */
const CACHE = process.env.BILLING_MCP_CODE_CACHE || `${APP}.cache`;

/**
 * The cache starts with the checksum and length of the source it was made from. V8 checks only the length, and a
 * cache applied to other source of the same length would run the old code.
 */
const HEADER_BYTES = 8;

function header(source: Buffer): Buffer {
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(crc32(source), 0);
  head.writeUInt32BE(source.length, 4);
  return head;
}

function readCache(head: Buffer): Buffer | undefined {
  if (!existsSync(CACHE)) return undefined;
  const cache = readFileSync(CACHE);
  return cache.length > HEADER_BYTES && cache.subarray(0, HEADER_BYTES).equals(head)
    ? cache.subarray(HEADER_BYTES)
    : Buffer.alloc(0);
}

function load(useCache: boolean): { app: App; script: Script; head: Buffer; codeCache: CodeCacheState } {
  const bytes = readFileSync(APP);
  const head = header(bytes);
  const cached = useCache ? readCache(head) : undefined;
  const script = new Script(
    // Latin-1 copies the bytes as they are, without decoding: esbuild writes the bundle in ASCII (bundle-worker.js).
    `(function (exports, require, module, __filename, __dirname) {${bytes.toString('latin1')}\n})`,
    {
      filename: APP,
      // An empty buffer (a cache made from other source) is rejected by V8, so it counts as rejected below.
      cachedData: cached,
      // The AWS SDK imports node:http with import() when it asks the instance metadata service for credentials.
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const codeCache: CodeCacheState =
    cached === undefined ? 'absent' : script.cachedDataRejected || cached.length === 0 ? 'rejected' : 'used';
  const module = { exports: {} as App };
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    module.exports,
    module.exports,
    createRequire(APP),
    module,
    APP,
    __dirname,
  );
  return { app: module.exports, script, head, codeCache };
}

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: message })}\n`);
  process.exit(1);
}

if (process.env.BILLING_MCP_WARM_CACHE_ONLY === '1') {
  // The image build: a training run against no AWS at all, then the cache of everything it compiled.
  const { app, script, head } = load(false);
  app.warmUp().then(
    () => {
      writeFileSync(CACHE, Buffer.concat([head, script.createCachedData()]));
      process.exit(0);
    },
    (err: unknown) => fail(`the training run failed: ${err instanceof Error ? err.message : String(err)}`),
  );
} else {
  const { app, codeCache } = load(true);
  app.start({ codeCache });
}

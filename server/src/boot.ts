import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { constants, Script } from 'node:vm';
import { GC_FLAGS } from '../node-options';
import type { App, CodeCacheState } from './main';

// What `node server.js` runs: loads the server (app.js) with V8's code cache, made after a training run when the
// image is built (server/Dockerfile). Node's own compile cache (NODE_COMPILE_CACHE) is written as each file is
// compiled, so it holds only the code that runs while the bundle loads; every function the first requests reach is
// then compiled on the first request of every cold microVM. A cache made after those requests ran holds them too.

const APP = path.join(__dirname, 'app.js');

/** Node's own `require`, for app.js and for what only some starts need (esbuild leaves it alone). */
const nodeRequire = createRequire(APP);

/** Where the code cache is: BILLING_MCP_CODE_CACHE, else beside app.js. */
const CACHE = process.env.BILLING_MCP_CODE_CACHE || `${APP}.cache`;

/**
 * The cache starts with the checksum and length of the source it was made from. V8 checks only the length, and a
 * cache applied to other source of the same length would run the old code.
 */
const HEADER_BYTES = 8;

function header(source: Buffer): Buffer {
  // Loaded here, not up front: a start without a cache loads nothing before app.js.
  const { crc32 } = nodeRequire('node:zlib') as typeof import('node:zlib');
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(crc32(source), 0);
  head.writeUInt32BE(source.length, 4);
  return head;
}

/** The cache made from the source with this header, if there is one. */
function readCache(head: Buffer): Buffer | undefined {
  if (!existsSync(CACHE)) return undefined;
  const cache = readFileSync(CACHE);
  return cache.length > HEADER_BYTES && cache.subarray(0, HEADER_BYTES).equals(head)
    ? cache.subarray(HEADER_BYTES)
    : undefined;
}

/** app.js compiled as one script, with `cached` as its code cache when given. */
function compile(bytes: Buffer, cached: Buffer | undefined): Script {
  return new Script(
    // Latin-1 copies the bytes as they are, without decoding: esbuild writes the bundle in ASCII (bundle-worker.js).
    `(function (exports, require, module, __filename, __dirname) {${bytes.toString('latin1')}\n})`,
    {
      filename: APP,
      cachedData: cached,
      // The AWS SDK imports node:http with import() when it asks the instance metadata service for credentials.
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
}

function run(script: Script): App {
  const module = { exports: {} as App };
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    module.exports,
    module.exports,
    nodeRequire,
    module,
    APP,
    __dirname,
  );
  return module.exports;
}

/**
 * app.js with its code cache, or through Node's own loader when there is none for it. Compiled from source here,
 * the wrapping function would be compiled at once, pre-parsing all 2.4 MB of its body, and the memory that takes
 * stays with the process (about 15 MB more RSS in `npm run bench`); Node's loader does not pay that.
 */
function load(): { app: App; codeCache: CodeCacheState } {
  if (existsSync(CACHE)) {
    const bytes = readFileSync(APP);
    const cached = readCache(header(bytes));
    if (cached) {
      const script = compile(bytes, cached);
      return { app: run(script), codeCache: script.cachedDataRejected ? 'rejected' : 'used' };
    }
    return { app: nodeRequire(APP) as App, codeCache: 'rejected' };
  }
  return { app: nodeRequire(APP) as App, codeCache: 'absent' };
}

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: message })}\n`);
  process.exit(1);
}

if (process.env.BILLING_MCP_WARM_CACHE_ONLY === '1') {
  // The image build: a training run against no AWS at all, then the cache of everything it compiled.
  const bytes = readFileSync(APP);
  const script = compile(bytes, undefined);
  run(script)
    .warmUp()
    .then(
      () => {
        writeFileSync(CACHE, Buffer.concat([header(bytes), script.createCachedData()]));
        process.exit(0);
      },
      (err: unknown) => fail(`the training run failed: ${err instanceof Error ? err.message : String(err)}`),
    );
} else {
  const { app, codeCache } = load();
  // Only now: set any earlier and V8 would refuse the code caches this start has just used (see node-options.ts).
  // The training run above sets none, so the cache it makes carries the flag hash a start loads it under.
  for (const flag of GC_FLAGS) setFlagsFromString(flag);
  app.start({ codeCache, gcFlags: GC_FLAGS });
}

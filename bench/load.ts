import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import { bundleServer } from '../server/bundle';
import { startServer, type RunningServer } from '../test/e2e/harness';
import { FakeAws } from '../test/fake-aws/fake-aws';

/*
 * `npm run load [-- --requests 20000 --concurrency 50 --max-seconds 600 --no-write]`: load and soak of the bundled
 * server on loopback, against the fake AWS endpoint. A mix of initialize, tools/list and tools/call of five tools
 * (cached and uncached Cost Explorer reads, Budgets, Free Tier, Pricing) from 50 concurrent keep-alive clients.
 * Every answer is checked (HTTP 200, a JSON-RPC result, no isError); latency percentiles and the server's RSS before,
 * during and after are written to bench/results.md under "## Load and soak". Bounded by count and by time.
 */

const ROUNDS = 4;
const WARM_UP = 1_000;

interface Options {
  readonly requests: number;
  readonly concurrency: number;
  readonly maxSeconds: number;
  readonly write: boolean;
}

function parseOptions(argv: string[]): Options {
  const get = (flag: string, fallback: number) => {
    const i = argv.indexOf(flag);
    const value = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive whole number`);
    return value;
  };
  return {
    requests: get('--requests', 20_000),
    concurrency: get('--concurrency', 50),
    maxSeconds: get('--max-seconds', 600),
    write: !argv.includes('--no-write'),
  };
}

interface Kind {
  readonly name: string;
  readonly weight: number;
  readonly body: (id: number) => Record<string, unknown>;
}

const call = (name: string, args: Record<string, unknown>) => (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** The request mix. Weights sum to 100. */
const MIX: readonly Kind[] = [
  {
    name: 'initialize',
    weight: 15,
    body: (id) => ({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'load', version: '1' } },
    }),
  },
  { name: 'tools/list', weight: 15, body: (id) => ({ jsonrpc: '2.0', id, method: 'tools/list' }) },
  {
    name: 'get-cost-and-usage (cached)',
    weight: 25,
    body: call('get-cost-and-usage', {
      period: 'last_month',
      group_by: [{ type: 'DIMENSION', key: 'SERVICE' }],
    }),
  },
  {
    // A different range each time, so that concurrent refreshes do not share one in-flight AWS call.
    name: 'get-cost-and-usage (refresh)',
    weight: 10,
    body: (id) =>
      call('get-cost-and-usage', {
        start_date: new Date(Date.UTC(2025, 9, 1 + (id % 390))).toISOString().slice(0, 10),
        end_date: '2026-11-01',
        refresh: true,
      })(id),
  },
  { name: 'get-budgets', weight: 15, body: call('get-budgets', {}) },
  { name: 'get-free-tier-usage', weight: 10, body: call('get-free-tier-usage', {}) },
  { name: 'list-pricing-attributes', weight: 10, body: call('list-pricing-attributes', { max_results: 5 }) },
];

function pickKind(i: number): Kind {
  // Deterministic interleaving: request i takes the slot i mod 100 of the weighted mix.
  let slot = (i * 37) % 100;
  for (const kind of MIX) {
    if (slot < kind.weight) return kind;
    slot -= kind.weight;
  }
  return MIX[0];
}

function installAnswers(fake: FakeAws): void {
  fake.fallback = () => ({});
  const group = (service: string, amount: string) => ({
    Keys: [service],
    Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
  });
  fake.on('ce:GetCostAndUsage', () => ({
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Total: { UnblendedCost: { Amount: '1234.5678', Unit: 'USD' } },
        Groups: [group('Amazon EC2', '1000.1'), group('Amazon S3', '200.4678'), group('AWS Lambda', '34')],
        Estimated: false,
      },
    ],
  }));
  fake.on('budgets:DescribeBudgets', () => ({
    Budgets: [
      {
        BudgetName: 'monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '2000', Unit: 'USD' },
        CalculatedSpend: {
          ActualSpend: { Amount: '1234.5678', Unit: 'USD' },
          ForecastedSpend: { Amount: '1900', Unit: 'USD' },
        },
      },
    ],
  }));
  fake.on('freetier:GetFreeTierUsage', () => ({
    freeTierUsages: [
      {
        service: 'AWS Lambda',
        operation: 'Invoke',
        usageType: 'Request',
        region: 'global',
        actualUsageAmount: 120000,
        forecastedUsageAmount: 400000,
        limit: 1000000,
        unit: 'Requests',
        description: '1,000,000 free requests per month',
        freeTierType: 'Always Free',
      },
    ],
  }));
  fake.on('pricing:DescribeServices', () => ({
    Services: [{ ServiceCode: 'AmazonEC2', AttributeNames: ['instanceType', 'location'] }],
    FormatVersion: 'aws_v1',
  }));
}

/** The server's resident set size and its peak, from /proc (Linux). */
function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Outcome {
  readonly kind: string;
  readonly ms: number;
  readonly error?: string;
}

function post(agent: Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 60_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout after 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function one(agent: Agent, url: URL, i: number): Promise<Outcome> {
  const kind = pickKind(i);
  const started = performance.now();
  try {
    const { status, text } = await post(agent, url, JSON.stringify(kind.body(i)));
    const ms = performance.now() - started;
    if (status !== 200) return { kind: kind.name, ms, error: `HTTP ${status}: ${text.slice(0, 120)}` };
    const json = JSON.parse(text) as {
      result?: { isError?: boolean; content?: { text?: string }[] };
      error?: unknown;
    };
    if (json.error)
      return { kind: kind.name, ms, error: `JSON-RPC error ${JSON.stringify(json.error).slice(0, 120)}` };
    if (json.result?.isError)
      return { kind: kind.name, ms, error: `isError: ${json.result.content?.[0]?.text?.slice(0, 120)}` };
    return { kind: kind.name, ms };
  } catch (err) {
    return { kind: kind.name, ms: performance.now() - started, error: String(err) };
  }
}

async function run(
  server: RunningServer,
  fake: FakeAws,
  from: number,
  count: number,
  concurrency: number,
  deadline: number,
  onSecond?: () => void,
): Promise<{ outcomes: Outcome[]; seconds: number; timedOut: boolean; awsCalls: Map<string, number> }> {
  const url = new URL(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcome[] = [];
  let next = from;
  let timedOut = false;
  const started = performance.now();
  const awsCalls = new Map<string, number>();
  // The fake records every call; count and forget them so the generator's memory stays flat.
  const drain = () => {
    for (const c of fake.calls) awsCalls.set(c.key, (awsCalls.get(c.key) ?? 0) + 1);
    fake.calls.length = 0;
  };
  drain();
  awsCalls.clear();
  const ticker = setInterval(() => {
    onSecond?.();
    drain();
  }, 1_000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < from + count) {
        if (Date.now() > deadline) {
          timedOut = true;
          return;
        }
        outcomes.push(await one(agent, url, next++));
      }
    }),
  );
  clearInterval(ticker);
  drain();
  agent.destroy();
  return { outcomes, seconds: (performance.now() - started) / 1000, timedOut, awsCalls };
}

/** The commit measured, marked when the working tree has changes. */
function revision(root: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'server/'], {
      cwd: root,
      encoding: 'utf8',
    });
    return dirty.trim() ? `${sha} with uncommitted server changes` : sha;
  } catch {
    return 'unknown revision';
  }
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const deadline = Date.now() + options.maxSeconds * 1000;
  const root = path.join(__dirname, '..');
  process.stdout.write('bundling the server… ');
  bundleServer(path.join(root, 'server', 'dist'));
  console.log('done');

  const fake = new FakeAws();
  await fake.start();
  installAnswers(fake);
  // Default log level (info, one line per tool call), as deployed.
  const server = await startServer(fake);
  const pid = server.process.pid!;
  try {
    // Warm-up at full concurrency: load every lazily imported SDK client, fill the cache once and let the heap grow
    // to its working size for 50 clients, so that "before" is the steady state the soak is compared with.
    const warm = await run(server, fake, 0, WARM_UP, options.concurrency, deadline);
    const warmErrors = warm.outcomes.filter((o) => o.error);
    if (warmErrors.length) throw new Error(`warm-up failed: ${warmErrors[0].kind}: ${warmErrors[0].error}`);
    const before = rssOf(pid);
    const samples: number[] = [];
    console.log(
      `warm-up done; server RSS ${fmt(before.rssMb)} MB. ${options.requests} requests at ${options.concurrency} clients…`,
    );

    // Four equal rounds, with the RSS after each: growth that keeps climbing round after round is a leak, growth
    // that levels off is the heap settling at its working size.
    const rounds: Awaited<ReturnType<typeof run>>[] = [];
    const rssAfterRound: number[] = [];
    const perRound = Math.ceil(options.requests / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const count = Math.min(perRound, options.requests - r * perRound);
      rounds.push(
        await run(server, fake, WARM_UP + r * perRound, count, options.concurrency, deadline, () =>
          samples.push(rssOf(pid).rssMb),
        ),
      );
      rssAfterRound.push(rssOf(pid).rssMb);
    }
    const load = {
      outcomes: rounds.flatMap((r) => r.outcomes),
      seconds: rounds.reduce((sum, r) => sum + r.seconds, 0),
      timedOut: rounds.some((r) => r.timedOut),
      awsCalls: rounds.reduce((sum, r) => {
        for (const [k, n] of r.awsCalls) sum.set(k, (sum.get(k) ?? 0) + n);
        return sum;
      }, new Map<string, number>()),
    };
    await new Promise((r) => setTimeout(r, 2_000));
    const after = rssOf(pid);

    const errors = load.outcomes.filter((o) => o.error);
    const all = load.outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const byKind = MIX.map((k) => {
      const ms = load.outcomes
        .filter((o) => o.kind === k.name)
        .map((o) => o.ms)
        .sort((a, b) => a - b);
      return { name: k.name, count: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) };
    });
    const errorKinds = new Map<string, number>();
    for (const e of errors)
      errorKinds.set(`${e.kind}: ${e.error}`, (errorKinds.get(`${e.kind}: ${e.error}`) ?? 0) + 1);

    const lines = [
      '## Load and soak',
      '',
      `\`npm run load\` on ${new Date().toISOString().slice(0, 10)} (${revision(root)}): Node ${process.version}, ${cpus().length} CPUs ` +
        `(${cpus()[0]?.model.trim() ?? 'unknown'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM; the load generator, the bundled ` +
        'server and the fake AWS endpoint share the machine (loopback only). After a warm-up of ' +
        `${WARM_UP.toLocaleString('en-US')} requests, ` +
        `${load.outcomes.length.toLocaleString('en-US')} requests from ${options.concurrency} concurrent keep-alive clients, ` +
        'each a separate stateless `POST /mcp`; every answer checked (HTTP 200, a JSON-RPC result, not `isError`).',
      '',
      '| Figure | Value |',
      '| --- | --- |',
      `| Requests | ${load.outcomes.length.toLocaleString('en-US')}${load.timedOut ? ' (stopped by --max-seconds)' : ''} |`,
      `| Errors | ${errors.length} |`,
      `| Wall time | ${fmt(load.seconds)} s (${fmt(load.outcomes.length / load.seconds, 0)} requests/s) |`,
      `| Latency p50 / p99 (all) | ${fmt(percentile(all, 50))} ms / ${fmt(percentile(all, 99))} ms |`,
      `| Server RSS before (after warm-up) | ${fmt(before.rssMb)} MB |`,
      `| Server RSS after (2 s idle) | ${fmt(after.rssMb)} MB (${after.rssMb >= before.rssMb ? '+' : ''}${fmt(((after.rssMb - before.rssMb) / before.rssMb) * 100)} %) |`,
      `| Server RSS after each quarter of the requests | ${rssAfterRound.map((v) => fmt(v)).join(' / ')} MB |`,
      `| Server RSS during (min / max of 1 s samples) | ${fmt(Math.min(...samples))} / ${fmt(Math.max(...samples))} MB |`,
      `| Server peak RSS (VmHWM) | ${fmt(after.peakMb)} MB |`,
      '',
      '| Request | Share | p50 | p99 |',
      '| --- | --- | --- | --- |',
      ...byKind.map(
        (k) => `| ${k.name} | ${k.count.toLocaleString('en-US')} | ${fmt(k.p50)} ms | ${fmt(k.p99)} ms |`,
      ),
      '',
      'The server caches every AWS read (`CACHE_TTL_SECONDS`, 900 s), as in a chat that repeats its questions, so after ' +
        'their first call the reads are answered from the cache; `refresh: true` skips it and calls the fake AWS endpoint ' +
        `(identical concurrent requests would still share one call; each refresh here asks for another range). AWS calls during the run: ${[...load.awsCalls].map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ') || 'none'}.`,
      ...(errorKinds.size
        ? ['', 'Errors:', '', ...[...errorKinds].slice(0, 10).map(([e, n]) => `- ${n} × ${e}`)]
        : []),
      '',
    ];
    const section = lines.join('\n');
    console.log(`\n${section}`);
    if (options.write) writeSection(path.join(root, 'bench', 'results.md'), section);
    if (errors.length > 0 || load.timedOut) process.exitCode = 1;
  } finally {
    await server.stop();
    await fake.stop();
  }
}

/** Replaces this script's section of bench/results.md (shared with `npm run bench`), keeping everything else. */
function writeSection(file: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.search(/^## Load and soak$/m);
  let next: string;
  if (start < 0) {
    next = `${text.trimEnd()}\n\n${section}`;
  } else {
    const rest = text.slice(start + 1);
    const end = rest.search(/^## /m);
    next = `${text.slice(0, start)}${section}${end < 0 ? '' : `\n${rest.slice(end)}`}`;
  }
  writeFileSync(file, `${next.trimEnd()}\n`);
  console.log(`wrote the "## Load and soak" section of ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

// `npm run bench:focus`: the cost-data tools on the embedded duckdb engine over 10 million FOCUS line items in 13
// billing periods (generated once under the temporary folder, outside the repository), through the MCP client
// against the bundled server. Targets (issue 11): "last month by service" ≤ 1 s; "top 20 resources over the last
// 3 months" ≤ 2 s; the bytes read for one month ≤ 1/10 of those for the whole dataset.
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { bundleServer } from '../server/bundle';
import { FakeAws } from '../test/fake-aws/fake-aws';
import { startServer } from '../test/e2e/harness';
import { writeLargeFocusDataset } from '../test/fixtures/cost-data';

const ROWS = 10_000_000;
const PERIODS = 13;
const LAST_PERIOD = '2026-10';

async function main(): Promise<void> {
  const dir = path.join(tmpdir(), `billing-mcp-bench-focus-${ROWS}-${PERIODS}-${LAST_PERIOD}`);
  const marker = path.join(dir, 'complete');
  if (!existsSync(marker)) {
    const t0 = Date.now();
    await writeLargeFocusDataset(dir, ROWS, PERIODS, LAST_PERIOD);
    writeFileSync(marker, new Date().toISOString());
    console.log(`generated ${ROWS} line items in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${dir}`);
  }
  bundleServer(path.join(__dirname, '..', 'server', 'dist'));
  const fake = new FakeAws();
  await fake.start();
  const server = await startServer(fake, {
    COST_DATA_PATH: dir,
    TOOL_DEADLINE_SECONDS: '120',
  });
  try {
    const client = await server.client();
    const timed = async (args: Record<string, unknown>, name: string, runs: number) => {
      const ms: number[] = [];
      let last: Record<string, unknown> = {};
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const result = (await client.callTool({
          name,
          arguments: { ...args, refresh: true },
        })) as CallToolResult;
        ms.push(performance.now() - t);
        if (result.isError) throw new Error(JSON.stringify(result.content));
        last = result.structuredContent as Record<string, unknown>;
      }
      ms.sort((a, b) => a - b);
      return { median: ms[Math.floor(ms.length / 2)], first: ms, data: last };
    };
    // A first call pays for the DuckDB instance and the Parquet footers; the figures are the warm ones after it.
    const cold = await timed({ period: 'last_month', group_by: ['ServiceName'] }, 'query-cost-data', 1);
    const byService = await timed({ period: 'last_month', group_by: ['ServiceName'] }, 'query-cost-data', 5);
    const top = await timed({ period: 'last_3_months', limit: 20 }, 'get-top-resources', 5);
    const month = byService.data.bytes_scanned as number;
    const whole = await timed(
      { start_date: '2025-10-01', end_date: '2026-11-01', group_by: ['ServiceName'] },
      'query-cost-data',
      1,
    );
    const wholeBytes = whole.data.bytes_scanned as number;
    const rows = [
      [
        'last month by service (median of 5)',
        `${byService.median.toFixed(0)} ms`,
        '≤ 1000 ms',
        byService.median <= 1000,
      ],
      [
        'top 20 resources, last 3 months (median of 5)',
        `${top.median.toFixed(0)} ms`,
        '≤ 2000 ms',
        top.median <= 2000,
      ],
      [
        'bytes read, one month / all 13',
        `${month} / ${wholeBytes} = ${(month / wholeBytes).toFixed(3)}`,
        '≤ 0.100',
        month / wholeBytes <= 0.1,
      ],
      ['first call after start (DuckDB load, footers)', `${cold.median.toFixed(0)} ms`, '-', true],
      ['whole dataset by service (13 months)', `${whole.median.toFixed(0)} ms`, '-', true],
    ] as const;
    console.log(`| figure | measured | target | ok |\n|---|---|---|---|`);
    for (const [what, got, target, ok] of rows)
      console.log(`| ${what} | ${got} | ${target} | ${ok ? 'yes' : 'NO'} |`);
    console.log(`line items behind "last month by service": ${byService.data.line_items}`);
  } finally {
    await server.stop();
    await fake.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

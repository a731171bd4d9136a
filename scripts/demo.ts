// `npm run demo`: the cost-data tools with no AWS account. Writes the tests' synthetic FOCUS 1.2 and S3 Storage Lens
// exports under the system's temporary folder (outside the repository), bundles the server and starts it on them
// with the embedded duckdb engine, at the clock the data was generated for (2026-11-24), on http://127.0.0.1:8000/mcp.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleServer } from '../server/bundle';
import { writeFocusFixture, writeStorageLensFixture } from '../test/fixtures/cost-data';

async function main(): Promise<void> {
  const root = path.join(tmpdir(), 'billing-mcp-demo');
  const costDataPath = path.join(root, 'focus');
  const lines = await writeFocusFixture(costDataPath);
  const storageLensPath = await writeStorageLensFixture(path.join(root, 'storage-lens'));
  console.log(`FOCUS 1.2 export: ${lines.length} line items in ${costDataPath}`);
  console.log(`Storage Lens export: ${storageLensPath}`);
  const server = bundleServer(path.join(__dirname, '..', 'server', 'dist'));
  const port = process.env.PORT ?? '8000';
  console.log(
    `Starting the server on http://127.0.0.1:${port}/mcp (duckdb engine). Try it:\n` +
      `  npx @modelcontextprotocol/inspector --cli http://127.0.0.1:${port}/mcp --transport http ` +
      `--method tools/call --tool-name query-cost-data --tool-arg period=last_month --tool-arg 'group_by=["ServiceName"]'\n` +
      'Ctrl-C stops it.',
  );
  const child = spawn(process.execPath, [server], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: port,
      COST_DATA_ENGINE: 'duckdb',
      COST_DATA_PATH: costDataPath,
      STORAGE_LENS_PATH: storageLensPath,
      // The data runs to 2026-11-23: "last month" is October 2026 at this clock.
      BILLING_MCP_CLOCK: process.env.BILLING_MCP_CLOCK ?? '2026-11-24T12:00:00Z',
    },
  });
  process.on('SIGINT', () => child.kill('SIGTERM'));
  child.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

import { measureToolsList, PER_TOOL_CAP_BYTES, TOOLS_LIST_BUDGET_BYTES } from '../test/e2e/tools-list-size';
import { startServer } from '../test/e2e/harness';
import { FakeAws } from '../test/fake-aws/fake-aws';

/**
 * `npx tsx scripts/tools-list-size.ts` (after `npm run build:server`): starts the bundled server against the fake
 * AWS endpoint, asks for tools/list and prints its size, in total and per tool, against the budget.
 */
async function main(): Promise<void> {
  const fake = new FakeAws();
  await fake.start();
  const server = await startServer(fake);
  try {
    const size = await measureToolsList(server.url);
    const rows = [...size.tools].sort((a, b) => b.bytes - a.bytes);
    for (const t of rows)
      console.log(
        `${t.name.padEnd(42)} ${String(t.bytes).padStart(6)}  input ${String(t.inputBytes).padStart(5)}  ` +
          `output ${String(t.outputBytes).padStart(5)}`,
      );
    const sum = (f: (t: (typeof rows)[number]) => number) => rows.reduce((n, t) => n + f(t), 0);
    console.log(
      `\n${rows.length} tools; result ${size.resultBytes} bytes (budget ${TOOLS_LIST_BUDGET_BYTES}), ` +
        `body ${size.bodyBytes}; inputs ${sum((t) => t.inputBytes)}, outputs ${sum((t) => t.outputBytes)}; ` +
        `average ${Math.round(size.resultBytes / rows.length)} a tool (cap ${PER_TOOL_CAP_BYTES})`,
    );
  } finally {
    await server.stop();
    await fake.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

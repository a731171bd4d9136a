import {
  budgetProblems,
  measureToolsList,
  PER_TOOL_CAP_BYTES,
  TOOLS_AT_BUDGET,
  TOOLS_LIST_BUDGET_BYTES,
} from '../test/e2e/tools-list-size';
import { startServer } from '../test/e2e/harness';
import { FakeAws } from '../test/fake-aws/fake-aws';

/**
 * `npx tsx scripts/tools-list-size.ts` (after `npm run build:server`): starts the bundled server against the fake
 * AWS endpoint, asks for tools/list and prints its size, in total and per tool (`+` marks a tool added since the
 * budget was met, held to the per-tool cap), against the budget.
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
        `${TOOLS_AT_BUDGET.has(t.name) ? ' ' : '+'}${t.name.padEnd(41)} ${String(t.bytes).padStart(6)}  ` +
          `input ${String(t.inputBytes).padStart(5)}  ` +
          `output ${String(t.outputBytes).padStart(5)}`,
      );
    const sum = (f: (t: (typeof rows)[number]) => number) => rows.reduce((n, t) => n + f(t), 0);
    console.log(
      `\n${rows.length} tools; result ${size.resultBytes} bytes (budget ${TOOLS_LIST_BUDGET_BYTES}), ` +
        `body ${size.bodyBytes}; inputs ${sum((t) => t.inputBytes)}, outputs ${sum((t) => t.outputBytes)}; ` +
        `average ${Math.round(size.resultBytes / rows.length)} a tool (cap for added tools ${PER_TOOL_CAP_BYTES})`,
    );
    for (const problem of budgetProblems(size)) console.log(`over: ${problem}`);
  } finally {
    await server.stop();
    await fake.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { useServer } from './harness';
import {
  budgetProblems,
  measureToolsList,
  PER_TOOL_CAP_BYTES,
  sizeOf,
  TOOLS_LIST_BUDGET_BYTES,
} from './tools-list-size';

// Issue 10, item 2: tools/list fits 64 KB, and no more than the per-tool average for every tool added later.

const { server } = useServer();

function fakeTool(name: string, descriptionBytes: number): Tool {
  return { name, description: 'd'.repeat(descriptionBytes), inputSchema: { type: 'object' } } as Tool;
}

test('the check passes a list within the budget and fails an oversized one (controls)', () => {
  const small = { tools: Array.from({ length: 29 }, (_, i) => fakeTool(`t${i}`, 1000)) };
  expect(budgetProblems(sizeOf(small, 0))).toEqual([]);
  const big = { tools: Array.from({ length: 29 }, (_, i) => fakeTool(`t${i}`, 3000)) };
  const problems = budgetProblems(sizeOf(big, 0));
  expect(problems).toHaveLength(2);
  expect(problems[0]).toContain(`over the budget of ${TOOLS_LIST_BUDGET_BYTES}`);
  expect(problems[1]).toContain(`over the cap of ${PER_TOOL_CAP_BYTES}`);
});

test('the measurement reads the bundled server: every tool, sizes that add up', async () => {
  const size = await measureToolsList(server().url);
  expect(size.tools.length).toBeGreaterThan(20);
  const tools = size.tools.reduce((n, t) => n + t.bytes, 0);
  // The result is the tools plus `{"tools":[` … `]}` and the commas between them.
  expect(size.resultBytes).toBe(tools + '{"tools":[]}'.length + size.tools.length - 1);
});

// Not met yet: the list is about 129 KB (see scripts/tools-list-size.ts). Turn this into a test once it fits.
test.todo('tools/list as the server sends it fits 64 KB and the per-tool average cap');

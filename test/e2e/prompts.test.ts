import { useServer } from './harness';

/**
 * The prompts over MCP: listed with typed, described arguments, rendered with sample arguments, and naming only
 * tools the server really has.
 */

const { client } = useServer();

const SAMPLE_ARGS: Record<string, Record<string, string>[]> = {
  'monthly-cost-review': [{}, { month: '2026-01', account_ids: '111111111111, 222222222222' }],
  'savings-plans-analysis': [
    {},
    {
      account_ids: '222222222222',
      term: 'THREE_YEARS',
      payment_option: 'ALL_UPFRONT',
      lookback: 'SIXTY_DAYS',
    },
  ],
  'graviton-migration-analysis': [
    {},
    { region: 'eu-west-1', include_rds: 'true', account_ids: '222222222222' },
  ],
};

async function render(name: string, args: Record<string, string>): Promise<string> {
  const result = await client().getPrompt({ name, arguments: args });
  return result.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
}

/**
 * Names in a prompt that look like tools: anything in backticks that is kebab-case, and any verb-first kebab-case
 * word (get-…, list-…, compare-…), so a tool named without backticks is checked as well.
 */
function toolLikeNames(text: string): string[] {
  const backticked = [...text.matchAll(/`([a-z][a-z0-9]*(?:-[a-z0-9]+)+)`/g)].map((m) => m[1]);
  const verbFirst = [
    ...text.matchAll(
      /\b((?:get|list|compare|summarize|explain|describe|find|search)-[a-z0-9]+(?:-[a-z0-9]+)*)\b/g,
    ),
  ].map((m) => m[1]);
  return [...new Set([...backticked, ...verbFirst])];
}

test('lists the three prompts with described arguments', async () => {
  const { prompts } = await client().listPrompts();
  expect(prompts.map((p) => p.name).sort()).toEqual([
    'graviton-migration-analysis',
    'monthly-cost-review',
    'savings-plans-analysis',
  ]);
  for (const prompt of prompts) {
    expect(prompt.description).toBeTruthy();
    expect(prompt.arguments?.length).toBeGreaterThan(0);
    for (const arg of prompt.arguments ?? []) {
      expect(arg.description).toBeTruthy();
      expect(arg.required).toBeFalsy();
    }
  }
});

test('every tool a prompt names exists in tools/list', async () => {
  const { tools } = await client().listTools();
  const real = new Set(tools.map((t) => t.name));
  for (const [name, samples] of Object.entries(SAMPLE_ARGS)) {
    for (const args of samples) {
      const text = await render(name, args);
      const named = toolLikeNames(text);
      // A prompt that names no tool would steer nothing.
      expect(named.length).toBeGreaterThan(3);
      expect({ prompt: name, args, unknown: named.filter((n) => !real.has(n)) }).toEqual({
        prompt: name,
        args,
        unknown: [],
      });
    }
  }
});

test('renders the arguments into the steps', async () => {
  const review = await render('monthly-cost-review', {
    month: '2026-01',
    account_ids: '111111111111,222222222222',
  });
  expect(review).toContain('baseline_month "2025-12" and comparison_month "2026-01"');
  expect(review).toContain('start_date "2026-01-01" and end_date "2026-02-01"');
  expect(review).toContain('Analyse each of these accounts: 111111111111, 222222222222.');
  expect(review).toContain('pass the whole list in one call instead (["111111111111","222222222222"])');

  const sp = await render('savings-plans-analysis', { term: 'THREE_YEARS', payment_option: 'ALL_UPFRONT' });
  expect(sp).toContain('term "THREE_YEARS", payment_option "ALL_UPFRONT", lookback "THIRTY_DAYS"');
  expect(sp).toContain('omit target_account_id everywhere');

  const graviton = await render('graviton-migration-analysis', { region: 'eu-west-1', include_rds: 'true' });
  expect(graviton).toContain('region "eu-west-1"');
  expect(graviton).toContain('"key":"REGION","values":["eu-west-1"]');
  expect(graviton).toContain('resource_type "RDS_DATABASE"');
  const noRds = await render('graviton-migration-analysis', {});
  expect(noRds).not.toContain('RDS_DATABASE');
});

test('rejects malformed arguments', async () => {
  await expect(
    client().getPrompt({ name: 'monthly-cost-review', arguments: { month: '2026-13' } }),
  ).rejects.toThrow(/month must be YYYY-MM/);
  await expect(
    client().getPrompt({ name: 'savings-plans-analysis', arguments: { account_ids: '1234, 222222222222' } }),
  ).rejects.toThrow(/12-digit AWS account ids/);
  await expect(
    client().getPrompt({ name: 'savings-plans-analysis', arguments: { term: 'FIVE_YEARS' } }),
  ).rejects.toThrow();
});

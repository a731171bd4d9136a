import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { textOf, useServer } from './harness';

// Issue 10, item 5: every string and list a tool forwards is bounded as the AWS API bounds it, and a value over the
// bound is refused by the input schema, naming the parameter and the limit, before any request reaches AWS.

const { fake, client } = useServer();

type Schema = Record<string, any>;

let tools: Tool[];
beforeAll(async () => {
  tools = (await client().listTools()).tools;
});

/** A pattern that bounds a string's length by itself: anchored, and with no unbounded quantifier. */
function patternBounds(pattern: unknown): boolean {
  if (typeof pattern !== 'string' || !pattern.startsWith('^') || !pattern.endsWith('$')) return false;
  return !/(?<!\\)[*+]|\{\d+,\}/.test(pattern);
}

/** Every string without a length bound and every array without an item bound, at any depth, as paths. */
export function unbounded(node: Schema | undefined, where: string): string[] {
  if (!node || typeof node !== 'object') return [];
  const problems: string[] = [];
  if (node.type === 'string' && !Array.isArray(node.enum) && typeof node.maxLength !== 'number')
    if (!patternBounds(node.pattern)) problems.push(`${where}: string without maxLength`);
  if (node.type === 'array') {
    if (typeof node.maxItems !== 'number') problems.push(`${where}: array without maxItems`);
    problems.push(...unbounded(node.items as Schema, `${where}[]`));
  }
  if (node.type === 'object')
    for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Schema>))
      problems.push(...unbounded(v, `${where}.${k}`));
  return problems;
}

describe('every input a tool forwards has a bound', () => {
  test('the check finds an unbounded string, array and nested item (negative control)', () => {
    const schema = {
      type: 'object',
      properties: {
        ok: { type: 'string', maxLength: 10 },
        id: { type: 'string', pattern: '^\\d{12}$' },
        open: { type: 'string', pattern: '^[a-z]+$' },
        free: { type: 'string' },
        list: { type: 'array', items: { type: 'object', properties: { v: { type: 'string' } } } },
      },
    };
    expect(unbounded(schema, 't')).toEqual([
      't.open: string without maxLength',
      't.free: string without maxLength',
      't.list: array without maxItems',
      't.list[].v: string without maxLength',
    ]);
  });

  test('no tool has an unbounded string or list parameter, at any depth', () => {
    expect(tools.length).toBeGreaterThan(20);
    expect(tools.flatMap((t) => unbounded(t.inputSchema as Schema, t.name))).toEqual([]);
  });

  test.each([
    ['get-cost-and-usage', 'filters', 'values'],
    ['get-cost-and-usage', 'filters', 'key'],
    ['get-cost-and-usage', 'group_by', 'key'],
    ['get-service-pricing', 'filters', 'value'],
  ])('%s lists %s[].%s with maxLength', (name, list, field) => {
    const props = (tools.find((t) => t.name === name)!.inputSchema as Schema).properties;
    const item = props[list].items.properties[field];
    const max = item.type === 'array' ? item.items.maxLength : item.maxLength;
    expect(max).toBe(1024);
  });
});

describe('a value over the bound is refused before any request', () => {
  beforeEach(() => fake.reset());

  test('a 100,000-character filter value is refused, naming filters … values and 1024, and AWS sees nothing', async () => {
    const result = (await client().callTool({
      name: 'get-cost-and-usage',
      arguments: {
        period: 'last_month',
        filters: [{ type: 'DIMENSION', key: 'SERVICE', values: ['x'.repeat(100_000)] }],
      },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toMatch(/filters.*values/);
    expect(text).toContain('1024');
    expect(text.length).toBeLessThan(2000);
    expect(fake.calls).toEqual([]);
  });

  test('a value of exactly 1024 characters goes through (the bound is the API limit, not lower)', async () => {
    fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
    const result = (await client().callTool({
      name: 'get-cost-and-usage',
      arguments: {
        period: 'last_month',
        filters: [{ type: 'TAG', key: 'team', values: ['x'.repeat(1024)] }],
        refresh: true,
      },
    })) as CallToolResult;
    expect(textOf(result)).not.toContain('at most 1024');
    const sent = fake.callsTo('ce:GetCostAndUsage');
    expect(sent.length).toBeGreaterThan(0);
    expect(JSON.stringify(sent[0].body)).toContain('x'.repeat(1024));
  });

  test.each([
    ['get-cost-and-usage', { group_by: [{ type: 'TAG', key: 'k'.repeat(1025) }] }, 'group_by', '1024'],
    ['get-cost-and-usage', { start_date: '2'.repeat(41), end_date: '2026-11-01' }, 'start_date', '40'],
    ['get-tag-values', { tag_key: 't'.repeat(1025) }, 'tag_key', '1024'],
    [
      'get-dimension-values',
      { dimension: 'SERVICE', search_string: 's'.repeat(1025) },
      'search_string',
      '1024',
    ],
    ['compare-costs', { group_by_tag: 'g'.repeat(1025) }, 'group_by_tag', '1024'],
    ['get-anomalies', { monitor_arn: 'a'.repeat(2049) }, 'monitor_arn', '2048'],
    [
      'get-service-pricing',
      { service_code: 'AmazonEC2', filters: [{ field: 'instanceType', value: 'v'.repeat(1025) }] },
      'filters',
      '1024',
    ],
    [
      'list-cost-optimization-recommendations',
      { account_ids: Array.from({ length: 101 }, (_, i) => String(100000000000 + i)) },
      'account_ids',
      '100',
    ],
  ])(
    '%s refuses an over-long value, naming the parameter and the limit',
    async (name, args, param, limit) => {
      const result = (await client().callTool({ name, arguments: args })) as CallToolResult;
      expect(result.isError).toBe(true);
      const text = textOf(result);
      expect(text).toContain(param);
      expect(text).toContain(limit);
      expect(fake.calls.filter((c) => c.service !== 'sts')).toEqual([]);
    },
  );
});

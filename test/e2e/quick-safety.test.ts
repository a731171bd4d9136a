import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ALL_OPERATIONS } from '../../server/src/aws/actions';
import { OPTIMIZATION_PRICING_TOOLS } from '../../server/src/tools';
import { useServer } from './harness';

// Amazon Quick safety (issue 4), checked over tools/list and tools/call exactly as a client sees them: flat native
// input schemas, described properties, kebab-case names, read-only annotations, at most 40 tools all named in the
// instructions, and never a bare array as a result. The general tools/list conventions live in tools-list.test.ts.

const { fake, client } = useServer();

const NAME = /^[a-z][a-z0-9-]{2,63}$/;
const PRIMITIVES = new Set(['string', 'number', 'integer', 'boolean']);
const FORBIDDEN = ['anyOf', 'oneOf', 'allOf', '$ref', 'nullable'];

type Schema = Record<string, any>;

let tools: Tool[];
beforeAll(async () => {
  // Listing first also makes the client validate each structuredContent against its tool's output schema.
  tools = (await client().listTools()).tools;
});

const isPrimitive = (s: Schema | undefined) => s !== undefined && PRIMITIVES.has(s.type);
const isPrimitiveArray = (s: Schema | undefined) => s?.type === 'array' && isPrimitive(s.items);
const isFlatObject = (s: Schema | undefined) =>
  s?.type === 'object' &&
  Object.values((s.properties ?? {}) as Record<string, Schema>).every(
    (p) => isPrimitive(p) || isPrimitiveArray(p),
  );

/** "path: problem" for every union, reference, nullable or multi-type node, at any depth. */
function forbidden(node: unknown, path: string): string[] {
  if (!node || typeof node !== 'object') return [];
  const problems = FORBIDDEN.filter((k) => k in (node as Schema)).map((k) => `${path}: ${k}`);
  if (Array.isArray((node as Schema).type))
    problems.push(`${path}: type ${JSON.stringify((node as Schema).type)}`);
  for (const [k, v] of Object.entries(node as Schema)) {
    if (k !== 'enum' && k !== 'required') problems.push(...forbidden(v, `${path}.${k}`));
  }
  return problems;
}

/**
 * Properties at any depth without a description; a nested field may instead be named in its parameter's description
 * ("clauses {type, key, values, exclude}"), which then describes it once for every tool that takes it.
 */
function undescribed(schema: Schema, path: string, parentDescription?: string): string[] {
  return Object.entries((schema.properties ?? {}) as Record<string, Schema>).flatMap(([name, s]) => [
    ...((typeof s.description === 'string' && s.description.trim()) ||
    (typeof parentDescription === 'string' && new RegExp(`\\b${name}\\b`).test(parentDescription))
      ? []
      : [`${path}.${name}`]),
    ...undescribed(s.type === 'array' ? (s.items ?? {}) : s, `${path}.${name}`, s.description),
  ]);
}

/** The smallest arguments the schema accepts: each required property, built from its type. */
function minimalValue(s: Schema): unknown {
  if (Array.isArray(s.enum)) return s.enum[0];
  switch (s.type) {
    case 'string':
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'number':
    case 'integer':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return [minimalValue(s.items ?? {})];
    case 'object':
      return minimalArgs(s);
    default:
      return 'x';
  }
}

function minimalArgs(schema: Schema): Record<string, unknown> {
  return Object.fromEntries(
    ((schema.required ?? []) as string[]).map((name) => [name, minimalValue(schema.properties[name])]),
  );
}

/** Semantically valid values where a made-up string would only test the error path. */
const REALISTIC: Record<string, Record<string, unknown>> = {
  'get-service-pricing': { service_code: 'AmazonEC2' },
  'get-recommendation-details': { recommendation_id: 'rec-1' },
  'get-usage-forecast': {
    filters: [{ type: 'DIMENSION', key: 'USAGE_TYPE_GROUP', values: ['EC2: Running Hours'] }],
  },
};

test('every input schema is an object of primitives, arrays of primitives, or (arrays of) flat objects', () => {
  const problems: string[] = [];
  for (const t of tools) {
    const schema = t.inputSchema as Schema;
    if (schema.type !== 'object') problems.push(`${t.name}: input schema is not an object`);
    problems.push(...forbidden(schema, t.name));
    for (const [prop, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      const ok =
        isPrimitive(s) ||
        isPrimitiveArray(s) ||
        isFlatObject(s) ||
        (s.type === 'array' && isFlatObject(s.items));
      if (!ok) problems.push(`${t.name}.${prop}: not native/flat`);
    }
  }
  expect(problems).toEqual([]);
});

test('the description check finds an undescribed property and a nested field not named by its parameter (control)', () => {
  const schema = {
    properties: {
      ok: { type: 'string', description: 'Said.' },
      bare: { type: 'boolean' },
      clauses: {
        type: 'array',
        description: 'Clauses {key}.',
        items: { type: 'object', properties: { key: { type: 'string' }, values: { type: 'array' } } },
      },
    },
  };
  expect(undescribed(schema, 't')).toEqual(['t.bare', 't.clauses.values']);
});

test('every property, at any depth, has a description (or is named by its parameter), and every tool one', () => {
  expect(tools.flatMap((t) => undescribed(t.inputSchema as Schema, t.name))).toEqual([]);
  expect(tools.filter((t) => !t.description || t.description.length < 40).map((t) => t.name)).toEqual([]);
});

test('tool names are kebab-case, 3-64 characters', () => {
  expect(tools.map((t) => t.name).filter((n) => !NAME.test(n))).toEqual([]);
});

test('every tool is annotated read-only, non-destructive, idempotent and open-world', () => {
  const wrong = tools.filter(
    (t) =>
      t.annotations?.readOnlyHint !== true ||
      t.annotations?.destructiveHint !== false ||
      t.annotations?.idempotentHint !== true ||
      t.annotations?.openWorldHint !== true,
  );
  expect(wrong.map((t) => t.name)).toEqual([]);
});

test('at most 40 tools, every one named in the instructions', () => {
  expect(tools.length).toBeLessThanOrEqual(40);
  const instructions = client().getInstructions() ?? '';
  expect(tools.map((t) => t.name).filter((n) => !new RegExp(`\\b${n}\\b`).test(instructions))).toEqual([]);
});

test('every tool answers a CallToolResult object, never a bare array, even from empty AWS answers', async () => {
  // STS keeps the fake's own answers (the caller's identity, assumed roles).
  for (const op of ALL_OPERATIONS.filter((o) => !o.startsWith('sts:'))) fake.on(op, () => ({}));
  const mine = new Set(OPTIMIZATION_PRICING_TOOLS.map((t) => t.name));
  const problems: string[] = [];
  for (const t of tools) {
    const args = { ...minimalArgs(t.inputSchema as Schema), ...REALISTIC[t.name] };
    const result = (await client().callTool({ name: t.name, arguments: args })) as CallToolResult;
    const where = `${t.name}(${JSON.stringify(args)})`;
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      problems.push(`${where}: result is not an object`);
      continue;
    }
    if (!Array.isArray(result.content) || result.content.length === 0)
      problems.push(`${where}: no content array`);
    const text = result.content?.map((c) => (c.type === 'text' ? c.text : '')).join('') ?? '';
    if (result.isError) {
      if (/failed unexpectedly/.test(text)) problems.push(`${where}: crashed: ${text}`);
      if (mine.has(t.name)) problems.push(`${where}: error on minimal valid arguments: ${text}`);
    } else {
      const sc = result.structuredContent;
      if (typeof sc !== 'object' || sc === null || Array.isArray(sc)) {
        problems.push(`${where}: structuredContent is not an object`);
      }
    }
  }
  expect(problems).toEqual([]);
});

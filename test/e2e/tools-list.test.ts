import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { version } from '../../package.json';
import { useServer } from './harness';

// Conventions every tool must follow, checked over tools/list as a client sees it, so tools added later are covered
// without touching this file. Amazon Quick, the MCP Inspector and model clients all read exactly this.

const { client } = useServer();

// query: query-cost-data, the name issue 11 gives.
const VERBS = ['get', 'list', 'compare', 'summarize', 'explain', 'describe', 'query'];
const NAME = /^[a-z][a-z0-9-]{2,63}$/;
const PRIMITIVES = ['string', 'number', 'integer', 'boolean'];
const FORBIDDEN_KEYS = ['anyOf', 'oneOf', 'allOf', '$ref', 'nullable'];
const MAX_TOOLS = 40;

/**
 * Tools that take no target_account_id: two answer from public data, and list-accounts lists the organization's
 * accounts themselves. Keep this list short and explicit: every other tool is account-scoped.
 */
const NOT_ACCOUNT_SCOPED = new Set(['get-service-pricing', 'list-pricing-attributes', 'list-accounts']);

type Schema = Record<string, any>;

let tools: Tool[];
beforeAll(async () => {
  tools = (await client().listTools()).tools;
});

/** Every problem in one schema node and below, as "path: problem" lines. */
function forbiddenConstructs(node: unknown, where: string): string[] {
  if (node === null || typeof node !== 'object') return [];
  const problems: string[] = [];
  const obj = node as Schema;
  for (const key of FORBIDDEN_KEYS) if (key in obj) problems.push(`${where}: uses ${key}`);
  if (Array.isArray(obj.type)) problems.push(`${where}: type is an array`);
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'enum' || k === 'required' || k === 'default') continue;
    problems.push(...forbiddenConstructs(v, `${where}.${k}`));
  }
  return problems;
}

function isPrimitive(s: Schema | undefined): boolean {
  return s !== undefined && PRIMITIVES.includes(s.type);
}

function isPrimitiveArray(s: Schema | undefined): boolean {
  return s?.type === 'array' && isPrimitive(s.items);
}

/** An object whose properties are primitives or arrays of primitives (nothing nested deeper). */
function isFlatObject(s: Schema | undefined): boolean {
  if (s?.type !== 'object' || !s.properties) return false;
  return Object.values(s.properties as Record<string, Schema>).every(
    (p) => isPrimitive(p) || isPrimitiveArray(p),
  );
}

function shapeProblems(name: string, schema: Schema): string[] {
  const problems: string[] = [];
  for (const [prop, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const ok =
      isPrimitive(s) ||
      isPrimitiveArray(s) ||
      isFlatObject(s) ||
      (s.type === 'array' && isFlatObject(s.items));
    if (!ok)
      problems.push(
        `${name}.${prop}: not a primitive, an array of primitives, or (an array of) flat objects`,
      );
  }
  return problems;
}

/** The word `name` appears in `description`, e.g. `key` in "clauses {type, key, values}". */
const namedIn = (description: unknown, name: string): boolean =>
  typeof description === 'string' && new RegExp(`\\b${name}\\b`).test(description);

/**
 * Properties at any depth without a description. A field of a nested object (or of an array's objects) may instead
 * be named in its parameter's description ("clauses {type, key, values, exclude}"): tools/list has a size budget, and
 * one description for the parameter says it once instead of once per field in every tool that takes it.
 */
function undescribed(schema: Schema, where: string, parentDescription?: string): string[] {
  const missing: string[] = [];
  for (const [prop, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const path = `${where}.${prop}`;
    const described = typeof s.description === 'string' && s.description.trim() !== '';
    if (!described && !namedIn(parentDescription, prop)) missing.push(path);
    if (s.type === 'object') missing.push(...undescribed(s, path, s.description));
    if (s.type === 'array' && s.items?.type === 'object')
      missing.push(...undescribed(s.items, `${path}[]`, s.description));
  }
  return missing;
}

test('tool names are kebab-case and start with an allowed verb', () => {
  const bad = tools
    .map((t) => t.name)
    .filter((n) => !NAME.test(n) || !VERBS.includes(n.split('-')[0]) || n.endsWith('-') || n.includes('--'));
  expect(bad).toEqual([]);
  expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
});

test(`there are at most ${MAX_TOOLS} tools`, () => {
  expect(tools.length).toBeGreaterThanOrEqual(7);
  expect(tools.length).toBeLessThanOrEqual(MAX_TOOLS);
});

test('input schemas are objects of native JSON types: primitives, arrays of them, or (arrays of) flat objects', () => {
  const problems = tools.flatMap((t) => {
    const schema = t.inputSchema as Schema;
    return schema.type === 'object'
      ? shapeProblems(t.name, schema)
      : [`${t.name}: inputSchema is not an object`];
  });
  expect(problems).toEqual([]);
});

test('no schema uses anyOf, oneOf, allOf, $ref, nullable or a type array, in inputs or outputs', () => {
  const problems = tools.flatMap((t) => [
    ...forbiddenConstructs(t.inputSchema, `${t.name}.inputSchema`),
    ...forbiddenConstructs(t.outputSchema, `${t.name}.outputSchema`),
  ]);
  expect(problems).toEqual([]);
});

test('the description check finds an undescribed parameter and a nested field its parameter does not name (control)', () => {
  const schema = {
    type: 'object',
    properties: {
      described: { type: 'string', description: 'Said.' },
      bare: { type: 'string' },
      clauses: {
        type: 'array',
        description: 'Clauses {key}.',
        items: { type: 'object', properties: { key: { type: 'string' }, values: { type: 'array' } } },
      },
      // A name given at the top level does not stand in for the parameter's own description.
      key: { type: 'string' },
    },
  };
  expect(undescribed(schema, 't')).toEqual(['t.bare', 't.clauses[].values', 't.key']);
});

test('every input property, nested ones included, has a description or is named by its parameter', () => {
  const missing = tools.flatMap((t) => undescribed(t.inputSchema as Schema, t.name));
  expect(missing).toEqual([]);
});

test('every tool describes itself and declares an output schema', () => {
  for (const t of tools) {
    expect({ name: t.name, described: (t.description ?? '').length > 40 }).toEqual({
      name: t.name,
      described: true,
    });
    expect({ name: t.name, outputType: t.outputSchema?.type }).toEqual({
      name: t.name,
      outputType: 'object',
    });
  }
});

test('every tool is annotated read-only, non-destructive, idempotent and open-world', () => {
  const wrong = tools
    .filter(
      (t) =>
        t.annotations?.readOnlyHint !== true ||
        t.annotations?.destructiveHint !== false ||
        t.annotations?.idempotentHint !== true ||
        t.annotations?.openWorldHint !== true,
    )
    .map((t) => t.name);
  expect(wrong).toEqual([]);
});

// Issue 13: an account id or an account name (at most 50 characters, Organizations' bound), optional.
test('every account-scoped tool takes target_account_id as an optional bounded string (id or name)', () => {
  const missing = tools
    .filter((t) => !NOT_ACCOUNT_SCOPED.has(t.name))
    .filter((t) => {
      const p = (t.inputSchema.properties as Record<string, Schema> | undefined)?.target_account_id;
      return (
        p?.type !== 'string' ||
        p.minLength !== 1 ||
        p.maxLength !== 50 ||
        (t.inputSchema.required ?? []).includes('target_account_id')
      );
    })
    .map((t) => t.name);
  expect(missing).toEqual([]);
});

describe('initialize', () => {
  test('names the server billing-mcp with the package version', () => {
    expect(client().getServerVersion()).toEqual({ name: 'billing-mcp', version });
  });

  test('the instructions name only tools that exist, and every tool', () => {
    const instructions = client().getInstructions() ?? '';
    const names = new Set(tools.map((t) => t.name));
    const mentioned = [
      ...instructions.matchAll(new RegExp(`\\b(?:${VERBS.join('|')})(?:-[a-z0-9]+)+\\b`, 'g')),
    ].map((m) => m[0]);
    expect(mentioned.length).toBeGreaterThan(0);
    expect(mentioned.filter((m) => !names.has(m))).toEqual([]);
    expect([...names].filter((n) => !mentioned.includes(n))).toEqual([]);
  });

  test('the instructions state the defaults', () => {
    const instructions = client().getInstructions() ?? '';
    for (const phrase of [
      'UTC',
      'end_date is exclusive',
      'UnblendedCost',
      'credits and refunds are excluded unless include_credits_refunds is true',
      'top 25',
      'target_account_id',
      '$0.01 per request',
    ]) {
      expect(instructions).toContain(phrase);
    }
  });
});

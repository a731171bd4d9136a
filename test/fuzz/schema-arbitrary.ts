import fc from 'fast-check';
import { OWN_ACCOUNT } from '../fake-aws/fake-aws';

/**
 * fast-check arbitraries derived from a tool's JSON input schema (as tools/list publishes it), so every tool —
 * including ones added later — is fuzzed from its own contract: valid-shaped arguments that mix realistic and
 * odd-but-well-typed values, and hostile ones that break the contract on purpose.
 */

/** The subset of JSON Schema (draft-07, as zod emits it for our tools) the arbitraries understand. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** An account the fuzz server allows besides its own. */
export const ALLOWED_MEMBER = '222222222222';

const ACCOUNT_IDS = [
  OWN_ACCOUNT,
  ALLOWED_MEMBER,
  '999999999999', // well-formed, not allowed
  '1234567890123', // 13 digits
  '12345678901', // 11 digits
  'abcdefghijkl',
  '22222222222a',
  ` ${ALLOWED_MEMBER}`,
  `${ALLOWED_MEMBER}\n`,
  '',
  '０１２３４５６７８９０１', // full-width digits
];

const VALID_DATES = fc
  .record({
    year: fc.integer({ min: 2024, max: 2027 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ year, month, day }) => `${year}-${pad(month)}-${pad(day)}`);

const ODD_DATES = fc.constantFrom(
  '2026-02-30',
  '2026-02-29', // not a leap year
  '2028-02-29', // a leap year
  '2026-13-01',
  '2026-00-10',
  '2026-11-31',
  '2026-1-5',
  '20261124',
  '2026-11-24T00:00:00Z',
  '2026-11-24 ',
  '0000-00-00',
  '0001-01-01',
  '1970-01-01',
  '9999-12-31',
  '+275760-09-13',
  'yesterday',
  'last_month',
  '',
  '２０２６-１１-０１',
);

const REALISTIC_STRINGS = fc.constantFrom(
  'SERVICE',
  'LINKED_ACCOUNT',
  'REGION',
  'USAGE_TYPE',
  'Amazon Elastic Compute Cloud - Compute',
  'AmazonEC2',
  'm7g.large',
  'us-east-1',
  'Environment',
  'team$platform',
  'arn:aws:ce::111111111111:anomalymonitor/abc',
  '*',
  '%',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE costs; --",
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
);

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : (schema.type as string | undefined);
}

/** Mostly values that satisfy the schema, sometimes odd ones of the right type: both must be handled. */
function mostly<T>(conforming: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: conforming }, { weight: 1, arbitrary: odd });
}

/** Strings shaped by the property name and constraints: dates, months, account ids and regions are realistic. */
function stringFor(name: string, schema: JsonSchema): fc.Arbitrary<string> {
  const free = fc.oneof(
    REALISTIC_STRINGS,
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
  );
  if (/account/.test(name))
    return mostly(fc.constantFrom(...ACCOUNT_IDS.slice(0, 3)), fc.constantFrom(...ACCOUNT_IDS));
  if (/date/.test(name)) return mostly(VALID_DATES, ODD_DATES);
  if (/region/.test(name))
    return mostly(
      fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-1'),
      fc.constantFrom('xx-nowhere-9', 'US-EAST-1', ''),
    );
  if (schema.pattern) {
    const months = VALID_DATES.map((d) => d.slice(0, 7));
    const matching = fc.stringMatching(new RegExp(schema.pattern));
    return mostly(/\\d\{4\}/.test(schema.pattern) ? fc.oneof(months, matching) : matching, free);
  }
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 40);
  if (min > 0 || schema.maxLength !== undefined) {
    const sized = fc.oneof(REALISTIC_STRINGS, fc.string({ minLength: min, maxLength: Math.max(min, max) }));
    return mostly(
      sized.filter((v) => v.length >= min && v.length <= (schema.maxLength ?? Infinity)),
      free,
    );
  }
  return free;
}

/** A value that has the type the schema asks for: mostly within its constraints, sometimes not. */
export function wellTypedValue(name: string, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  switch (typeOf(schema)) {
    case 'string':
      return stringFor(name, schema);
    case 'integer':
      return mostly(
        fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 500, 1e6) }),
        fc.constantFrom(0, -1, 2_147_483_647, Number.MAX_SAFE_INTEGER),
      );
    case 'number':
      return mostly(
        fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1e6, noNaN: true }),
        fc.constantFrom(0, -0.5, 1e308),
      );
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const element = wellTypedValue(name, schema.items ?? {}, depth + 1);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, depth > 1 ? 2 : 4));
      return mostly(fc.array(element, { minLength, maxLength }), fc.array(element, { maxLength: 6 }));
    }
    case 'object':
      return wellTypedObject(schema, depth + 1);
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean());
  }
}

/** An object with the schema's required properties and any subset of the optional ones. */
export function wellTypedObject(schema: JsonSchema, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, prop]) => [name, wellTypedValue(name, prop, depth)]),
  );
  return fc.record(model, { requiredKeys: [...(schema.required ?? [])] }).map((value) => ({ ...value }));
}

/** The smallest value of a schema's type: required properties only, first enum value, short strings. */
export function minimalValue(schema: JsonSchema): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (typeOf(schema)) {
    case 'string':
      return 'x';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((name) => [name, minimalValue(schema.properties?.[name] ?? {})]),
      );
    default:
      return null;
  }
}

const WRONG_TYPES: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.constant([[[[]]]]),
  fc.constant('{"type":"DIMENSION"}'),
);

function withProperty(base: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> {
  const copy = { ...base };
  // defineProperty, so "__proto__" becomes an own key that JSON.stringify sends rather than a prototype change.
  Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Arguments that break the schema on purpose, in the ways the issue names. */
export function hostileArguments(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const names = properties.map(([name]) => name);
  const base = wellTypedObject(schema);
  const pick = names.length > 0 ? fc.constantFrom(...names) : fc.constant('anything');
  const propSchema = (name: string): JsonSchema => schema.properties?.[name] ?? {};

  const wrongType = fc
    .tuple(base, pick, WRONG_TYPES)
    .map(([args, name, value]) => withProperty(args, name, value));

  const hugeString = fc
    .tuple(
      base,
      pick,
      fc.constantFrom('x', '€', '😀', '\u0000', 'a\u0301'),
      fc.integer({ min: 20_000, max: 60_000 }),
    )
    .map(([args, name, unit, length]) => withProperty(args, name, unit.repeat(length)));

  // Elements stay small so that 10,000 of them fit under the server's 1 MiB body limit and reach the server's
  // checks; 1,500 stays under its limit on input elements, so the tool's own validation sees them.
  const hugeArray = fc.tuple(base, pick, fc.constantFrom(10_000, 1_500)).chain(([args, name, length]) => {
    const items = propSchema(name).items;
    const element = items ? wellTypedValue(name, items, 2) : fc.string({ maxLength: 3 });
    return element.map((value) => {
      const small = JSON.stringify(value ?? null).length <= 60 ? value : minimalValue(items ?? {});
      return withProperty(args, name, new Array(length).fill(small));
    });
  });

  const unicode = fc
    .tuple(base, pick, fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }))
    .map(([args, name, value]) =>
      withProperty(args, name, typeOf(propSchema(name)) === 'array' ? [value] : value),
    );

  const hasDates = names.includes('start_date') && names.includes('end_date');
  const datePairs = fc
    .tuple(
      base,
      fc.constantFrom(
        ['2026-10-01', '2026-09-01'], // end before start
        ['2026-10-01', '2026-10-01'], // empty range
        ['1900-01-01', '2999-01-01'], // far beyond the 14 months of history
        ['2026-02-30', '2026-03-01'],
        ['2026-12-01', '2027-01-01'], // the future
        ['2026-11-24', '2026-11-25'], // today only
      ),
    )
    .map(([args, [start, end]]) => ({ ...args, start_date: start, end_date: end }));

  const pollution = fc
    .tuple(base, fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'))
    .map(([args, key]) => {
      const polluted = withProperty(args, key, { polluted: true, prototype: { polluted: true } });
      // And inside the first array-of-objects parameter, where handlers walk user-supplied objects.
      const nested = properties.find(([, p]) => typeOf(p) === 'array' && typeOf(p.items ?? {}) === 'object');
      if (nested)
        polluted[nested[0]] = [withProperty({ type: 'DIMENSION', key: 'SERVICE', values: ['x'] }, key, {})];
      return polluted;
    });

  const accounts = fc.tuple(base, fc.constantFrom(...ACCOUNT_IDS)).map(([args, id]) => {
    const next = { ...args };
    if (names.includes('target_account_id')) next.target_account_id = id;
    if (names.includes('target_account_ids')) next.target_account_ids = [id, id, OWN_ACCOUNT];
    return next;
  });

  const unknownKeys = fc
    .tuple(base, fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), WRONG_TYPES, { maxKeys: 4 }))
    .map(([args, extra]) => ({ ...extra, ...args }));

  return fc.oneof(
    { weight: 3, arbitrary: wrongType },
    { weight: 1, arbitrary: hugeString },
    { weight: 2, arbitrary: hugeArray },
    { weight: 2, arbitrary: unicode },
    { weight: 2, arbitrary: pollution },
    { weight: 2, arbitrary: accounts },
    { weight: 1, arbitrary: unknownKeys },
    ...(hasDates ? [{ weight: 2, arbitrary: datePairs }] : []),
  );
}

import { ToolInputError } from '../../../server/src/billing/errors';
import { buildFilter, buildGroupBy, CE_DIMENSIONS } from '../../../server/src/billing/filters';

const OWN = '111111111111';
const MEMBER = '222222222222';
const NOT_CREDITS = { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } };

describe('buildFilter', () => {
  test('excludes credits and refunds by default when there are no clauses', () => {
    expect(buildFilter(undefined, { queriedAccountId: OWN, excludeCreditsRefunds: true })).toEqual({
      filter: NOT_CREDITS,
      notes: [],
      creditsRefunds: 'excluded',
    });
  });

  test('sends no filter at all when nothing is filtered and credits are kept', () => {
    expect(buildFilter([], { queriedAccountId: OWN })).toEqual({
      filter: undefined,
      notes: [],
      creditsRefunds: 'included',
    });
  });

  test('combines clauses with AND, tags and cost categories included, excluded ones under Not', () => {
    const { filter } = buildFilter(
      [
        { type: 'DIMENSION', key: 'SERVICE', values: ['Amazon S3'] },
        { type: 'TAG', key: 'team', values: ['data'], exclude: true },
        { type: 'COST_CATEGORY', key: 'Unit', values: ['Retail'] },
      ],
      { queriedAccountId: OWN, excludeCreditsRefunds: true },
    );
    expect(filter).toEqual({
      And: [
        { Dimensions: { Key: 'SERVICE', Values: ['Amazon S3'] } },
        { Not: { Tags: { Key: 'team', Values: ['data'] } } },
        { CostCategories: { Key: 'Unit', Values: ['Retail'] } },
        NOT_CREDITS,
      ],
    });
  });

  test('removes the queried account from a LINKED_ACCOUNT clause and keeps the other accounts', () => {
    const { filter, notes } = buildFilter(
      [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: [OWN, MEMBER] }],
      {
        queriedAccountId: OWN,
      },
    );
    expect(filter).toEqual({ Dimensions: { Key: 'LINKED_ACCOUNT', Values: [MEMBER] } });
    expect(notes).toEqual([
      `Removed ${OWN} from the LINKED_ACCOUNT filter: it is the queried account itself (a management account is not its own linked account).`,
    ]);
  });

  test('drops a LINKED_ACCOUNT clause that only named the queried account, and says so', () => {
    const { filter, notes } = buildFilter(
      [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: [MEMBER, MEMBER] }],
      {
        queriedAccountId: MEMBER,
        excludeCreditsRefunds: true,
      },
    );
    expect(filter).toEqual(NOT_CREDITS);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`^Dropped the LINKED_ACCOUNT filter on ${MEMBER}`));
  });

  test('never touches an exclude clause on the queried account', () => {
    const { filter, notes } = buildFilter(
      [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT', values: [OWN], exclude: true }],
      { queriedAccountId: OWN },
    );
    expect(filter).toEqual({ Not: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [OWN] } } });
    expect(notes).toEqual([]);
  });

  test('leaves the RECORD_TYPE choice to a caller who filters on RECORD_TYPE, and says so', () => {
    const { filter, notes, creditsRefunds } = buildFilter(
      [{ type: 'DIMENSION', key: 'RECORD_TYPE', values: ['Credit'] }],
      { queriedAccountId: OWN, excludeCreditsRefunds: true },
    );
    expect(filter).toEqual({ Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit'] } });
    expect(creditsRefunds).toBe('included');
    expect(notes).toEqual([
      'Your RECORD_TYPE filter decides which credits and refunds count; the default exclusion was not added.',
    ]);
  });

  test('removes duplicate values', () => {
    const { filter } = buildFilter(
      [{ type: 'DIMENSION', key: 'REGION', values: ['eu-west-1', 'eu-west-1'] }],
      {
        queriedAccountId: OWN,
      },
    );
    expect(filter).toEqual({ Dimensions: { Key: 'REGION', Values: ['eu-west-1'] } });
  });

  test('rejects an unknown dimension, listing the valid ones', () => {
    const run = () =>
      buildFilter([{ type: 'DIMENSION', key: 'SERVCE', values: ['x'] }], { queriedAccountId: OWN });
    expect(run).toThrow(ToolInputError);
    expect(run).toThrow(
      `filters[0]: "SERVCE" is not a Cost Explorer dimension. Use one of: ${CE_DIMENSIONS.join(', ')}.`,
    );
  });

  test('rejects a clause without values, and one with more than 500', () => {
    expect(() => buildFilter([{ type: 'TAG', key: 'team', values: [] }], { queriedAccountId: OWN })).toThrow(
      'filters[0]: values must list at least one value.',
    );
    const many = Array.from({ length: 501 }, (_, i) => `v${i}`);
    expect(() =>
      buildFilter([{ type: 'TAG', key: 'team', values: many }], { queriedAccountId: OWN }),
    ).toThrow('filters[0]: at most 500 values per filter, got 501.');
  });

  test('rejects a value longer than Cost Explorer allows (1024 characters), and keeps one of exactly 1024', () => {
    const run = (value: string) =>
      buildFilter([{ type: 'TAG', key: 'team', values: ['ok', value] }], { queriedAccountId: OWN });
    expect(() => run('x'.repeat(1025))).toThrow(
      "filters[0].values[1]: at most 1024 characters (Cost Explorer's limit), got 1025.",
    );
    expect(run('x'.repeat(1024)).filter).toEqual({ Tags: { Key: 'team', Values: ['ok', 'x'.repeat(1024)] } });
  });

  test('rejects an empty tag key', () => {
    expect(() => buildFilter([{ type: 'TAG', key: ' ', values: ['x'] }], { queriedAccountId: OWN })).toThrow(
      'filters[0]: key must be a non-empty string',
    );
  });
});

describe('buildGroupBy', () => {
  test('converts up to two keys', () => {
    expect(
      buildGroupBy([
        { type: 'DIMENSION', key: 'SERVICE' },
        { type: 'TAG', key: 'team' },
      ]),
    ).toEqual([
      { Type: 'DIMENSION', Key: 'SERVICE' },
      { Type: 'TAG', Key: 'team' },
    ]);
    expect(buildGroupBy([])).toBeUndefined();
    expect(buildGroupBy(undefined)).toBeUndefined();
  });

  test('refuses a third key (a Cost Explorer limit)', () => {
    expect(() =>
      buildGroupBy([
        { type: 'DIMENSION', key: 'SERVICE' },
        { type: 'DIMENSION', key: 'REGION' },
        { type: 'DIMENSION', key: 'AZ' },
      ]),
    ).toThrow('group_by takes at most two keys (a Cost Explorer limit), got 3.');
  });

  test('refuses an unknown dimension, naming its position', () => {
    expect(() => buildGroupBy([{ type: 'DIMENSION', key: 'REGIONS' }])).toThrow(
      /^group_by\[0\]: "REGIONS" is not/,
    );
  });
});

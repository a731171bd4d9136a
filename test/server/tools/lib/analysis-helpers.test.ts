import { amount } from '../../../../server/src/billing/money';
import { ToolInputError } from '../../../../server/src/billing/errors';
import {
  commitmentRange,
  granularityFor,
  attributesLabel,
} from '../../../../server/src/tools/lib/commitments';
import { budgetStatus } from '../../../../server/src/tools/lib/budgets';
import { breakEvenMonths } from '../../../../server/src/tools/get-purchase-recommendations';
import {
  comparisonGroupDefinition,
  resolveMonthPair,
  selectorLabel,
  signed,
} from '../../../../server/src/tools/lib/month-comparison';

const NOW = new Date('2026-11-24T12:00:00Z');

describe('resolveMonthPair', () => {
  test('defaults to last month against the month before', () => {
    expect(resolveMonthPair({}, NOW)).toEqual({
      baseline: { start: '2026-09-01', end: '2026-10-01' },
      comparison: { start: '2026-10-01', end: '2026-11-01' },
      baselineLabel: '2026-09',
      comparisonLabel: '2026-10',
      comparisonIncomplete: false,
    });
  });

  test('defaults the baseline to the month before the comparison month, across a year boundary', () => {
    const pair = resolveMonthPair({ comparison_month: '2026-01' }, NOW);
    expect(pair.baseline).toEqual({ start: '2025-12-01', end: '2026-01-01' });
    expect(pair.comparison).toEqual({ start: '2026-01-01', end: '2026-02-01' });
  });

  test('flags the current month as incomplete', () => {
    expect(resolveMonthPair({ comparison_month: '2026-11' }, NOW).comparisonIncomplete).toBe(true);
  });

  test.each([
    [{ baseline_month: '2026-9' }, 'baseline_month must be a month as YYYY-MM'],
    [{ comparison_month: '2026-13' }, 'comparison_month must be a month as YYYY-MM'],
    [{ comparison_month: '2026-10-01' }, 'Give the month only: "2026-10"'],
    [{ comparison_month: '2026-12' }, 'is in the future'],
    [{ baseline_month: '2025-09' }, 'reach back to 2025-10'],
    [{ baseline_month: '2026-10', comparison_month: '2026-10' }, 'both 2026-10'],
  ])('rejects %j', (args, message) => {
    expect(() => resolveMonthPair(args, NOW)).toThrow(ToolInputError);
    expect(() => resolveMonthPair(args, NOW)).toThrow(message);
  });
});

describe('selectorLabel', () => {
  test('names dimension values, tags and nested selectors', () => {
    expect(selectorLabel({ Dimensions: { Key: 'SERVICE', Values: ['Amazon S3'] } })).toBe('Amazon S3');
    expect(selectorLabel({ Tags: { Key: 'team', Values: [''] } })).toBe('team=(untagged)');
    expect(
      selectorLabel({
        And: [
          { Dimensions: { Key: 'SERVICE', Values: ['EC2'] } },
          { CostCategories: { Key: 'env', Values: ['prod'] } },
        ],
      }),
    ).toBe('EC2 / env=prod');
    expect(selectorLabel(undefined)).toBe('(total)');
  });
});

describe('comparisonGroupDefinition', () => {
  test('groups by SERVICE by default and by a tag key when given', () => {
    expect(comparisonGroupDefinition({})).toEqual({ Type: 'DIMENSION', Key: 'SERVICE' });
    expect(comparisonGroupDefinition({ group_by: 'REGION', group_by_tag: ' team ' })).toEqual({
      Type: 'TAG',
      Key: 'team',
    });
    expect(() => comparisonGroupDefinition({ group_by_tag: '  ' })).toThrow(
      'group_by_tag must be a non-empty',
    );
  });
});

describe('signed', () => {
  test('rounds half away from zero and never signs zero', () => {
    expect(signed(amount('2.345'))).toBe('+2.35');
    expect(signed(amount('-2.345'))).toBe('-2.35');
    expect(signed(amount('-0.001'))).toBe('0.00');
  });
});

describe('budgetStatus', () => {
  test('compares exactly: a cost just over its limit is exceeded, equal is not', () => {
    expect(budgetStatus('COST', amount('100'), amount('100.0000000001'))).toBe('exceeded');
    expect(budgetStatus('COST', amount('100'), amount('100'), amount('100'))).toBe('ok');
    expect(budgetStatus('COST', amount('100'), amount('50'), amount('100.01'))).toBe('forecast_to_exceed');
  });

  test('treats coverage and utilization budgets as floors, and a zero limit as none', () => {
    expect(budgetStatus('SAVINGS_PLANS_COVERAGE', amount('80'), amount('79.99'))).toBe('below_target');
    expect(budgetStatus('RI_UTILIZATION', amount('80'), amount('95'))).toBe('ok');
    expect(budgetStatus('COST', amount('0'), amount('5'))).toBe('no_limit');
    expect(budgetStatus('COST', undefined, amount('5'))).toBe('no_limit');
  });
});

describe('breakEvenMonths', () => {
  test('divides upfront by monthly savings and shows one decimal, half away from zero', () => {
    expect(breakEvenMonths(amount('3000'), amount('125'))).toBe('24.0');
    expect(breakEvenMonths(amount('2.5'), amount('10'))).toBe('0.3');
    expect(breakEvenMonths(amount('0'), amount('10'))).toBe('0');
    expect(breakEvenMonths(amount('100'), amount('0'))).toBeUndefined();
    expect(breakEvenMonths(amount('100'), amount('-5'))).toBeUndefined();
  });
});

describe('commitmentRange', () => {
  test('defaults to last month', () => {
    expect(commitmentRange({}, NOW)).toEqual({
      range: { start: '2026-10-01', end: '2026-11-01' },
      notes: [],
    });
  });

  test('ends a range that reaches tomorrow at today, with a note', () => {
    const { range, notes } = commitmentRange({ period: 'month_to_date' }, NOW);
    expect(range).toEqual({ start: '2026-11-01', end: '2026-11-24' });
    expect(notes).toHaveLength(1);
  });

  test('refuses a range with no complete day', () => {
    expect(() => commitmentRange({ start_date: '2026-11-24', end_date: '2026-11-25' }, NOW)).toThrow(
      'has no complete day yet',
    );
  });

  test('refuses a start more than 12 months back', () => {
    expect(() => commitmentRange({ start_date: '2025-10-01', end_date: '2025-11-01' }, NOW)).toThrow(
      'more than 12 months back',
    );
  });
});

describe('granularityFor', () => {
  test('sends no granularity with a group-by and says so when one was asked for', () => {
    const notes: string[] = [];
    expect(granularityFor('REGION', 'DAILY', notes)).toBeUndefined();
    expect(notes[0]).toContain('AWS rejects Granularity together with GroupBy');
    const quiet: string[] = [];
    expect(granularityFor('REGION', undefined, quiet)).toBeUndefined();
    expect(quiet).toEqual([]);
    expect(granularityFor(undefined, undefined, quiet)).toBe('MONTHLY');
    expect(granularityFor(undefined, 'DAILY', quiet)).toBe('DAILY');
  });
});

describe('attributesLabel', () => {
  test('uses the value alone for one attribute and key: value pairs for several', () => {
    expect(attributesLabel({ instanceType: 'm5.large' })).toBe('m5.large');
    expect(attributesLabel({ region: 'us-east-1', instanceType: 'm5.large' })).toBe(
      'region: us-east-1, instanceType: m5.large',
    );
    expect(attributesLabel(undefined)).toBe('(all)');
  });
});

import {
  daysBetween,
  parseIsoDate,
  resolveForecastPeriod,
  resolveForecastRange,
  resolvePeriod,
  resolveRange,
  type Period,
} from '../../../server/src/billing/dates';
import { ToolInputError } from '../../../server/src/billing/errors';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-11-24T12:00:00Z');

describe('parseIsoDate', () => {
  test('accepts a real calendar date, including 29 February of a leap year', () => {
    expect(parseIsoDate('2024-02-29', 'start_date').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  test.each([
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-04-31',
    '2026-2-3',
    '26-02-03',
    '2026-02-03T00:00Z',
    '',
  ])('rejects %j, naming the parameter', (value) => {
    expect(() => parseIsoDate(value, 'end_date')).toThrow(ToolInputError);
    expect(() => parseIsoDate(value, 'end_date')).toThrow(
      `end_date must be a real calendar date as YYYY-MM-DD, got "${value}".`,
    );
  });
});

describe('resolvePeriod', () => {
  const cases: [string, Period, string, string][] = [
    // New Year's Day just after midnight: every period crosses the year boundary.
    ['2026-01-01T00:00:01Z', 'month_to_date', '2026-01-01', '2026-01-02'],
    ['2026-01-01T00:00:01Z', 'last_month', '2025-12-01', '2026-01-01'],
    ['2026-01-01T00:00:01Z', 'last_3_months', '2025-10-01', '2026-01-01'],
    ['2026-01-01T00:00:01Z', 'last_6_months', '2025-07-01', '2026-01-01'],
    ['2026-01-01T00:00:01Z', 'last_12_months', '2025-01-01', '2026-01-01'],
    ['2026-01-01T00:00:01Z', 'year_to_date', '2026-01-01', '2026-01-02'],
    ['2026-01-01T00:00:01Z', 'last_7_days', '2025-12-25', '2026-01-01'],
    ['2026-01-01T00:00:01Z', 'last_30_days', '2025-12-02', '2026-01-01'],
    // New Year's Eve one second before midnight: still the old year in UTC.
    ['2026-12-31T23:59:59Z', 'month_to_date', '2026-12-01', '2027-01-01'],
    ['2026-12-31T23:59:59Z', 'year_to_date', '2026-01-01', '2027-01-01'],
    ['2026-12-31T23:59:59Z', 'last_month', '2026-11-01', '2026-12-01'],
    // 1 March of a leap year: February has 29 days.
    ['2024-03-01T05:00:00Z', 'last_month', '2024-02-01', '2024-03-01'],
    ['2024-03-01T05:00:00Z', 'last_30_days', '2024-01-31', '2024-03-01'],
    ['2024-03-01T05:00:00Z', 'month_to_date', '2024-03-01', '2024-03-02'],
  ];
  test.each(cases)('at %s, %s is %s to %s', (now, period, start, end) => {
    expect(resolvePeriod(period, at(now))).toEqual({ start, end });
  });

  test('resolves in UTC whatever the local offset of the instant given', () => {
    // 23:30 on 31 October in UTC-5 is already 1 November in UTC.
    expect(resolvePeriod('month_to_date', at('2026-10-31T23:30:00-05:00'))).toEqual({
      start: '2026-11-01',
      end: '2026-11-02',
    });
  });
});

describe('resolveRange', () => {
  const rules = { defaultPeriod: 'month_to_date' as const, maxMonthsBack: 14 };

  test('uses the default period when neither a period nor dates are given', () => {
    expect(resolveRange({}, NOW, rules)).toEqual({ start: '2026-11-01', end: '2026-11-25' });
  });

  test('uses a default range function when the tool has one and no period is given', () => {
    const range = resolveRange({}, NOW, {
      ...rules,
      defaultRange: () => ({ start: '2026-11-20', end: '2026-11-22' }),
    });
    expect(range).toEqual({ start: '2026-11-20', end: '2026-11-22' });
    expect(resolveRange({ period: 'last_month' }, NOW, { ...rules, defaultRange: () => range })).toEqual({
      start: '2026-10-01',
      end: '2026-11-01',
    });
  });

  test('refuses a period together with dates', () => {
    expect(() =>
      resolveRange({ period: 'last_month', start_date: '2026-10-01', end_date: '2026-11-01' }, NOW, rules),
    ).toThrow('Give either period or start_date + end_date, not both.');
  });

  test('refuses a start date without an end date', () => {
    expect(() => resolveRange({ start_date: '2026-10-01' }, NOW, rules)).toThrow(
      /start_date and end_date go together/,
    );
  });

  test.each([
    ['2026-11-10', '2026-11-01'],
    ['2026-11-10', '2026-11-10'],
  ])('refuses start_date %s with end_date %s, not after it', (start, end) => {
    expect(() => resolveRange({ start_date: start, end_date: end }, NOW, rules)).toThrow(
      `end_date (${end}) must be after start_date (${start})`,
    );
  });

  test('allows a start exactly 14 months back (the 1st of that month) and refuses the day before', () => {
    expect(resolveRange({ start_date: '2025-09-01', end_date: '2025-10-01' }, NOW, rules)).toEqual({
      start: '2025-09-01',
      end: '2025-10-01',
    });
    expect(() => resolveRange({ start_date: '2025-08-31', end_date: '2025-10-01' }, NOW, rules)).toThrow(
      'start_date 2025-08-31 is more than 14 months back; Cost Explorer keeps data from 2025-09-01 on.',
    );
  });

  test('allows a start 14 days back and refuses 15, saying why', () => {
    const daily = { ...rules, maxDaysBack: 14, daysBackReason: 'HOURLY data covers the last 14 days' };
    expect(resolveRange({ start_date: '2026-11-10', end_date: '2026-11-11' }, NOW, daily).start).toBe(
      '2026-11-10',
    );
    expect(() => resolveRange({ start_date: '2026-11-09', end_date: '2026-11-11' }, NOW, daily)).toThrow(
      'start_date 2026-11-09 is more than 14 days back (HOURLY data covers the last 14 days); use a start_date on or after 2026-11-10.',
    );
  });

  test('lets the end reach tomorrow (today included) but not further, unless the tool allows the future', () => {
    expect(resolveRange({ start_date: '2026-11-01', end_date: '2026-11-25' }, NOW, rules).end).toBe(
      '2026-11-25',
    );
    expect(() => resolveRange({ start_date: '2026-11-01', end_date: '2026-11-26' }, NOW, rules)).toThrow(
      /end_date 2026-11-26 is in the future; the latest end_date is 2026-11-25.*get-cost-forecast/,
    );
    expect(
      resolveRange({ start_date: '2026-11-01', end_date: '2027-01-01' }, NOW, { ...rules, allowFuture: true })
        .end,
    ).toBe('2027-01-01');
  });

  test('rejects an impossible date in the range', () => {
    expect(() => resolveRange({ start_date: '2026-02-30', end_date: '2026-03-02' }, NOW, rules)).toThrow(
      'start_date must be a real calendar date as YYYY-MM-DD, got "2026-02-30".',
    );
  });
});

describe('forecast ranges', () => {
  test.each([
    ['2026-11-24T12:00:00Z', 'rest_of_month', '2026-11-24', '2026-12-01'],
    ['2026-12-31T23:00:00Z', 'rest_of_month', '2026-12-31', '2027-01-01'],
    ['2026-12-15T00:00:00Z', 'next_month', '2027-01-01', '2027-02-01'],
    ['2026-11-24T12:00:00Z', 'next_3_months', '2026-12-01', '2027-03-01'],
    ['2026-11-24T12:00:00Z', 'next_12_months', '2026-12-01', '2027-12-01'],
  ] as const)('at %s, %s is %s to %s', (now, period, start, end) => {
    expect(resolveForecastPeriod(period, at(now))).toEqual({ start, end });
  });

  test('defaults to the rest of the current month', () => {
    expect(resolveForecastRange({}, NOW)).toEqual({ start: '2026-11-24', end: '2026-12-01' });
  });

  test('accepts a start of today and refuses yesterday, pointing to get-cost-and-usage', () => {
    expect(resolveForecastRange({ start_date: '2026-11-24', end_date: '2026-11-25' }, NOW).start).toBe(
      '2026-11-24',
    );
    expect(() => resolveForecastRange({ start_date: '2026-11-23', end_date: '2026-12-01' }, NOW)).toThrow(
      'A forecast must start today (2026-11-24) or later, got start_date 2026-11-23. For spend before today use get-cost-and-usage.',
    );
  });

  test('bounds the length when asked (DAILY forecasts)', () => {
    const rules = { maxDays: 93, maxDaysReason: 'DAILY forecasts cover at most 3 months' };
    expect(resolveForecastRange({ forecast_period: 'next_3_months' }, NOW, rules)).toEqual({
      start: '2026-12-01',
      end: '2027-03-01',
    });
    expect(() => resolveForecastRange({ forecast_period: 'next_12_months' }, NOW, rules)).toThrow(
      'longer than 93 days (DAILY forecasts cover at most 3 months)',
    );
  });

  test('refuses a forecast period together with dates, and an end not after the start', () => {
    expect(() =>
      resolveForecastRange(
        { forecast_period: 'next_month', start_date: '2026-12-01', end_date: '2027-01-01' },
        NOW,
      ),
    ).toThrow('Give either forecast_period or start_date + end_date, not both.');
    expect(() => resolveForecastRange({ start_date: '2026-12-01', end_date: '2026-12-01' }, NOW)).toThrow(
      'end_date (2026-12-01) must be after start_date (2026-12-01)',
    );
  });
});

test('daysBetween counts whole days across a month end', () => {
  expect(daysBetween('2026-11-24', '2026-12-01')).toBe(7);
  expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
});

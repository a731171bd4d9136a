import {
  amount,
  exact,
  money,
  percentChange,
  percentOf,
  rounded,
  sum,
} from '../../../server/src/billing/money';

describe('money', () => {
  test('sums exactly where floats drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(exact(sum(['0.1', '0.2']))).toBe('0.3');
    // 100.1000000001 + 0.2 + 0.1 + 0.0000000009 in floats is 100.40000000100001.
    expect(exact(sum(['100.1000000001', '0.2', '0.1', '0.0000000009']))).toBe('100.400000001');
  });

  test('keeps every digit of large and tiny amounts, never in exponent form', () => {
    expect(exact(amount('12345678901234567890.1234567891'))).toBe('12345678901234567890.1234567891');
    expect(exact(amount('1e-10'))).toBe('0.0000000001');
    expect(exact(sum(['99999999999999999999.9999999999', '0.0000000001']))).toBe('100000000000000000000');
  });

  test('keeps the sign of credits', () => {
    expect(exact(sum(['10.5', '-10.75']))).toBe('-0.25');
  });

  test('counts missing or unreadable amounts as zero', () => {
    expect(exact(amount(undefined))).toBe('0');
    expect(exact(amount(null))).toBe('0');
    expect(exact(amount(''))).toBe('0');
    expect(exact(amount('not a number'))).toBe('0');
    expect(exact(sum([]))).toBe('0');
  });

  test('rounds for reading half away from zero', () => {
    expect(rounded('2.345')).toBe('2.35');
    expect(rounded('-2.345')).toBe('-2.35');
    expect(rounded(amount('1.005'), 2)).toBe('1.01');
    expect(money('1234.5')).toBe('1234.50 USD');
  });

  test('computes percentages exactly, and none from a zero base', () => {
    expect(percentChange(amount('100'), amount('110'))).toBe('10.0');
    expect(percentChange(amount('300'), amount('100'))).toBe('-66.7');
    // A negative base (net credits) still gives the direction of the change.
    expect(percentChange(amount('-50'), amount('-25'))).toBe('50.0');
    expect(percentChange(amount('0'), amount('5'))).toBeUndefined();
    expect(percentOf(amount('1'), amount('3'))).toBe('33.3');
    expect(percentOf(amount('1'), amount('0'))).toBeUndefined();
  });
});

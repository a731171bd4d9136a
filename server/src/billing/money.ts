import Decimal from 'decimal.js';

// Cost Explorer amounts carry up to ~10 decimal places; 40 significant digits keeps every sum exact.
const Exact = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

/** An exact decimal amount. */
export type Amount = Decimal;

/** Parses an amount string as AWS sent it; missing or unparsable values count as zero. */
export function amount(value: string | number | undefined | null): Amount {
  if (value === undefined || value === null || value === '') return new Exact(0);
  try {
    return new Exact(value);
  } catch {
    return new Exact(0);
  }
}

export function sum(values: Iterable<string | number | Amount | undefined>): Amount {
  let total = new Exact(0);
  for (const v of values) total = total.plus(v instanceof Decimal ? v : amount(v));
  return total;
}

/** Plain decimal notation, never exponent form, with no trailing noise beyond what the inputs had. */
export function exact(value: Amount): string {
  return value.toFixed();
}

// Figures shown to people round half away from zero, as invoices and calculators do (2.345 → 2.35); the
// half-even default above is only for the precision of intermediate quotients.
const DISPLAY_ROUNDING = Decimal.ROUND_HALF_UP;

/** Rounded for reading (2 places by default, half away from zero); the exact value stays in structured output. */
export function rounded(value: Amount | string, places = 2): string {
  return (value instanceof Decimal ? value : amount(value)).toFixed(places, DISPLAY_ROUNDING);
}

/** Percentage change from `base` to `next`, 1 decimal, or undefined when the base is zero. */
export function percentChange(base: Amount, next: Amount): string | undefined {
  if (base.isZero()) return undefined;
  return next.minus(base).div(base.abs()).times(100).toFixed(1, DISPLAY_ROUNDING);
}

/** `part` as a percentage of `whole`, 1 decimal, or undefined when the whole is zero. */
export function percentOf(part: Amount, whole: Amount): string | undefined {
  if (whole.isZero()) return undefined;
  return part.div(whole).times(100).toFixed(1, DISPLAY_ROUNDING);
}

/** Formats an amount with its unit for text: `1234.56 USD`. */
export function money(value: Amount | string, unit = 'USD', places = 2): string {
  return `${rounded(value, places)} ${unit}`;
}

export function compareDesc(a: Amount, b: Amount): number {
  return b.comparedTo(a);
}

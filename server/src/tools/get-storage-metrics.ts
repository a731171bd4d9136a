import { COST_DATA_OPERATIONS } from '../aws/actions';
import Decimal from 'decimal.js';
import { z } from 'zod';
import { addDays, parseIsoDate, toIsoDate, utcDay } from '../billing/dates';
import { ToolInputError } from '../billing/errors';
import { table } from '../billing/format';
import { percentChange } from '../billing/money';
import { STORAGE_GROUPS, storageDatesQuery, storageQuery } from '../query/sql';
import {
  accountList,
  costDataOutputShape,
  costEngine,
  costRefresh,
  costTargetAccountId,
  costTargetAccountIds,
  provenance,
  query,
} from './lib/cost-data';
import { looseRows } from './lib/params';
import { defineTool } from './lib/types';

/** How far back the latest report date is looked for. */
const LOOKBACK_DAYS = 14;

const GROUP_LABEL: Record<(typeof STORAGE_GROUPS)[number], string> = {
  bucket: 'Bucket',
  account: 'Account',
  storage_class: 'Storage class',
  region: 'Region',
};

export const getStorageMetricsTool = defineTool({
  name: 'get-storage-metrics',
  title: 'Get S3 storage metrics',
  description:
    'S3 Storage Lens export (every account): bytes and objects per bucket, account, storage class or ' +
    'region, growth, and savable incomplete-upload and old-version bytes.',
  inputSchema: {
    group_by: z.enum(STORAGE_GROUPS).optional().describe('Default bucket.'),
    date: z
      .string()
      .max(10, 'date: a YYYY-MM-DD date (10 characters)')
      .optional()
      .describe('YYYY-MM-DD; default the newest.'),
    compare_date: z
      .string()
      .max(10, 'compare_date: a YYYY-MM-DD date (10 characters)')
      .optional()
      .describe('Earlier date for growth; default a week before.'),
    buckets: z.array(z.string().min(3).max(63)).max(50).optional().describe('Only these buckets.'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Rows shown (default 25); the rest fold into one.'),
    target_account_id: costTargetAccountId,
    target_account_ids: costTargetAccountIds,
    refresh: costRefresh,
  },
  outputSchema: {
    rows: looseRows(),
    ...costDataOutputShape,
  },
  operations: COST_DATA_OPERATIONS,
  async handler(args, ctx) {
    const engine = costEngine('storage', ctx);
    const groupBy = args.group_by ?? 'bucket';
    const limit = args.limit ?? 25;
    const accounts = accountList(args, ctx.caller.scope);
    for (const [i, b] of (args.buckets ?? []).entries()) {
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b)) {
        throw new ToolInputError(`buckets[${i}] is not an S3 bucket name: "${b.slice(0, 63)}".`);
      }
    }
    const today = utcDay(ctx.now);
    const window = Array.from({ length: LOOKBACK_DAYS + 1 }, (_, i) => toIsoDate(addDays(today, -i)));
    let date = args.date;
    if (date) parseIsoDate(date, 'date');
    if (args.compare_date) parseIsoDate(args.compare_date, 'compare_date');
    const probe = date && args.compare_date ? undefined : await query(engine, storageDatesQuery(window), ctx);
    const delivered = (probe?.rows ?? [])
      .map((r) => r.report_date ?? '')
      .filter(Boolean)
      .sort()
      .reverse();
    if (!date) {
      if (delivered.length === 0) {
        throw new ToolInputError(
          `No Storage Lens report was delivered in the last ${LOOKBACK_DAYS} days (${window[window.length - 1]} to ` +
            `${window[0]}). A new metrics export delivers its first report within 48 hours; check that the ` +
            `configuration's export is on and points at the configured location.`,
        );
      }
      date = delivered[0];
    }
    let compare = args.compare_date;
    if (!compare) {
      const weekBefore = toIsoDate(addDays(parseIsoDate(date, 'date'), -7));
      compare = delivered.includes(weekBefore) ? weekBefore : delivered.filter((d) => d < date!).pop();
    }
    if (compare && compare >= date)
      throw new ToolInputError(`compare_date (${compare}) must be before date (${date}).`);

    const dates = compare ? [date, compare] : [date];
    const result = await query(
      engine,
      storageQuery({ dates, groupBy, accountIds: accounts, buckets: args.buckets ?? [] }),
      ctx,
    );
    type Figures = Record<string, Decimal>;
    const at = new Map<string, Figures>();
    const before = new Map<string, Decimal>();
    let lineItems = new Decimal(0);
    for (const r of result.rows) {
      const key = r.grp ?? '';
      const value = new Decimal(r.value ?? '0');
      lineItems = lineItems.plus(r.line_items ?? '0');
      if (r.report_date === date) {
        const f = at.get(key) ?? {};
        f[r.metric_name ?? ''] = (f[r.metric_name ?? ''] ?? new Decimal(0)).plus(value);
        at.set(key, f);
      } else if (r.metric_name === 'StorageBytes') {
        before.set(key, (before.get(key) ?? new Decimal(0)).plus(value));
      }
    }
    if (at.size === 0) {
      throw new ToolInputError(
        `No Storage Lens data for ${date}${accounts.length || args.buckets?.length ? ' with these accounts or buckets' : ''}` +
          `${delivered.length ? `; delivered report dates in the last ${LOOKBACK_DAYS} days: ${delivered.join(', ')}` : ''}.`,
      );
    }
    const zero = new Decimal(0);
    const row = (key: string, f: Figures, old: Decimal | undefined) => {
      const bytes = f.StorageBytes ?? zero;
      return {
        key,
        storage_bytes: bytes.toFixed(),
        object_count: (f.ObjectCount ?? zero).toFixed(),
        ...(old !== undefined
          ? {
              growth_bytes: bytes.minus(old).toFixed(),
              ...(percentChange(old, bytes) !== undefined
                ? { growth_percent: percentChange(old, bytes) }
                : {}),
            }
          : {}),
        incomplete_multipart_upload_bytes: (f.IncompleteMultipartUploadStorageBytes ?? zero).toFixed(),
        noncurrent_version_bytes: (f.NonCurrentVersionStorageBytes ?? zero).toFixed(),
      };
    };
    const merge = (figures: Figures[]): Figures => {
      const out: Figures = {};
      for (const f of figures) for (const [k, v] of Object.entries(f)) out[k] = (out[k] ?? zero).plus(v);
      return out;
    };
    const sumBefore = (keys: string[]) =>
      compare ? keys.reduce((s, k) => s.plus(before.get(k) ?? zero), zero) : undefined;
    const sorted = [...at.entries()].sort(
      ([ka, a], [kb, b]) =>
        (b.StorageBytes ?? zero).comparedTo(a.StorageBytes ?? zero) || ka.localeCompare(kb),
    );
    const shown = sorted.slice(0, limit);
    const rest = sorted.slice(limit);
    const rows = shown.map(([k, f]) => row(k, f, compare ? (before.get(k) ?? zero) : undefined));
    if (rest.length)
      rows.push(
        row(`(${rest.length} others)`, merge(rest.map(([, f]) => f)), sumBefore(rest.map(([k]) => k))),
      );
    const total = row('Total', merge(sorted.map(([, f]) => f)), sumBefore(sorted.map(([k]) => k)));

    const combined = {
      ...result,
      bytesScanned: result.bytesScanned + (probe && !probe.fromCache ? probe.bytesScanned : 0),
    };
    const stated = provenance(combined, lineItems.toFixed(), {});
    const lines = [
      `**S3 storage by ${GROUP_LABEL[groupBy].toLowerCase()} on ${date}: ${total.storage_bytes} bytes in ` +
        `${total.object_count} objects**${compare ? `, ${total.growth_bytes} bytes since ${compare}${total.growth_percent ? ` (${total.growth_percent} %)` : ''}` : ''}.`,
      `Direct savings: ${total.incomplete_multipart_upload_bytes} bytes of incomplete multipart uploads (an ` +
        `AbortIncompleteMultipartUpload lifecycle rule deletes them) and ${total.noncurrent_version_bytes} bytes of ` +
        'noncurrent versions (a NoncurrentVersionExpiration rule).',
      `${stated.text} Source: Storage Lens BUCKET records${accounts.length ? ` of ${accounts.join(', ')}` : ''}.`,
      '',
      table(
        [
          GROUP_LABEL[groupBy],
          'Bytes',
          'Objects',
          ...(compare ? ['Growth (bytes)', 'Growth %'] : []),
          'Incomplete MPU bytes',
          'Noncurrent bytes',
        ],
        [...rows, total].map((r) => [
          r.key || '(none)',
          r.storage_bytes,
          r.object_count,
          ...(compare ? [r.growth_bytes ?? '', r.growth_percent ?? ''] : []),
          r.incomplete_multipart_upload_bytes,
          r.noncurrent_version_bytes,
        ]),
      ),
    ];
    return {
      text: lines.join('\n'),
      data: {
        group_by: groupBy,
        report_date: date,
        ...(compare ? { compare_date: compare } : {}),
        accounts,
        total,
        rows,
        ...(rest.length ? { other_rows: rest.length } : {}),
        ...stated.data,
        data_freshness: { newest_charge_period_start: `${date}T00:00:00Z` },
        notes: compare ? [] : ['No earlier report date was found to measure growth against.'],
      },
    };
  },
});

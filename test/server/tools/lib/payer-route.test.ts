import { splitByAccount } from '../../../../server/src/tools/lib/payer-route';

const money = (amount: string) => ({ UnblendedCost: { Amount: amount, Unit: 'USD' } });
const OCT = { Start: '2026-10-01', End: '2026-11-01' };
const NOV = { Start: '2026-11-01', End: '2026-11-25' };
const LINKED = { Type: 'DIMENSION' as const, Key: 'LINKED_ACCOUNT' };
const SERVICE = { Type: 'DIMENSION' as const, Key: 'SERVICE' };

describe('splitByAccount', () => {
  test("turns each account's one group into the bucket's Total of its ungrouped request, zero where it has none", () => {
    const read = {
      pages: [
        {
          ResultsByTime: [
            {
              TimePeriod: OCT,
              Estimated: false,
              Total: {},
              Groups: [
                { Keys: ['222222222222'], Metrics: money('10.0000000001') },
                { Keys: ['333333333333'], Metrics: money('0.5') },
              ],
            },
          ],
          NextPageToken: 'p2',
        },
        // The same bucket continued on the next page, then the next bucket.
        {
          ResultsByTime: [
            {
              TimePeriod: OCT,
              Estimated: false,
              Total: {},
              Groups: [{ Keys: ['444444444444'], Metrics: money('7') }],
            },
            {
              TimePeriod: NOV,
              Estimated: true,
              Total: {},
              Groups: [{ Keys: ['333333333333'], Metrics: money('1') }],
            },
          ],
        },
      ],
      more: false,
    };
    const shares = splitByAccount(
      read,
      ['222222222222', '333333333333', '444444444444'],
      { TimePeriod: { Start: OCT.Start, End: NOV.End }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] },
      { groupBy: [LINKED], position: 0, prepended: true },
    );
    const totals = (account: string) =>
      shares
        .get(account)!
        .pages[0].ResultsByTime!.map((r) => [
          r.TimePeriod!.Start,
          r.Total!.UnblendedCost.Amount,
          r.Estimated,
        ]);
    expect(totals('222222222222')).toEqual([
      ['2026-10-01', '10.0000000001', false],
      ['2026-11-01', '0', true],
    ]);
    expect(totals('333333333333')).toEqual([
      ['2026-10-01', '0.5', false],
      ['2026-11-01', '1', true],
    ]);
    expect(totals('444444444444')).toEqual([
      ['2026-10-01', '7', false],
      ['2026-11-01', '0', true],
    ]);
    expect(shares.get('222222222222')!.pages).toHaveLength(1);
  });

  test('takes the added account key out of grouped shares, and keeps it where the request grouped by it', () => {
    const read = {
      pages: [
        {
          ResultsByTime: [
            {
              TimePeriod: OCT,
              Total: {},
              Groups: [
                { Keys: ['222222222222', 'Amazon EC2'], Metrics: money('1') },
                { Keys: ['333333333333', 'Amazon S3'], Metrics: money('2') },
                { Keys: ['222222222222', 'Amazon S3'], Metrics: money('3') },
              ],
            },
          ],
        },
      ],
      more: false,
    };
    const input = {
      TimePeriod: OCT,
      Granularity: 'MONTHLY' as const,
      Metrics: ['UnblendedCost'],
      GroupBy: [SERVICE],
    };
    const shares = splitByAccount(read, ['222222222222', '333333333333'], input, {
      groupBy: [LINKED, SERVICE],
      position: 0,
      prepended: true,
    });
    expect(shares.get('222222222222')!.pages[0].ResultsByTime![0].Groups).toEqual([
      { Keys: ['Amazon EC2'], Metrics: money('1') },
      { Keys: ['Amazon S3'], Metrics: money('3') },
    ]);
    expect(shares.get('222222222222')!.pages[0].GroupDefinitions).toEqual([SERVICE]);

    const own = splitByAccount(
      read,
      ['333333333333'],
      { ...input, GroupBy: [LINKED, SERVICE] },
      {
        groupBy: [LINKED, SERVICE],
        position: 0,
        prepended: false,
      },
    );
    expect(own.get('333333333333')!.pages[0].ResultsByTime![0].Groups).toEqual([
      { Keys: ['333333333333', 'Amazon S3'], Metrics: money('2') },
    ]);
  });

  test("passes the payer read's partial state on to every share", () => {
    const shares = splitByAccount(
      {
        pages: [{ ResultsByTime: [] }],
        more: true,
        incomplete: 'incomplete: the deadline',
        note: 'incomplete: the deadline',
      },
      ['222222222222'],
      { TimePeriod: OCT, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] },
      { groupBy: [LINKED], position: 0, prepended: true },
    );
    expect(shares.get('222222222222')).toMatchObject({ more: true, incomplete: 'incomplete: the deadline' });
  });
});

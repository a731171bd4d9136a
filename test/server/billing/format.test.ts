import { capText, MAX_TEXT_BYTES, rankedTable, table } from '../../../server/src/billing/format';
import { amount, exact } from '../../../server/src/billing/money';

describe('table', () => {
  test('renders markdown and escapes pipes and line breaks inside cells', () => {
    expect(table(['Tag', 'Cost'], [['a|b', '1\n2']])).toBe('| Tag | Cost |\n|---|---|\n| a\\|b | 1 2 |');
  });
});

describe('rankedTable', () => {
  const rows = Array.from({ length: 27 }, (_, i) => ({
    label: `svc-${String(i).padStart(2, '0')}`,
    amount: amount(`${i}.01`),
  }));

  test('ranks by amount, shows the top 25, folds the rest into one others row, and adds an exact total', () => {
    const ranked = rankedTable(['Service', 'Cost (USD)'], rows);
    expect(ranked.shown).toHaveLength(25);
    expect(ranked.shown[0].label).toBe('svc-26');
    expect(ranked.shown[24].label).toBe('svc-02');
    // The two smallest, 0.01 + 1.01.
    expect(ranked.others && { count: ranked.others.count, amount: exact(ranked.others.amount) }).toEqual({
      count: 2,
      amount: '1.02',
    });
    // 0.01 + 1.01 + … + 26.01 = (0 + … + 26) + 27 × 0.01 = 351.27.
    expect(exact(ranked.total)).toBe('351.27');
    const lines = ranked.text.split('\n');
    expect(lines).toHaveLength(2 + 25 + 2);
    expect(lines[2]).toBe('| svc-26 | 26.01 |');
    expect(lines[27]).toBe('| (2 others) | 1.02 |');
    expect(lines[28]).toBe('| **Total** | **351.27** |');
  });

  test('has no others row when everything fits, and breaks ties by label', () => {
    const ranked = rankedTable(
      ['Service', 'Cost'],
      [
        { label: 'b', amount: amount('1') },
        { label: 'a', amount: amount('1') },
        { label: 'c', amount: amount('-2') },
      ],
    );
    expect(ranked.others).toBeUndefined();
    expect(ranked.shown.map((r) => r.label)).toEqual(['a', 'b', 'c']);
    expect(exact(ranked.total)).toBe('0');
  });

  test('pads extra columns and fills them from the row cells', () => {
    const ranked = rankedTable(
      ['Service', 'Cost', 'Change'],
      [{ label: 'x', amount: amount('1'), cells: ['+5%'] }],
    );
    expect(ranked.text.split('\n')[2]).toBe('| x | 1 | +5% |');
    expect(ranked.text.split('\n')[3]).toBe('| **Total** | **1** |  |');
  });
});

describe('capText', () => {
  test('leaves short text alone', () => {
    expect(capText('short', 'Narrow it.')).toEqual({ text: 'short', truncated: false });
  });

  test('cuts long text at a line boundary under the byte budget and says how to narrow', () => {
    const line = 'é'.repeat(99); // 198 bytes + newline
    const text = Array.from({ length: 200 }, () => line).join('\n');
    const capped = capText(text, 'Add filters.');
    expect(capped.truncated).toBe(true);
    expect(Buffer.byteLength(capped.text, 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(capped.text.endsWith('\n\n…answer cut to 16 KB. Add filters.')).toBe(true);
    const body = capped.text.slice(0, capped.text.indexOf('\n\n…'));
    expect(body.split('\n').every((l) => l === line)).toBe(true);
  });
});

import { AccessRefused } from '../../../../server/src/access/policy';
import { accountList } from '../../../../server/src/tools/lib/cost-data';

// A FOCUS table covers every account: the cost-data tools' SubAccountId list is where a caller's scope applies.
const scope = (accounts: '*' | string[]) => ({ accounts, grantedBy: ['team-a'] });

describe('accountList within the caller scope', () => {
  test('an unrestricted caller gets the asked accounts, or every account (empty list)', () => {
    expect(accountList({ target_account_ids: ['222222222222'] }, scope('*'))).toEqual(['222222222222']);
    expect(accountList({}, scope('*'))).toEqual([]);
  });

  test('a scoped caller asking for nothing gets exactly the scope, never every account', () => {
    expect(accountList({}, scope(['222222222222', '333333333333']))).toEqual([
      '222222222222',
      '333333333333',
    ]);
  });

  test('a scoped caller asking inside the scope gets what was asked', () => {
    expect(
      accountList({ target_account_id: '333333333333' }, scope(['222222222222', '333333333333'])),
    ).toEqual(['333333333333']);
  });

  test('an account outside the scope is refused, naming the scope', () => {
    expect(() => accountList({ target_account_ids: ['444444444444'] }, scope(['222222222222']))).toThrow(
      AccessRefused,
    );
    expect(() => accountList({ target_account_ids: ['444444444444'] }, scope(['222222222222']))).toThrow(
      /444444444444 is outside your access, which is limited to accounts 222222222222/,
    );
  });

  test('an empty scope gets nothing', () => {
    expect(() => accountList({}, scope([]))).toThrow(/limited to no accounts/);
  });
});

import { AccessRefused, type AccessScope, UNRESTRICTED } from '../../../../server/src/access/policy';
import { ToolInputError } from '../../../../server/src/billing/errors';
import {
  type AccountDirectory,
  AccountNames,
  emailDomain,
  matchAccountName,
} from '../../../../server/src/tools/lib/accounts';

const directory = (
  accounts: AccountDirectory['accounts'],
  source: AccountDirectory['source'] = 'organizations',
) => ({ source, accounts, notes: [], more: false }) as AccountDirectory;

const ORG = directory([
  { id: '222222222222', name: 'prod' },
  { id: '333333333333', name: 'sandbox' },
  { id: '444444444444', name: 'sandbox' },
  { id: '555555555555', name: 'Data' },
  { id: '666666666666', name: 'data' },
  { id: '777777777777' },
]);
const teamA: AccessScope = { accounts: ['222222222222', '333333333333'], grantedBy: ['team-a'] };

const refusal = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
};

describe('matching a name', () => {
  test('exact first, then ignoring case', () => {
    expect(matchAccountName('p', 'prod', ORG, UNRESTRICTED)).toBe('222222222222');
    expect(matchAccountName('p', 'PrOd', ORG, UNRESTRICTED)).toBe('222222222222');
    expect(matchAccountName('p', 'data', ORG, UNRESTRICTED)).toBe('666666666666');
    expect(matchAccountName('p', 'Data', ORG, UNRESTRICTED)).toBe('555555555555');
  });

  test('several matches are refused with every candidate', () => {
    const err = refusal(() => matchAccountName('target_account_id', 'DATA', ORG, UNRESTRICTED));
    expect(err).toBeInstanceOf(ToolInputError);
    expect(err.message).toBe(
      'target_account_id: "DATA" names 2 accounts: Data (555555555555), data (666666666666). Pass the account id ' +
        'instead.',
    );
  });

  test('a scoped caller sees only the candidates within their scope, the others counted', () => {
    const err = refusal(() => matchAccountName('x', 'sandbox', ORG, teamA));
    expect(err.message).toBe(
      'x: "sandbox" names 2 accounts: sandbox (333333333333), 1 outside your access. Pass the account id instead.',
    );
    expect(err.message).not.toContain('444444444444');
  });

  test('a unique match outside the scope is refused without its id; inside, it resolves', () => {
    const err = refusal(() => matchAccountName('x', 'data', ORG, teamA));
    expect(err).toBeInstanceOf(AccessRefused);
    expect(err.message).not.toContain('666666666666');
    expect(matchAccountName('x', 'prod', ORG, teamA)).toBe('222222222222');
  });

  test('an unknown name points to list-accounts; with no source, to ACCOUNT_NAMES', () => {
    expect(refusal(() => matchAccountName('x', 'stage', ORG, UNRESTRICTED)).message).toBe(
      'x: no account is named "stage" (names from AWS Organizations). Call list-accounts for the names and ids, or ' +
        'pass a 12-digit account id.',
    );
    const none: AccountDirectory = {
      source: undefined,
      accounts: [{ id: '777777777777' }],
      notes: ['ACCOUNT_NAMES is not set.'],
      more: false,
    };
    expect(refusal(() => matchAccountName('x', '7777', none, UNRESTRICTED)).message).toBe(
      'x: "7777" is not a 12-digit account id, and this server knows no account names (ACCOUNT_NAMES is not set.) ' +
        'Pass a 12-digit account id, or ask the operator to set ACCOUNT_NAMES.',
    );
  });

  test('an account without a name never matches', () => {
    expect(() => matchAccountName('x', '', ORG, UNRESTRICTED)).toThrow(/no account is named ""/);
  });
});

describe('the email domain', () => {
  test('keeps only what follows the last @, lower-cased', () => {
    expect(emailDomain('Prod.Team@Corp.Example.COM')).toBe('corp.example.com');
    expect(emailDomain('"a@b"@example.org')).toBe('example.org');
  });

  test('gives nothing for what is not an address', () => {
    expect(emailDomain(undefined)).toBeUndefined();
    expect(emailDomain('no-at-sign')).toBeUndefined();
    expect(emailDomain('trailing@')).toBeUndefined();
  });
});

describe('names known to the process', () => {
  test('labels with ACCOUNT_NAMES from the start, then with what a directory read taught', () => {
    const names = new AccountNames({ '222222222222': 'prod-conf' }, 1000);
    expect(names.label('222222222222')).toBe('prod-conf (222222222222)');
    expect(names.label('333333333333')).toBe('333333333333');
    names.learn(directory([{ id: '333333333333', name: 'sandbox' }, { id: '777777777777' }]));
    expect(names.label('333333333333')).toBe('sandbox (333333333333)');
    expect(names.label('777777777777')).toBe('777777777777');
  });

  test('remembers that Organizations is unreadable for its memory span only, and not at all with 0', () => {
    let now = 0;
    const names = new AccountNames({}, 1000, () => now);
    names.rememberUnreadable('nope', '999999999999');
    expect(names.unreadable()).toMatchObject({ reason: 'nope', managementAccountId: '999999999999' });
    now = 1000;
    expect(names.unreadable()).toBeUndefined();
    const off = new AccountNames({}, 0, () => now);
    off.rememberUnreadable('nope', undefined);
    expect(off.unreadable()).toBeUndefined();
  });
});

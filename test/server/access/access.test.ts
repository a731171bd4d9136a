import { callerFromClaims, decodeUnverified, groupsFrom } from '../../../server/src/access/caller';
import {
  refuseUnseenAccount,
  restrictRequest,
  SCOPE_RULES,
  visibleAccounts,
} from '../../../server/src/access/enforce';
import { AccessRefused, parseAccessPolicy, scopeFor, UNRESTRICTED } from '../../../server/src/access/policy';
import { AWS_OPERATIONS } from '../../../server/src/aws/actions';
import { ConfigError, loadConfig } from '../../../server/src/config';

const team = (accounts: string[]) => ({ accounts, grantedBy: ['team'] });
const LINKED = (values: string[]) => ({
  Dimensions: { Key: 'LINKED_ACCOUNT', Values: values, MatchOptions: ['EQUALS'] },
});

describe('the caller', () => {
  test('reads groups from arrays, JSON, SAML "[a, b]" strings and comma lists', () => {
    expect(groupsFrom(['a', 'b'])).toEqual(['a', 'b']);
    expect(groupsFrom('["a","b"]')).toEqual(['a', 'b']);
    expect(groupsFrom('[a, b]')).toEqual(['a', 'b']);
    expect(groupsFrom('a,b c')).toEqual(['a', 'b', 'c']);
    expect(groupsFrom(42)).toEqual([]);
  });

  test('a client-credentials token is the service; a token with a username is a user', () => {
    expect(callerFromClaims({ sub: 'c1', client_id: 'c1', scope: 'billing-mcp/invoke' }).kind).toBe(
      'service',
    );
    const user = callerFromClaims({ sub: 's', username: 'bob', client_id: 'u', 'cognito:groups': ['x'] });
    expect(user).toMatchObject({ kind: 'user', username: 'bob', groups: ['x'] });
    expect(callerFromClaims({ username: 'bob', idp: 'a,b' }, 'idp').groups).toEqual(['a', 'b']);
  });

  test('decodes only JWT-shaped bearer values', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'x' })).toString('base64url');
    expect(decodeUnverified(`Bearer h.${payload}.sig`)).toEqual({ sub: 'x' });
    expect(decodeUnverified('Basic abc')).toBeUndefined();
    expect(decodeUnverified('Bearer not-a-jwt')).toBeUndefined();
    expect(decodeUnverified(undefined)).toBeUndefined();
  });
});

describe('the policy', () => {
  const policy = parseAccessPolicy('{"finance":"*","a":["222222222222"],"b":["333333333333"]}');
  if (typeof policy === 'string') throw new Error(policy);
  const user = (groups: string[]) => callerFromClaims({ username: 'u', 'cognito:groups': groups });

  test('unions the scopes of the caller’s groups, "*" winning', () => {
    expect(scopeFor(policy, user(['a', 'b'])).accounts).toEqual(['222222222222', '333333333333']);
    expect(scopeFor(policy, user(['a', 'finance'])).accounts).toBe('*');
  });

  test('no group, no caller: refused; no policy: unrestricted', () => {
    expect(() => scopeFor(policy, user(['zzz']))).toThrow(AccessRefused);
    expect(() => scopeFor(policy, undefined)).toThrow(/no verified caller identity/);
    expect(scopeFor(undefined, undefined)).toBe(UNRESTRICTED);
  });

  test('the service gets @service, by default "*"', () => {
    const service = callerFromClaims({ sub: 'c', client_id: 'c' });
    expect(scopeFor(policy, service).accounts).toBe('*');
    const withService = parseAccessPolicy('{"a":"*","@service":["444444444444"]}');
    expect(scopeFor(withService as never, service).accounts).toEqual(['444444444444']);
  });

  test('bad policies are described, and the server refuses them', () => {
    expect(parseAccessPolicy('{"a":["1"]}')).toMatch(/group "a" must map to/);
    expect(parseAccessPolicy('[]')).toMatch(/must be a JSON object/);
    expect(() => loadConfig({ ACCESS_POLICY: '{"a":"x"}', AUTH_TRUSTED_UPSTREAM: 'true' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ACCESS_POLICY: '{"a":"*"}' })).toThrow(/no bearer token is verified/);
    expect(loadConfig({ ACCESS_POLICY: '{"a":"*"}', AUTH_TRUSTED_UPSTREAM: 'true' }).accessPolicy).toEqual({
      a: '*',
    });
  });
});

describe('restricting a request', () => {
  test('every catalogued operation has a rule', () => {
    expect(Object.keys(SCOPE_RULES).sort()).toEqual(Object.keys(AWS_OPERATIONS).sort());
  });

  test('Cost Explorer: the LINKED_ACCOUNT clause is the filter, or AND-ed to one', () => {
    const service = { Dimensions: { Key: 'SERVICE', Values: ['EC2'] } };
    expect(restrictRequest('ce:GetCostAndUsage', {}, '111111111111', team(['222222222222'])).input).toEqual({
      Filter: LINKED(['222222222222']),
    });
    expect(
      restrictRequest('ce:GetCostAndUsage', { Filter: service }, '111111111111', team(['222222222222']))
        .input,
    ).toEqual({ Filter: { And: [service, LINKED(['222222222222'])] } });
  });

  test('a LINKED_ACCOUNT filter alone is intersected; one outside the scope is refused', () => {
    const scope = team(['222222222222', '333333333333']);
    const input = { Filter: LINKED(['333333333333', '444444444444']) };
    expect(restrictRequest('ce:GetSavingsPlansUtilization', input, '111111111111', scope).input).toEqual({
      Filter: LINKED(['333333333333']),
    });
    expect(() =>
      restrictRequest('ce:GetCostAndUsage', { Filter: LINKED(['444444444444']) }, '111111111111', scope),
    ).toThrow(/names only accounts outside your scope/);
  });

  test('account data is served only in scoped accounts; Billing Conductor and PAYER recommendations never', () => {
    const scope = team(['222222222222']);
    expect(() => restrictRequest('budgets:DescribeBudgets', {}, '111111111111', scope)).toThrow(
      AccessRefused,
    );
    expect(restrictRequest('budgets:DescribeBudgets', {}, '222222222222', scope).filtered).toBe(false);
    expect(() => restrictRequest('billingconductor:ListBillingGroups', {}, '222222222222', scope)).toThrow(
      /Billing Conductor/,
    );
    expect(() =>
      restrictRequest('ce:GetSavingsPlansPurchaseRecommendation', {}, '222222222222', scope),
    ).toThrow(/PAYER/);
    expect(
      restrictRequest(
        'ce:GetSavingsPlansPurchaseRecommendation',
        { AccountScope: 'LINKED' },
        '222222222222',
        scope,
      ).filtered,
    ).toBe(false);
  });

  test('directory reads pass as asked; what they list is cut to the scope afterwards', () => {
    const scope = team(['222222222222']);
    const input = { MaxResults: 20 };
    expect(restrictRequest('organizations:ListAccounts', input, '111111111111', scope)).toEqual({
      input,
      filtered: false,
    });
    const listed = [{ id: '111111111111' }, { id: '222222222222' }, { id: '333333333333' }];
    expect(visibleAccounts(listed, scope)).toEqual([{ id: '222222222222' }]);
    expect(visibleAccounts(listed, UNRESTRICTED)).toEqual(listed);
  });

  test('an account named by a scoped caller outside their scope is refused without its id', () => {
    const scope = team(['222222222222']);
    expect(() => refuseUnseenAccount('222222222222', '"prod"', 'target_account_id', scope)).not.toThrow();
    expect(() =>
      refuseUnseenAccount('333333333333', '"dev"', 'target_account_id', UNRESTRICTED),
    ).not.toThrow();
    const refused = () => refuseUnseenAccount('333333333333', '"dev"', 'target_account_id', scope);
    expect(refused).toThrow(AccessRefused);
    expect(refused).toThrow(
      'Refused: target_account_id "dev" is an account outside your access, which is limited to accounts ' +
        '222222222222 (groups: team).',
    );
  });

  test('"*" and public operations pass unchanged', () => {
    const input = { Filter: { Dimensions: { Key: 'SERVICE', Values: ['EC2'] } } };
    expect(restrictRequest('ce:GetCostAndUsage', input, '111111111111', UNRESTRICTED).input).toBe(input);
    expect(restrictRequest('pricing:GetProducts', {}, '111111111111', team([])).filtered).toBe(false);
  });
});

import { awsError, BASE_ACCESS_KEY, type FakeAws, OWN_ACCOUNT, type RecordedCall } from './fake-aws';

/**
 * AWS Organizations for the fake AWS endpoint (awsJson1_1, X-Amz-Target AWSOrganizationsV20161128.*): one
 * organization whose management account and delegated administrators may list it (ListAccounts, paged by
 * NextToken, at most 20 a page; ListParents; DescribeOrganizationalUnit), whose other members may only describe it
 * (DescribeOrganization, which names the management account), and outside of which every call answers
 * AWSOrganizationsNotInUseException, as AWS does.
 */

export interface FakeOrgAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** ACTIVE by default. */
  readonly state?: string;
  /** The OU (or the root) the account sits in; the root by default. */
  readonly parent?: string;
}

export interface FakeOu {
  readonly id: string;
  readonly name: string;
  /** The parent OU, or the root by default. */
  readonly parent?: string;
}

export interface FakeOrganizationOptions {
  readonly managementAccount: string;
  readonly accounts: readonly FakeOrgAccount[];
  readonly ous?: readonly FakeOu[];
  readonly delegatedAdministrators?: readonly string[];
}

export const FAKE_ROOT_ID = 'r-fake';
const ORGANIZATION_ID = 'o-fake000000';

/** The account a fake call was signed for: the own account, or the one whose role was assumed. */
export function callerAccount(call: RecordedCall): string {
  return call.accessKeyId === BASE_ACCESS_KEY ? OWN_ACCOUNT : call.accessKeyId.slice(4, 16);
}

export class FakeOrganization {
  /** Accounts a ListAccounts page holds at most (AWS: MaxResults 1-20, default 20). */
  pageSize = 20;

  constructor(readonly options: FakeOrganizationOptions) {}

  /** Installs the Organizations handlers on the fake endpoint (again after each `fake.reset()`). */
  install(fake: FakeAws): this {
    fake.on('organizations:DescribeOrganization', (_body, call) => {
      const caller = callerAccount(call);
      if (!this.isMember(caller)) return notInUse();
      const management = this.options.managementAccount;
      return {
        Organization: {
          Id: ORGANIZATION_ID,
          Arn: `arn:aws:organizations::${management}:organization/${ORGANIZATION_ID}`,
          FeatureSet: 'ALL',
          MasterAccountArn: `arn:aws:organizations::${management}:account/${ORGANIZATION_ID}/${management}`,
          MasterAccountId: management,
          MasterAccountEmail: this.account(management)?.email ?? 'payer@example.com',
        },
      };
    });
    fake.on('organizations:ListAccounts', (body, call) => {
      const refused = this.refuse(call);
      if (refused) return refused;
      const max = body.MaxResults === undefined ? this.pageSize : Number(body.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 20) {
        return awsError('InvalidInputException', 'MaxResults must be between 1 and 20.');
      }
      const start =
        body.NextToken === undefined ? 0 : Number(Buffer.from(String(body.NextToken), 'base64url'));
      const size = Math.min(max, this.pageSize);
      const page = this.options.accounts.slice(start, start + size);
      const next = start + size < this.options.accounts.length;
      return {
        Accounts: page.map((a) => ({
          Id: a.id,
          Arn: `arn:aws:organizations::${this.options.managementAccount}:account/${ORGANIZATION_ID}/${a.id}`,
          Email: a.email,
          Name: a.name,
          Status: a.state === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE',
          State: a.state ?? 'ACTIVE',
          JoinedMethod: 'CREATED',
          JoinedTimestamp: 1_700_000_000,
        })),
        ...(next ? { NextToken: Buffer.from(String(start + size)).toString('base64url') } : {}),
      };
    });
    fake.on('organizations:ListParents', (body, call) => {
      const refused = this.refuse(call);
      if (refused) return refused;
      const child = String(body.ChildId ?? '');
      const node = this.account(child) ?? this.options.ous?.find((o) => o.id === child);
      const parent = node ? (node.parent ?? FAKE_ROOT_ID) : undefined;
      if (!parent) return awsError('ChildNotFoundException', `We can't find a child with the ID ${child}.`);
      return { Parents: [{ Id: parent, Type: parent === FAKE_ROOT_ID ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
    });
    fake.on('organizations:DescribeOrganizationalUnit', (body, call) => {
      const refused = this.refuse(call);
      if (refused) return refused;
      const ou = this.options.ous?.find((o) => o.id === body.OrganizationalUnitId);
      if (!ou) return awsError('OrganizationalUnitNotFoundException', "We can't find an OU with that ID.");
      return {
        OrganizationalUnit: {
          Id: ou.id,
          Arn: `arn:aws:organizations::${this.options.managementAccount}:ou/${ORGANIZATION_ID}/${ou.id}`,
          Name: ou.name,
        },
      };
    });
    return this;
  }

  private account(id: string): FakeOrgAccount | undefined {
    return this.options.accounts.find((a) => a.id === id);
  }

  private isMember(accountId: string): boolean {
    return this.account(accountId) !== undefined || accountId === this.options.managementAccount;
  }

  /** Why the caller may not read the organization, as AWS answers it; undefined when it may. */
  private refuse(call: RecordedCall) {
    const caller = callerAccount(call);
    if (!this.isMember(caller)) return notInUse();
    if (caller === this.options.managementAccount) return undefined;
    if (this.options.delegatedAdministrators?.includes(caller)) return undefined;
    return awsError('AccessDeniedException', "You don't have permissions to access this resource.");
  }
}

function notInUse() {
  return awsError(
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization. To make this request, you must use the credentials of an account that belongs to an organization.',
  );
}

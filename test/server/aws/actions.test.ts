import {
  ALL_OPERATIONS,
  ATHENA_QUERY_ACCESS,
  AWS_OPERATIONS,
  COST_DATA_OPERATIONS,
  type OperationSpec,
  BILLING_READ_ONLY_ACTIONS,
  iamActionsFor,
  type AwsOperation,
  type AwsService,
} from '../../../server/src/aws/actions';
import { SERVICES } from '../../../server/src/aws/services';
import { TOOLS } from '../../../server/src/tools';

// The IAM walk: the policies are generated from the catalogue, so the catalogue must be exactly what the tools call
// (nothing missing: a call would be denied; nothing extra: the role would hold permissions nobody uses), and every
// entry must be a read.

const READ_OPERATION = /^(Get|List|Describe)[A-Z]/;
const READ_ACTION = /^[a-z0-9-]+:(Get|List|Describe|View)[A-Za-z0-9]*$/;

const declared = new Set<string>(TOOLS.flatMap((t) => t.operations));

test('every operation a tool declares is in the catalogue', () => {
  const unknown = TOOLS.flatMap((t) =>
    t.operations.filter((op) => !(op in AWS_OPERATIONS)).map((op) => `${t.name}: ${op}`),
  );
  expect(unknown).toEqual([]);
});

test('every catalogued operation is declared by some tool (the policy grants nothing unused)', () => {
  expect(ALL_OPERATIONS.filter((op) => !declared.has(op))).toEqual([]);
  expect([...declared].sort()).toEqual([...ALL_OPERATIONS].sort());
});

test('the account-wide IAM actions are exactly those of the operations the tools declare, less the cost-data ones', () => {
  const accountWide = [...declared].filter((op) => !(COST_DATA_OPERATIONS as string[]).includes(op));
  expect([...BILLING_READ_ONLY_ACTIONS]).toEqual(iamActionsFor(accountWide as AwsOperation[]));
  expect(BILLING_READ_ONLY_ACTIONS.filter((a) => a.startsWith('athena:') || a.startsWith('s3:'))).toEqual([]);
});

test('the cost-data operations are the Athena query lifecycle, never cached', () => {
  expect([...COST_DATA_OPERATIONS].sort()).toEqual([
    'athena:GetQueryExecution',
    'athena:GetQueryResults',
    'athena:StartQueryExecution',
    'athena:StopQueryExecution',
  ]);
  expect(COST_DATA_OPERATIONS.filter((op) => !(AWS_OPERATIONS[op] as OperationSpec).uncached)).toEqual([]);
  // What Athena does on the caller's behalf writes only query results.
  const writes = Object.values(ATHENA_QUERY_ACCESS)
    .flat()
    .filter((a) => !READ_ACTION.test(a));
  expect(writes.sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
});

test('every catalogued operation is a read (Get, List or Describe), but starting and stopping an Athena query', () => {
  const writes = ALL_OPERATIONS.filter((op) => !READ_OPERATION.test(op.split(':')[1]));
  expect(writes).toEqual(['athena:StartQueryExecution', 'athena:StopQueryExecution']);
  expect(ALL_OPERATIONS.filter((op) => (AWS_OPERATIONS[op] as OperationSpec).mutating)).toEqual(writes);
});

test('every IAM action granted is a read (Get, List, Describe or View)', () => {
  expect(BILLING_READ_ONLY_ACTIONS.filter((a) => !READ_ACTION.test(a))).toEqual([]);
  // Each operation's own action comes first, under the operation's service prefix (budgets reads are ViewBudget).
  const mismatched = ALL_OPERATIONS.filter((op) => {
    const [service, api] = op.split(':');
    const first = AWS_OPERATIONS[op].iam[0];
    return service === 'budgets' ? first !== 'budgets:ViewBudget' : first !== `${service}:${api}`;
  });
  expect(mismatched).toEqual([]);
});

test('every catalogued operation of an SDK service has a matching <Operation>Command in its client', async () => {
  const missing: string[] = [];
  for (const op of ALL_OPERATIONS) {
    const [service, api] = op.split(':') as [AwsService, string];
    const spec = SERVICES[service].load();
    if (!('then' in spec)) continue;
    const loaded = await spec;
    try {
      loaded.command(api, {});
    } catch {
      missing.push(op);
    }
  }
  expect(missing).toEqual([]);
});

test('the JSON-protocol services have their signing name, target prefix and endpoint variable', () => {
  const json = (Object.keys(SERVICES) as AwsService[])
    .map((s) => [s, SERVICES[s].load()] as const)
    .filter(([, spec]) => !('then' in spec))
    .map(([s, spec]) => {
      const j = spec as Exclude<typeof spec, Promise<unknown>>;
      return [s, j.signingName, j.targetPrefix, j.jsonVersion, j.endpointEnvName];
    });
  expect(json).toEqual([
    ['freetier', 'freetier', 'AWSFreeTierService', '1.0', 'FREETIER'],
    [
      'bcm-pricing-calculator',
      'bcm-pricing-calculator',
      'AWSBCMPricingCalculator',
      '1.0',
      'BCM_PRICING_CALCULATOR',
    ],
  ]);
});

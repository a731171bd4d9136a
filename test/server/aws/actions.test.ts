import {
  ALL_OPERATIONS,
  AWS_OPERATIONS,
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

test('the granted IAM actions are exactly those of the operations the tools declare', () => {
  expect([...BILLING_READ_ONLY_ACTIONS]).toEqual(iamActionsFor([...declared] as AwsOperation[]));
});

test('every catalogued operation is a read (Get, List or Describe)', () => {
  expect(ALL_OPERATIONS.filter((op) => !READ_OPERATION.test(op.split(':')[1]))).toEqual([]);
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

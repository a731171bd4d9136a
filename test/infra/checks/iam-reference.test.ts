import { Template } from 'aws-cdk-lib/assertions';
import { synthesizeMemberRoleTemplate } from '../../../cross-account/member-role-stack';
import { BILLING_READ_ONLY_SID } from '../../../cross-account/billing-read-only-policy';
import { BILLING_READ_ONLY_ACTIONS } from '../../../server/src/aws/actions';
import { actionsOf, everyStackArtifact, SYNTH_ALL_CONTEXT, policyStatements } from '../helpers';
import { iamReferenceProblems } from './iam-reference';

/** Every template that gets deployed: every stack, the StackSets' bodies and the member-role template. */
function allTemplates(): Template[] {
  const templates = everyStackArtifact().map((s) => Template.fromJSON(s.template));
  for (const t of [...templates]) {
    for (const r of Object.values(t.findResources('AWS::CloudFormation::StackSet')) as any[]) {
      templates.push(Template.fromJSON(JSON.parse(r.Properties.TemplateBody)));
    }
  }
  templates.push(Template.fromJSON(synthesizeMemberRoleTemplate({ roleName: 'BillingMCPCrossAccountRole' })));
  return templates;
}

/**
 * Catalogue actions whose access level is not Read or List, and why they are there. The catalogue is what the
 * billing policies grant, so the same list applies to the execution role's and the member role's billing policy.
 */
// Empty today: every catalogue action, sts:GetCallerIdentity included, is Read or List. sts:AssumeRole is Write but
// lives in its own AssumeMemberRoles policy, not in the billing policy.
const ACCESS_LEVEL_EXCEPTIONS: Record<string, string> = {};

test("reads synth:all's context from package.json (every stack it synthesizes is checked)", () => {
  expect(SYNTH_ALL_CONTEXT).toMatchObject({
    deployMemberRole: 'true',
    costDataExport: 'true',
    storageLens: 'true',
  });
  expect(Object.keys(SYNTH_ALL_CONTEXT)).toHaveLength(8);
});

describe('IAM actions against the Service Authorization Reference', () => {
  let templates: Template[];
  beforeAll(() => {
    templates = allTemplates();
  });

  test('every action of every policy in every template exists', async () => {
    const actions = templates.flatMap(policyStatements).flatMap(actionsOf);
    // Billing, AssumeRole, the Runtime's logs/X-Ray/ECR grants, the image build's CodeBuild grants at least.
    expect(actions.length).toBeGreaterThan(BILLING_READ_ONLY_ACTIONS.length + 10);
    expect(await iamReferenceProblems(actions)).toEqual([]);
  });

  test('every action of the server catalogue exists and is Read or List', async () => {
    expect(
      await iamReferenceProblems(BILLING_READ_ONLY_ACTIONS, {
        readOrListOnly: true,
        accessLevelExceptions: ACCESS_LEVEL_EXCEPTIONS,
      }),
    ).toEqual([]);
  });

  test('the billing policies of the execution role and the member role hold only Read and List actions', async () => {
    const billing = templates
      .flatMap(policyStatements)
      .filter((s) => s.Sid === BILLING_READ_ONLY_SID)
      .flatMap(actionsOf);
    // Execution role, member-role stack, two StackSet bodies, the member-role template.
    expect(billing).toHaveLength(5 * BILLING_READ_ONLY_ACTIONS.length);
    expect(
      await iamReferenceProblems(billing, {
        readOrListOnly: true,
        accessLevelExceptions: ACCESS_LEVEL_EXCEPTIONS,
      }),
    ).toEqual([]);
  });
});

describe('iamReferenceProblems (negative controls)', () => {
  test('reports an action that does not exist and a service that does not exist', async () => {
    expect(await iamReferenceProblems(['ce:GetCostAndUsages', 'costexplorer:GetCostAndUsage'])).toEqual([
      'ce:GetCostAndUsages: no such action in the Service Authorization Reference',
      'costexplorer:GetCostAndUsage: no service "costexplorer" in the Service Authorization Reference',
    ]);
  });

  test('reports a wildcard that matches nothing', async () => {
    expect(await iamReferenceProblems(['ce:Frobnicate*'])).toEqual([
      'ce:Frobnicate*: matches no action of ce',
    ]);
  });

  test('reports a write in a read-only policy, unless it is an exception', async () => {
    const actions = ['ce:GetCostAndUsage', 'budgets:ModifyBudget'];
    expect(await iamReferenceProblems(actions, { readOrListOnly: true })).toEqual([
      'budgets:ModifyBudget: access level Write, not Read or List',
    ]);
    expect(
      await iamReferenceProblems(actions, {
        readOrListOnly: true,
        accessLevelExceptions: { 'budgets:ModifyBudget': 'a test' },
      }),
    ).toEqual([]);
  });

  test('a wildcard brings in every action it matches, writes included', async () => {
    const problems = await iamReferenceProblems(['budgets:*Budget'], { readOrListOnly: true });
    expect(problems).toContain('budgets:ModifyBudget: access level Write, not Read or List');
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeMemberTemplate } from '../../../scripts/member-template';
import { cdkJsonContext, everyStackArtifact, SYNTH_ALL_CONTEXT } from '../helpers';
import { type SchemaReport, schemaCheck } from './cfn-schema';

const unknownType = (template: string, logicalId: string, type: string) =>
  `${template} ${logicalId} Type: no resource type ${type} in the registry schemas`;

/**
 * The stacks of `npm run synth:all`, and the one only an existing cost-data table creates; each carries the CLI's
 * version-reporting resource.
 */
const SYNTH_ALL_STACKS = [
  'BillingMcp-Auth',
  'BillingMcp-CostData',
  'BillingMcp-CostDataAccess',
  'BillingMcp-CostExport',
  'BillingMcp-ExecutionRole',
  'BillingMcp-MemberRole',
  'BillingMcp-MemberRoles',
  'BillingMcp-Runtime',
  'BillingMcp-StorageLens',
];

/** Accepted findings, matched exactly, each with its reason. */
const ACCEPTED: [string, string][] = SYNTH_ALL_STACKS.map((stack) => [
  unknownType(stack, 'CDKMetadata', 'AWS::CDK::Metadata'),
  "The CDK CLI's version reporting: CloudFormation handles AWS::CDK::Metadata itself, without a registry schema.",
]);

/** Every template `npm run synth:all` and `npm run member-template` write, StackSet bodies included. */
function allTemplates(): Record<string, object> {
  // The CLI turns version reporting on (cdk.json does not turn it off), so synth:all's templates carry CDKMetadata.
  const templates: Record<string, object> = {};
  for (const stack of everyStackArtifact({ 'aws:cdk:version-reporting': true })) {
    templates[stack.stackName] = stack.template;
    for (const [id, resource] of Object.entries<any>(stack.template.Resources)) {
      if (resource.Type === 'AWS::CloudFormation::StackSet') {
        templates[`${stack.stackName}/${id}`] = JSON.parse(resource.Properties.TemplateBody);
      }
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-mcp-schema-'));
  try {
    // As `npm run member-template` writes it from cdk.json alone (parameters), and with a source account (literals).
    templates['member-role-template'] = writeMemberTemplate(path.join(dir, 'a.json'), cdkJsonContext());
    templates['member-role-template-with-source'] = writeMemberTemplate(path.join(dir, 'b.json'), {
      ...cdkJsonContext(),
      ...SYNTH_ALL_CONTEXT,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return templates;
}

describe('every template against the CloudFormation registry schemas (@aws-cdk/aws-service-spec)', () => {
  let templates: Record<string, object>;
  let report: SchemaReport;
  beforeAll(() => {
    templates = allTemplates();
    report = schemaCheck(templates);
  });

  test('covers every stack, both StackSet bodies and the member-role template', () => {
    expect(Object.keys(templates).sort()).toEqual(
      [
        ...SYNTH_ALL_STACKS,
        'BillingMcp-MemberRoles/AccountsStackSet',
        'BillingMcp-MemberRoles/OrganizationStackSet',
        'member-role-template',
        'member-role-template-with-source',
      ].sort(),
    );
  });

  test('every finding is an accepted one', () => {
    const accepted = new Set(ACCEPTED.map(([finding]) => finding));
    expect(report.findings.filter((f) => !accepted.has(f))).toEqual([]);
  });

  test('every accepted finding still occurs (a fixed one leaves the list)', () => {
    expect(ACCEPTED.map(([finding]) => finding).filter((f) => !report.findings.includes(f))).toEqual([]);
  });

  test('looked up every resource but the accepted ones, and checked allowed values and patterns', () => {
    const resources = Object.values(templates).flatMap((t: any) => Object.keys(t.Resources));
    expect(report.coverage.resources).toBe(resources.length - ACCEPTED.length);
    // Property names of the resources and of their nested literal objects, far more than there are resources.
    expect(report.coverage.properties).toBeGreaterThan(10 * resources.length);
    // BCM Data Exports, S3, Glue, Athena, DynamoDB, CodeBuild and StackSet settings have allowed values;
    // only the StackSet's ExecutionRoleName has a pattern in the spec among the types used.
    expect(report.coverage.enumValues).toBeGreaterThan(10);
    expect(report.coverage.patternValues).toBeGreaterThan(0);
  });
});

describe('schemaCheck (negative controls)', () => {
  const check = (resource: object) => schemaCheck({ broken: { Resources: { R: resource } } }).findings;

  test('reports a resource type that does not exist', () => {
    expect(check({ Type: 'AWS::S3::Buckets', Properties: {} })).toEqual([
      unknownType('broken', 'R', 'AWS::S3::Buckets'),
    ]);
  });

  test('reports an unknown property, at the top and in a nested property type', () => {
    expect(
      check({
        Type: 'AWS::S3::Bucket',
        Properties: { BucketNam: 'b', VersioningConfiguration: { Status: 'Enabled', Mfa: 'x' } },
      }),
    ).toEqual([
      'broken R Properties.BucketNam: no property BucketNam in AWS::S3::Bucket',
      'broken R Properties.VersioningConfiguration.Mfa: no property Mfa in type VersioningConfiguration',
    ]);
  });

  test('reports a missing required property, at the top and in a nested property type', () => {
    expect(check({ Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } })).toEqual([
      'broken R Properties: missing required property AssumeRolePolicyDocument of AWS::IAM::Role',
    ]);
    expect(check({ Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: {} } })).toEqual([
      'broken R Properties.VersioningConfiguration: missing required property Status of type VersioningConfiguration',
    ]);
  });

  test('reports a value that is not one of the allowed values', () => {
    expect(
      check({ Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'On' } } }),
    ).toEqual(['broken R Properties.VersioningConfiguration.Status: "On" is not one of Enabled | Suspended']);
  });

  test('reports a literal that breaks the pattern', () => {
    expect(
      check({
        Type: 'AWS::AppStream::AppBlock',
        Properties: { Name: '-block', SourceS3Location: { S3Bucket: 'b' } },
      }),
    ).toEqual([
      'broken R Properties.Name: "-block" does not match the pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$',
    ]);
  });

  test("checks both branches of an Fn::If as the property's type, and no other intrinsic's value", () => {
    expect(
      check({
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: { 'Fn::Join': ['-', ['-not', 'checked']] },
          VersioningConfiguration: { 'Fn::If': ['C', { Status: 'On' }, { Ref: 'AWS::NoValue' }] },
          Tags: [
            { Key: 'k', Value: { Ref: 'P' } },
            { Key: 'k', Valu: 'v' },
          ],
        },
      }),
    ).toEqual([
      'broken R Properties.Tags[1].Valu: no property Valu in a tag',
      'broken R Properties.Tags[1]: missing required property Value of a tag',
      'broken R Properties.VersioningConfiguration[Fn::If 1].Status: "On" is not one of Enabled | Suspended',
    ]);
  });

  test('checks only what CloudFormation reads of a custom resource', () => {
    expect(check({ Type: 'Custom::Anything', Properties: { Whatever: 1 } })).toEqual([
      'broken R Properties: missing required property ServiceToken of Custom::Anything',
    ]);
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import { SHARED_CACHE_ACTIONS } from '../../server/src/aws/actions';
import { actionsOf, buildTestApp, policyStatements } from './helpers';

describe('the shared cache table (sharedCache, on by default)', () => {
  let runtime: Template;
  beforeAll(() => {
    runtime = Template.fromStack(buildTestApp().stacks.runtime);
  });

  test('is on-demand, keyed by the string `key`, expires by `expires_at`, encrypted, without PITR', () => {
    // One table: the runtime stack creates nothing else in DynamoDB.
    runtime.resourceCountIs('AWS::DynamoDB::Table', 1);
    runtime.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    });
  });

  test('the execution role may only GetItem and PutItem, on that table alone', () => {
    const tableId = Object.keys(runtime.findResources('AWS::DynamoDB::Table'))[0];
    const dynamo = policyStatements(runtime).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0]).sort()).toEqual([...SHARED_CACHE_ACTIONS]);
    expect(actionsOf(dynamo[0]).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(dynamo[0].Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
  });

  test('the server is told the table name as SHARED_CACHE_TABLE', () => {
    const tableId = Object.keys(runtime.findResources('AWS::DynamoDB::Table'))[0];
    const [props] = Object.values(runtime.findResources('AWS::BedrockAgentCore::Runtime')).map(
      (r: any) => r.Properties,
    );
    expect(props.EnvironmentVariables.SHARED_CACHE_TABLE).toEqual({ Ref: tableId });
  });

  test('sharedCache=false creates no table, grants nothing on DynamoDB and sets no SHARED_CACHE_TABLE', () => {
    const off = Template.fromStack(buildTestApp({ sharedCache: 'false' }).stacks.runtime);
    off.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(
      policyStatements(off)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:')),
    ).toEqual([]);
    const [props] = Object.values(off.findResources('AWS::BedrockAgentCore::Runtime')).map(
      (r: any) => r.Properties,
    );
    expect(props.EnvironmentVariables ?? {}).not.toHaveProperty('SHARED_CACHE_TABLE');
  });
});

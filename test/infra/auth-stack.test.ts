import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AuthStack } from '../../lib/auth-stack';
import { evaluateCfn } from './helpers';

const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/BillingMcp-Auth/0e4c5b10-6f3a-11ef-9c1d-0a1b2c3d4e5f';

describe('AuthStack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(new AuthStack(new App(), 'Auth'));
  });

  const resourceId = (type: string) => {
    const ids = Object.keys(template.findResources(type));
    expect(ids).toHaveLength(1);
    return ids[0];
  };
  const values = () => ({
    refs: {
      'AWS::StackId': STACK_ID,
      'AWS::Region': 'eu-west-1',
      'AWS::URLSuffix': 'amazonaws.com',
      [resourceId('AWS::Cognito::UserPool')]: 'eu-west-1_AbCdEf123',
      [resourceId('AWS::Cognito::UserPoolClient')]: '4example0client0id0quick',
      [resourceId('AWS::Cognito::UserPoolDomain')]: 'billing-mcp-0a1b2c3d4e5f',
      // Ref of a resource server is its identifier.
      [resourceId('AWS::Cognito::UserPoolResourceServer')]: 'billing-mcp',
      [resourceId('AWS::SecretsManager::Secret')]:
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf',
    },
  });
  const output = (name: string) => evaluateCfn(template.findOutputs(name)[name].Value, values());

  test('nobody can sign up to the user pool', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  test('the pool is deleted with the stack: it holds no users, only the re-creatable client', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('the resource server offers the billing-mcp/invoke scope', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'billing-mcp',
      Scopes: [{ ScopeName: 'invoke', ScopeDescription: Match.anyValue() }],
    });
  });

  test('the Quick client uses client credentials only, with a generated secret and that scope', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
    // The scope references the resource server (so the client is created after it); evaluated, it is the scope.
    const client = template.findResources('AWS::Cognito::UserPoolClient')[
      resourceId('AWS::Cognito::UserPoolClient')
    ];
    expect(evaluateCfn(client.Properties.AllowedOAuthScopes, values())).toEqual(['billing-mcp/invoke']);
  });

  test('by default the domain prefix is billing-mcp- plus 12 hex digits of the stack id, valid for Cognito', () => {
    const prefix = evaluateCfn(
      template.findResources('AWS::Cognito::UserPoolDomain')[resourceId('AWS::Cognito::UserPoolDomain')]
        .Properties.Domain,
      values(),
    );
    expect(prefix).toBe('billing-mcp-0a1b2c3d4e5f');
    expect(prefix).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
  });

  test('a configured domain prefix is used as is', () => {
    Template.fromStack(
      new AuthStack(new App(), 'Auth', { domainPrefix: 'acme-billing' }),
    ).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-billing' });
  });

  test('the secret holds client id, secret, token URL and scope, with the secret only as a GetAtt', () => {
    const secretString = template.findResources('AWS::SecretsManager::Secret')[
      resourceId('AWS::SecretsManager::Secret')
    ].Properties.SecretString;
    const clientId = resourceId('AWS::Cognito::UserPoolClient');
    const json = evaluateCfn(secretString, {
      ...values(),
      getAtts: { [`${clientId}.ClientSecret`]: 's3cr3t' },
    }) as string;
    expect(JSON.parse(json)).toEqual({
      client_id: '4example0client0id0quick',
      client_secret: 's3cr3t',
      token_url: 'https://billing-mcp-0a1b2c3d4e5f.auth.eu-west-1.amazoncognito.com/oauth2/token',
      scope: 'billing-mcp/invoke',
    });
    expect(JSON.stringify(secretString)).toContain(`{"Fn::GetAtt":["${clientId}","ClientSecret"]}`);
  });

  test('no output reveals the client secret', () => {
    expect(JSON.stringify(template.toJSON().Outputs)).not.toContain('ClientSecret"]');
  });

  test('outputs the values Amazon Quick needs and the command that reads the secret', () => {
    expect(output('TokenUrl')).toBe(
      'https://billing-mcp-0a1b2c3d4e5f.auth.eu-west-1.amazoncognito.com/oauth2/token',
    );
    expect(output('ClientId')).toBe('4example0client0id0quick');
    expect(output('DiscoveryUrl')).toBe(
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/openid-configuration',
    );
    expect(output('ClientSecretArn')).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf');
    expect(output('GetSecretCommand')).toBe(
      'aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf ' +
        '--query SecretString --output text --region eu-west-1',
    );
  });
});

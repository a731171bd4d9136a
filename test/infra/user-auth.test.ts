import * as vm from 'node:vm';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { COPY_GROUPS_HANDLER, FEDERATED_GROUPS_CLAIM } from '../../lib/auth-stack';
import { ConfigError, parseAccessPolicy, parseConfig } from '../../lib/config';
import { cdkJsonContext, buildTestApp } from './helpers';

const REDIRECT = 'https://us-east-1.quicksight.aws.amazon.com/sn/oauthcallback';
const POLICY = { finance: '*', 'team-a': ['222222222222'], '@service': ['111111111111'] };
const USER_AUTH = { userAuth: 'true', quickRedirectUrls: REDIRECT, accessPolicy: JSON.stringify(POLICY) };

function only(template: Template, type: string): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] };
}

describe('user authentication, off by default', () => {
  test('the default deployment has one client, no header allow-list and no policy', () => {
    const { stacks } = buildTestApp();
    const auth = Template.fromStack(stacks.auth);
    auth.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    auth.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 0);
    const runtime = only(Template.fromStack(stacks.runtime), 'AWS::BedrockAgentCore::Runtime').resource;
    expect(runtime.Properties).not.toHaveProperty('RequestHeaderConfiguration');
    expect(runtime.Properties.EnvironmentVariables).not.toHaveProperty('ACCESS_POLICY');
    expect(runtime.Properties.EnvironmentVariables).not.toHaveProperty('AUTH_TRUSTED_UPSTREAM');
  });
});

describe('user authentication with Cognito groups', () => {
  let auth: Template;
  let runtime: Template;
  beforeAll(() => {
    const { stacks } = buildTestApp(USER_AUTH);
    auth = Template.fromStack(stacks.auth);
    runtime = Template.fromStack(stacks.runtime);
  });

  test('adds a second client: authorization code, a secret, Quick’s redirect URL, openid and the invoke scope', () => {
    // Two clients: the client-credentials one (unchanged) and the user one.
    auth.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
    auth.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'amazon-quick-users',
      GenerateSecret: true,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: [REDIRECT],
      SupportedIdentityProviders: ['COGNITO'],
      AllowedOAuthScopes: Match.arrayWith(['openid']),
    });
    auth.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'amazon-quick',
      AllowedOAuthFlows: ['client_credentials'],
    });
  });

  test('uses managed login with its branding for the user client', () => {
    auth.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    auth.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
  });

  test('creates one Cognito group per access-policy group, none for @service', () => {
    const names = Object.values(auth.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g: any) => g.Properties.GroupName,
    );
    expect(names.sort()).toEqual(['finance', 'team-a']);
    auth.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
  });

  test('the authorizer accepts both clients and the runtime passes Authorization to the container', () => {
    const { resource } = only(runtime, 'AWS::BedrockAgentCore::Runtime');
    expect(resource.Properties.AuthorizerConfiguration.CustomJWTAuthorizer.AllowedClients).toHaveLength(2);
    expect(resource.Properties.RequestHeaderConfiguration).toEqual({
      RequestHeaderAllowlist: ['Authorization'],
    });
  });

  test('passes the access policy and the trust declaration to the server', () => {
    const env = only(runtime, 'AWS::BedrockAgentCore::Runtime').resource.Properties.EnvironmentVariables;
    expect(JSON.parse(env.ACCESS_POLICY)).toEqual(POLICY);
    expect(env.AUTH_TRUSTED_UPSTREAM).toBe('true');
    // Cognito groups arrive in cognito:groups, the server's default claim.
    expect(env).not.toHaveProperty('AUTH_GROUPS_CLAIM');
  });

  test('outputs the user-authentication fields', () => {
    const outputs = auth.toJSON().Outputs as Record<string, any>;
    for (const key of ['UserClientId', 'UserClientSecretArn', 'AuthorizationUrl', 'QuickRedirectUrls']) {
      expect(outputs).toHaveProperty(key);
    }
    expect(outputs.QuickRedirectUrls.Value).toBe(REDIRECT);
  });
});

describe('user authentication federated to an IdP', () => {
  test('SAML: the IdP is the client’s only provider and its group attribute maps to custom:groups', () => {
    const { stacks } = buildTestApp({
      ...USER_AUTH,
      identityProvider: {
        type: 'saml',
        name: 'CorpIdP',
        metadataUrl: 'https://idp.example.com/metadata.xml',
        groupsAttribute: 'http://schemas.xmlsoap.org/claims/Group',
      },
    });
    const auth = Template.fromStack(stacks.auth);
    auth.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'CorpIdP',
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: 'https://idp.example.com/metadata.xml' },
      AttributeMapping: { 'custom:groups': 'http://schemas.xmlsoap.org/claims/Group' },
    });
    // The provider is referenced (so the client is created after it): its Ref is its name.
    auth.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'amazon-quick-users',
      SupportedIdentityProviders: [{ Ref: only(auth, 'AWS::Cognito::UserPoolIdentityProvider').id }],
    });
    auth.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0' } },
    });
    auth.resourceCountIs('AWS::Cognito::UserPoolGroup', 0);
    const env = only(Template.fromStack(stacks.runtime), 'AWS::BedrockAgentCore::Runtime').resource.Properties
      .EnvironmentVariables;
    expect(env.AUTH_GROUPS_CLAIM).toBe('idp_groups');
  });

  test('OIDC: the client secret is a Secrets Manager dynamic reference, never a literal', () => {
    const { stacks } = buildTestApp({
      ...USER_AUTH,
      identityProvider: JSON.stringify({
        type: 'oidc',
        name: 'CorpOidc',
        issuerUrl: 'https://login.example.com',
        clientId: 'cognito-at-corp',
        clientSecretName: 'corp-oidc-secret',
        groupsClaim: 'groups',
      }),
    });
    const auth = Template.fromStack(stacks.auth);
    const idp = only(auth, 'AWS::Cognito::UserPoolIdentityProvider').resource.Properties;
    expect(idp.ProviderType).toBe('OIDC');
    expect(idp.ProviderDetails.oidc_issuer).toBe('https://login.example.com');
    expect(JSON.stringify(idp.ProviderDetails.client_secret)).toContain(
      '{{resolve:secretsmanager:corp-oidc-secret',
    );
    expect(idp.AttributeMapping).toEqual({ 'custom:groups': 'groups' });
  });
});

describe('accessPolicy validation', () => {
  const parse = (overrides: Record<string, unknown>) => () =>
    parseConfig({ ...cdkJsonContext(), ...overrides });

  test('accepts "*", account lists, an empty list and @service', () => {
    expect(parseAccessPolicy({ a: '*', b: ['222222222222'], c: [], '@service': '*' })).toEqual({
      a: '*',
      b: ['222222222222'],
      c: [],
      '@service': '*',
    });
  });

  test('a bad account id names the key and the group', () => {
    expect(parse({ ...USER_AUTH, accessPolicy: { 'team-a': ['12345'] } })).toThrow(
      new ConfigError(
        'Invalid value for context key "accessPolicy": group "team-a" maps to ["12345"]; each group maps to "*" ' +
          'or a list of 12-digit account ids ([] for none).',
      ),
    );
  });

  test('a policy that is not an object, or names no group, is refused', () => {
    expect(parse({ ...USER_AUTH, accessPolicy: '["finance"]' })).toThrow(
      /^Invalid value for context key "accessPolicy": .*finance.*\. Allowed: a JSON object/,
    );
    expect(parse({ ...USER_AUTH, accessPolicy: { '@service': '*' } })).toThrow(/names no group/);
    expect(parse({ ...USER_AUTH, accessPolicy: { 'has space': '*' } })).toThrow(/group name "has space"/);
  });

  test('userAuth needs a redirect URL and a policy; the policy needs userAuth', () => {
    expect(parse({ userAuth: 'true', accessPolicy: POLICY })).toThrow(
      /"quickRedirectUrls".*required with userAuth=true/,
    );
    expect(parse({ userAuth: 'true', quickRedirectUrls: REDIRECT })).toThrow(/"accessPolicy".*required/);
    expect(parse({ accessPolicy: POLICY })).toThrow(/accessPolicy is only used with userAuth=true/);
    expect(parse({ ...USER_AUTH, quickRedirectUrls: 'http://insecure.example.com/cb' })).toThrow(
      /"quickRedirectUrls"/,
    );
  });

  test('a bad identity provider names the field', () => {
    expect(parse({ ...USER_AUTH, identityProvider: { type: 'ldap', name: 'Corp' } })).toThrow(
      /"identityProvider": "type" must be "saml" or "oidc"/,
    );
    expect(
      parse({ ...USER_AUTH, identityProvider: { type: 'saml', name: 'Corp', metadataUrl: 'ftp://x' } }),
    ).toThrow(/"metadataUrl" must be the https URL/);
  });
});

describe('the pre-token-generation trigger', () => {
  /** Runs the inline handler source as Lambda would load it. */
  const run = async (event: Record<string, unknown>) => {
    const module = { exports: {} as { handler?: (e: unknown) => Promise<any> } };
    vm.runInNewContext(COPY_GROUPS_HANDLER, { exports: module.exports, module });
    return module.exports.handler!(event);
  };

  test('copies custom:groups into the access token as the claim the server reads', async () => {
    const out = await run({
      request: { userAttributes: { 'custom:groups': '[team-a, finance]' } },
      response: {},
    });
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: { claimsToAddOrOverride: { [FEDERATED_GROUPS_CLAIM]: '[team-a, finance]' } },
    });
  });

  test('leaves a token without IdP groups alone', async () => {
    const out = await run({ request: { userAttributes: {} }, response: {} });
    expect(out.response).toEqual({});
  });
});

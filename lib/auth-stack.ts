import {
  Aws,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SERVICE_POLICY_KEY, type UserAuthConfig } from './config';

/** Identifier of the Cognito resource server that scopes access to the MCP server. */
export const RESOURCE_SERVER_ID = 'billing-mcp';
/** The one scope of that resource server. */
export const INVOKE_SCOPE_NAME = 'invoke';
/** The full scope a token must carry to call the runtime. */
export const INVOKE_SCOPE = `${RESOURCE_SERVER_ID}/${INVOKE_SCOPE_NAME}`;
/**
 * The access-token claim that carries a federated user's IdP groups (the server's AUTH_GROUPS_CLAIM). The IdP's
 * group attribute is mapped to the user pool attribute `custom:groups`; Cognito puts custom attributes in ID
 * tokens only, so a pre-token-generation trigger copies it into the access token, which is what Quick sends.
 */
export const FEDERATED_GROUPS_CLAIM = 'idp_groups';

/**
 * Source of the pre-token-generation (V2) trigger that copies custom:groups into the access token as
 * FEDERATED_GROUPS_CLAIM (inline: a few lines need no bundling step).
 */
export const COPY_GROUPS_HANDLER = `exports.handler = async (event) => {
  const groups = (event.request && event.request.userAttributes || {})['custom:groups'];
  if (groups) {
    event.response = event.response || {};
    event.response.claimsAndScopeOverrideDetails = {
      accessTokenGeneration: { claimsToAddOrOverride: { ${FEDERATED_GROUPS_CLAIM}: groups } },
    };
  }
  return event;
};`;

/** Properties of {@link AuthStack}. */
export interface AuthStackProps extends StackProps {
  /**
   * Prefix of the Cognito hosted domain (`https://<prefix>.auth.<region>.amazoncognito.com`).
   * @default - `billing-mcp-` and the last 12 hex digits of this stack's id, resolved at deploy time: unique per
   * stack, stable across updates, and valid under Cognito's domain rules
   */
  readonly domainPrefix?: string;
  /**
   * User sign-in for Amazon Quick: a second app client (authorization code, PKCE by Quick), managed login, and
   * either federation to the company IdP or one Cognito group per access-policy key.
   * @default - service authentication only
   */
  readonly userAuth?: UserAuthConfig;
}

/**
 * Cognito for machine-to-machine access: a user pool nobody can sign up to, a domain for the token endpoint, the
 * `billing-mcp/invoke` scope, and an Amazon Quick client (client credentials only) whose secret goes straight from
 * Cognito into Secrets Manager, so the template only holds a GetAtt and the outputs only the secret's ARN.
 */
export class AuthStack extends Stack {
  /** The user pool that issues access tokens. */
  public readonly userPool: cognito.UserPool;
  /** The Amazon Quick app client (client credentials). */
  public readonly quickClient: cognito.UserPoolClient;
  /** OIDC discovery URL of the user pool, for the runtime's JWT authorizer. */
  public readonly discoveryUrl: string;
  /** OAuth token endpoint. */
  public readonly tokenUrl: string;
  /** Secret holding `{client_id, client_secret, token_url, scope}` for the Quick client. */
  public readonly clientSecret: secretsmanager.Secret;
  /** The Amazon Quick user-authentication client (authorization code); present with `userAuth`. */
  public readonly userClient?: cognito.UserPoolClient;
  /** The access-token claim the server reads groups from, when it is not `cognito:groups` (federation). */
  public readonly groupsClaim?: string;

  constructor(scope: Construct, id: string, props: AuthStackProps = {}) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: Cognito user pool and the Amazon Quick client-credentials client',
      ...props,
    });

    const userAuth = props.userAuth;
    const idp = userAuth?.identityProvider;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Managed login and access-token customization need Essentials; only set with user sign-in, so the default
      // deployment's pool is unchanged.
      ...(userAuth ? { featurePlan: cognito.FeaturePlan.ESSENTIALS } : {}),
      ...(idp
        ? { customAttributes: { groups: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }) } }
        : {}),
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.NONE,
      // The pool holds no users and no data: only the app client, which a redeploy re-creates.
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });
    const noUsers = userAuth
      ? 'Users are created by an administrator (no self sign-up) with MFA required, or sign in at the company IdP ' +
        'with its own controls; threat protection (Plus feature plan) is left to the operator to buy'
      : 'No human users: self sign-up is off and the only client uses client credentials, so threat protection ' +
        '(Plus feature plan) has no sign-ins to protect';
    Validations.of(this.userPool).acknowledge(
      { id: 'AwsSolutions-COG3', reason: `${noUsers}.` },
      { id: 'AwsSolutions-COG8', reason: `${noUsers}; Plus would add cost without a need the project has.` },
    );

    const invoke = new cognito.ResourceServerScope({
      scopeName: INVOKE_SCOPE_NAME,
      scopeDescription: 'Call the billing MCP server',
    });
    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'Billing MCP server',
      scopes: [invoke],
    });

    const domainPrefix =
      props.domainPrefix ??
      Fn.join('', ['billing-mcp-', Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))))]);
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix },
      ...(userAuth ? { managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN } : {}),
    });

    this.quickClient = this.userPool.addClient('QuickClient', {
      userPoolClientName: 'amazon-quick',
      generateSecret: true,
      // Only the refresh-token flow is left (CDK adds it); no user sign-in flow at all.
      authFlows: {
        userPassword: false,
        adminUserPassword: false,
        custom: false,
        userSrp: false,
        user: false,
      },
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [cognito.OAuthScope.resourceServer(resourceServer, invoke)],
      },
      accessTokenValidity: Duration.minutes(60),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });

    this.tokenUrl = `${domain.baseUrl()}/oauth2/token`;
    this.discoveryUrl = `https://cognito-idp.${Aws.REGION}.amazonaws.com/${this.userPool.userPoolId}/.well-known/openid-configuration`;

    const cfnClient = this.quickClient.node.defaultChild as cognito.CfnUserPoolClient;
    this.clientSecret = new secretsmanager.Secret(this, 'QuickClientSecret', {
      description: 'OAuth client credentials Amazon Quick uses to call the billing MCP server',
      secretObjectValue: {
        client_id: SecretValue.unsafePlainText(this.quickClient.userPoolClientId),
        // A GetAtt: the secret itself never appears in the template or an output.
        client_secret: SecretValue.resourceAttribute(cfnClient.attrClientSecret),
        token_url: SecretValue.unsafePlainText(this.tokenUrl),
        scope: SecretValue.unsafePlainText(INVOKE_SCOPE),
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.clientSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is a Cognito app client secret, which Cognito cannot rotate in place; rotate by re-creating the ' +
        'client (redeploy) and updating Amazon Quick.',
    });

    if (userAuth) {
      const user = this.addUserSignIn(userAuth, resourceServer, invoke, domain);
      this.userClient = user.client;
      this.groupsClaim = user.groupsClaim;
    }

    new CfnOutput(this, 'TokenUrl', { value: this.tokenUrl, description: 'Amazon Quick: token URL' });
    new CfnOutput(this, 'ClientId', {
      value: this.quickClient.userPoolClientId,
      description: 'Amazon Quick: client ID',
    });
    new CfnOutput(this, 'DiscoveryUrl', {
      value: this.discoveryUrl,
      description: 'OIDC discovery URL of the user pool (the runtime JWT authorizer uses it)',
    });
    new CfnOutput(this, 'ClientSecretArn', {
      value: this.clientSecret.secretArn,
      description: 'Secrets Manager secret with client_id, client_secret, token_url and scope',
    });
    new CfnOutput(this, 'GetSecretCommand', {
      value: `aws secretsmanager get-secret-value --secret-id ${this.clientSecret.secretArn} --query SecretString --output text --region ${Aws.REGION}`,
      description: 'Prints the client credentials JSON (Amazon Quick: client secret)',
    });
  }

  private addUserSignIn(
    userAuth: UserAuthConfig,
    resourceServer: cognito.UserPoolResourceServer,
    invoke: cognito.ResourceServerScope,
    domain: cognito.UserPoolDomain,
  ): { client: cognito.UserPoolClient; groupsClaim?: string } {
    const idp = userAuth.identityProvider;
    let provider: cognito.UserPoolIdentityProviderSaml | cognito.UserPoolIdentityProviderOidc | undefined;
    if (idp?.type === 'saml') {
      provider = new cognito.UserPoolIdentityProviderSaml(this, 'IdentityProvider', {
        userPool: this.userPool,
        name: idp.name,
        metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(idp.metadataUrl),
        attributeMapping: {
          custom: { 'custom:groups': cognito.ProviderAttribute.other(idp.groupsAttribute) },
        },
      });
    } else if (idp?.type === 'oidc') {
      provider = new cognito.UserPoolIdentityProviderOidc(this, 'IdentityProvider', {
        userPool: this.userPool,
        name: idp.name,
        issuerUrl: idp.issuerUrl,
        clientId: idp.clientId,
        // A dynamic reference: CloudFormation resolves it at deploy time, the template never holds the secret.
        clientSecret: SecretValue.secretsManager(idp.clientSecretName).unsafeUnwrap(),
        scopes: [...idp.scopes],
        attributeMapping: { custom: { 'custom:groups': cognito.ProviderAttribute.other(idp.groupsClaim) } },
      });
    } else {
      // No IdP: the access-policy groups are Cognito groups, which access tokens carry as cognito:groups.
      for (const group of Object.keys(userAuth.accessPolicy).filter((g) => g !== SERVICE_POLICY_KEY)) {
        new cognito.UserPoolGroup(this, `Group-${group.replace(/\//g, '_')}`, {
          userPool: this.userPool,
          groupName: group,
          description: 'billing-mcp access-policy group (ACCESS_POLICY)',
        });
      }
    }

    if (provider) {
      const copyGroups = new lambda.Function(this, 'CopyGroupsToAccessToken', {
        description: `Copies custom:groups (the IdP's groups) into the access token as ${FEDERATED_GROUPS_CLAIM}`,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: 'index.handler',
        code: lambda.Code.fromInline(COPY_GROUPS_HANDLER),
        timeout: Duration.seconds(5),
        memorySize: 128,
      });
      this.userPool.addTrigger(
        cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
        copyGroups,
        cognito.LambdaVersion.V2_0,
      );
      Validations.of(copyGroups).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The trigger only writes its own logs; the AWS managed basic execution policy grants exactly that.',
      });
    }

    const client = this.userPool.addClient('QuickUserClient', {
      userPoolClientName: 'amazon-quick-users',
      generateSecret: true,
      authFlows: {
        userPassword: false,
        adminUserPassword: false,
        custom: false,
        userSrp: false,
        user: false,
      },
      oAuth: {
        // Quick's user authentication: authorization code (Quick adds PKCE) to its redirect URL.
        flows: { authorizationCodeGrant: true },
        callbackUrls: [...userAuth.quickRedirectUrls],
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.resourceServer(resourceServer, invoke)],
      },
      supportedIdentityProviders: provider
        ? [cognito.UserPoolClientIdentityProvider.custom(provider.providerName)]
        : [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.minutes(60),
      // A working day: after that the user signs in again, so a removed user loses access within hours.
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    if (provider) client.node.addDependency(provider);

    new cognito.CfnManagedLoginBranding(this, 'ManagedLoginBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    const authorizationUrl = `${domain.baseUrl()}/oauth2/authorize`;
    const cfnClient = client.node.defaultChild as cognito.CfnUserPoolClient;
    const secret = new secretsmanager.Secret(this, 'QuickUserClientSecret', {
      description:
        'OAuth client Amazon Quick uses for user authentication (authorization code) to the billing MCP server',
      secretObjectValue: {
        client_id: SecretValue.unsafePlainText(client.userPoolClientId),
        client_secret: SecretValue.resourceAttribute(cfnClient.attrClientSecret),
        authorization_url: SecretValue.unsafePlainText(authorizationUrl),
        token_url: SecretValue.unsafePlainText(this.tokenUrl),
        scope: SecretValue.unsafePlainText(`openid ${INVOKE_SCOPE}`),
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is a Cognito app client secret, which Cognito cannot rotate in place; rotate by re-creating the ' +
        'client (redeploy) and updating Amazon Quick.',
    });

    new CfnOutput(this, 'UserClientId', {
      value: client.userPoolClientId,
      description: 'Amazon Quick user authentication: client ID',
    });
    new CfnOutput(this, 'UserClientSecretArn', {
      value: secret.secretArn,
      description: 'Secrets Manager secret with the user-authentication client id, secret, URLs and scope',
    });
    new CfnOutput(this, 'AuthorizationUrl', {
      value: authorizationUrl,
      description: 'Amazon Quick user authentication: authorization URL',
    });
    new CfnOutput(this, 'QuickRedirectUrls', {
      value: userAuth.quickRedirectUrls.join(','),
      description: 'The redirect URLs Amazon Quick shows, registered as the client callback URLs',
    });
    return { client, ...(provider ? { groupsClaim: FEDERATED_GROUPS_CLAIM } : {}) };
  }
}

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
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** Identifier of the Cognito resource server that scopes access to the MCP server. */
export const RESOURCE_SERVER_ID = 'billing-mcp';
/** The one scope of that resource server. */
export const INVOKE_SCOPE_NAME = 'invoke';
/** The full scope a token must carry to call the runtime. */
export const INVOKE_SCOPE = `${RESOURCE_SERVER_ID}/${INVOKE_SCOPE_NAME}`;

/** Properties of {@link AuthStack}. */
export interface AuthStackProps extends StackProps {
  /**
   * Prefix of the Cognito hosted domain (`https://<prefix>.auth.<region>.amazoncognito.com`).
   * @default - `billing-mcp-` and the last 12 hex digits of this stack's id, resolved at deploy time: unique per
   * stack, stable across updates, and valid under Cognito's domain rules
   */
  readonly domainPrefix?: string;
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

  constructor(scope: Construct, id: string, props: AuthStackProps = {}) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: Cognito user pool and the Amazon Quick client-credentials client',
      ...props,
    });

    this.userPool = new cognito.UserPool(this, 'UserPool', {
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
    const noUsers =
      'No human users: self sign-up is off and the only client uses client credentials, so threat protection ' +
      '(Plus feature plan) has no sign-ins to protect';
    Validations.of(this.userPool).acknowledge(
      { id: 'AwsSolutions-COG3', reason: `${noUsers}.` },
      { id: 'AwsSolutions-COG8', reason: `${noUsers}; Plus would add cost for nothing.` },
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
    const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });

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
}

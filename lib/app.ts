import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MemberRoleStack } from '../cross-account/member-role-stack';
import { AuthStack } from './auth-stack';
import { type AppConfig, allowedTargetAccounts, hasMemberTargets } from './config';
import { CostDataAccessStack } from './cost-data-access-stack';
import { CostDataStack } from './cost-data-stack';
import { CostExportStack } from './cost-export-stack';
import { ExecutionRoleStack } from './execution-role-stack';
import { MemberRolesStack } from './member-roles-stack';
import { RuntimeStack } from './runtime-stack';
import { StorageLensStack } from './storage-lens-stack';

/** The stacks {@link buildApp} adds. */
export interface BillingMcpStacks {
  readonly executionRole: ExecutionRoleStack;
  readonly auth: AuthStack;
  readonly runtime: RuntimeStack;
  /** Present when member accounts or OUs are configured. */
  readonly memberRoles?: MemberRolesStack;
  /** Present with `deployMemberRole=true`. */
  readonly memberRole?: MemberRoleStack;
  /** The reading side of the FOCUS export (source account); present with `costDataExport=true`. */
  readonly costData?: CostDataStack;
  /** The FOCUS 1.2 Data Export (management account, us-east-1); present with `costDataExport=true`. */
  readonly costExport?: CostExportStack;
  /** Query access to an existing FOCUS table (source account); present with `costDataTable`. */
  readonly costDataAccess?: CostDataAccessStack;
  /** The organization Storage Lens configuration (management account); present with `storageLens=true`. */
  readonly storageLens?: StorageLensStack;
}

/**
 * Adds every stack of the system to `app`, as `cdk synth` does, and registers the cdk-nag AwsSolutions checks so
 * that an unacknowledged finding fails synthesis.
 */
export function buildApp(app: App, config: AppConfig): BillingMcpStacks {
  const prefix = config.stackPrefix;
  const sourceEnv = config.sourceAccountId !== undefined ? { account: config.sourceAccountId } : undefined;

  const executionRole = new ExecutionRoleStack(app, `${prefix}-ExecutionRole`, {
    env: sourceEnv,
    roleName: config.executionRoleName,
    crossAccountRoleName: config.crossAccountRoleName,
    memberAccountIds: config.memberAccountIds,
    organizationId: config.organizationId,
  });

  const auth = new AuthStack(app, `${prefix}-Auth`, {
    env: sourceEnv,
    domainPrefix: config.cognitoDomainPrefix,
    userAuth: config.userAuth,
  });

  // Validated in parseConfig: costDataExport comes with managementAccountId and sourceAccountId.
  const exportBucket = `${prefix.toLowerCase()}-focus-${config.sourceAccountId}`;
  const costData = config.costDataExport
    ? new CostDataStack(app, `${prefix}-CostData`, {
        env: sourceEnv,
        executionRole: executionRole.role,
        exportAccountId: config.managementAccountId!,
        bucketName: exportBucket,
        ...(config.storageLens ? { storageLens: { accountId: config.managementAccountId! } } : {}),
      })
    : undefined;
  const costExport = config.costDataExport
    ? new CostExportStack(app, `${prefix}-CostExport`, {
        env: { account: config.managementAccountId, region: 'us-east-1' },
        bucketName: exportBucket,
        bucketOwnerAccountId: config.sourceAccountId!,
      })
    : undefined;
  // Validated in parseConfig: storageLens comes with costDataExport and organizationId. Region-agnostic like the
  // CostData stack, and deployed to its region: Storage Lens exports only to a bucket of its home region.
  const storageLens = config.storageLens
    ? new StorageLensStack(app, `${prefix}-StorageLens`, {
        env: { account: config.managementAccountId },
        bucketName: exportBucket,
        bucketOwnerAccountId: config.sourceAccountId!,
        organizationId: config.organizationId!,
        managementAccountId: config.managementAccountId!,
      })
    : undefined;
  const existing = config.costDataTable;
  const costDataAccess = existing
    ? new CostDataAccessStack(app, `${prefix}-CostDataAccess`, {
        env: sourceEnv,
        executionRole: executionRole.role,
        workgroup: existing.workgroup,
        database: existing.database,
        table: existing.table,
        ...(existing.schema ? { schema: existing.schema } : {}),
      })
    : undefined;

  const targets = allowedTargetAccounts(config);
  const runtime = new RuntimeStack(app, `${prefix}-Runtime`, {
    env: sourceEnv,
    executionRole: executionRole.role,
    userPool: auth.userPool,
    quickClient: auth.quickClient,
    userClient: auth.userClient,
    runtimeName: `${prefix.replace(/-/g, '_')}_Server`,
    imageBuild: config.imageBuild,
    extraAllowedClientIds: config.extraAllowedClientIds,
    sharedCache: config.sharedCache,
    environment: {
      CROSS_ACCOUNT_ROLE_NAME: config.crossAccountRoleName,
      ...(targets !== undefined ? { ALLOWED_TARGET_ACCOUNTS: targets } : {}),
      ...(costData?.serverEnvironment ?? {}),
      ...(costDataAccess?.serverEnvironment ?? {}),
      ...config.serverEnvironment,
      ...(config.userAuth
        ? {
            // The runtime's JWT authorizer verified the token before it reaches the container.
            AUTH_TRUSTED_UPSTREAM: 'true',
            ACCESS_POLICY: JSON.stringify(config.userAuth.accessPolicy),
            ...(auth.groupsClaim ? { AUTH_GROUPS_CLAIM: auth.groupsClaim } : {}),
          }
        : {}),
    },
  });

  const managementEnv =
    config.managementAccountId !== undefined ? { account: config.managementAccountId } : undefined;

  const memberRoles = hasMemberTargets(config)
    ? new MemberRolesStack(app, `${prefix}-MemberRoles`, {
        env: managementEnv,
        stackSetNamePrefix: prefix,
        roleName: config.crossAccountRoleName,
        executionRoleName: config.executionRoleName,
        sourceAccountId: config.sourceAccountId,
        memberAccountIds: config.memberAccountIds,
        organizationalUnitIds: config.organizationalUnitIds,
        stackSetRegion: config.stackSetRegion,
        callAs: config.stackSetCallAs,
        externalId: config.crossAccountExternalId,
      })
    : undefined;

  const memberRole = config.deployMemberRole
    ? new MemberRoleStack(app, `${prefix}-MemberRole`, {
        env: managementEnv,
        roleName: config.crossAccountRoleName,
        sourceAccountId: config.sourceAccountId,
        executionRoleArn:
          config.sourceAccountId !== undefined
            ? `arn:aws:iam::${config.sourceAccountId}:role/${config.executionRoleName}`
            : undefined,
        externalId: config.crossAccountExternalId,
      })
    : undefined;

  Tags.of(app).add('project', 'billing-mcp-agentcore');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  return {
    executionRole,
    auth,
    runtime,
    memberRoles,
    memberRole,
    costData,
    costExport,
    costDataAccess,
    storageLens,
  };
}

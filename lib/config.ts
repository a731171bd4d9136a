import { z } from 'zod';

/** How the runtime image is built: on an ARM CodeBuild project at deploy time, or by local Docker at deploy. */
export type ImageBuild = 'codebuild' | 'docker';

/** Who creates a service-managed StackSet: the management account itself, or a delegated administrator. */
export type StackSetCallAs = 'SELF' | 'DELEGATED_ADMIN';

/** The validated, frozen configuration of the CDK app. Built once by {@link parseConfig}. */
export interface AppConfig {
  /** Prefix of every stack name (`<prefix>-ExecutionRole`, `<prefix>-Auth`, ...). */
  readonly stackPrefix: string;
  /** Name of the IAM role AgentCore Runtime assumes; fixed so member roles can trust it by ARN. */
  readonly executionRoleName: string;
  /** Name of the read-only role in each member account that the server assumes. */
  readonly crossAccountRoleName: string;
  /**
   * Cognito hosted domain prefix.
   * @default - `billing-mcp-<12 hex chars of the Auth stack's id>`, resolved at deploy time
   */
  readonly cognitoDomainPrefix?: string;
  /** Member accounts that get the cross-account role (self-managed StackSet) and may be queried. */
  readonly memberAccountIds: readonly string[];
  /** Organizational units that get the cross-account role (service-managed StackSet, auto-deployment). */
  readonly organizationalUnitIds: readonly string[];
  /** Organization id used in the execution role's `aws:ResourceOrgID` condition. */
  readonly organizationId?: string;
  /**
   * The single region the StackSet deploys the (global) IAM role from.
   * @default - the region the member-roles stack is deployed to
   */
  readonly stackSetRegion?: string;
  /** `SELF` in the management account, `DELEGATED_ADMIN` in a delegated StackSets administrator account. */
  readonly stackSetCallAs: StackSetCallAs;
  /**
   * Account the member-roles (StackSet) stack deploys to.
   * @default - env-agnostic: whatever account the deploying credentials belong to
   */
  readonly managementAccountId?: string;
  /**
   * Account the execution role, Cognito and runtime stacks deploy to.
   * @default - env-agnostic; the member-roles stack then uses its own account, or asks for a parameter
   */
  readonly sourceAccountId?: string;
  /** Further OAuth client ids the runtime's JWT authorizer accepts, besides the Amazon Quick client. */
  readonly extraAllowedClientIds: readonly string[];
  /** How the ARM64 image is built. */
  readonly imageBuild: ImageBuild;
  /** Also add the stand-alone member-role stack (`<prefix>-MemberRole`) to the app. */
  readonly deployMemberRole: boolean;
  /** Create the DynamoDB table the server's sessions share cached answers through (SHARED_CACHE_TABLE). */
  readonly sharedCache: boolean;
  /** External id the server sends when assuming member roles, and that member roles then require. */
  readonly crossAccountExternalId?: string;
  /**
   * Create the FOCUS 1.2 Data Export in the management account and the bucket, Glue table and Athena workgroup the
   * server queries it through (needs managementAccountId and sourceAccountId).
   */
  readonly costDataExport: boolean;
  /**
   * An existing FOCUS or CUR 2.0 table the server queries instead of the export (`costDataTable` with
   * `athenaWorkgroup`, and `costDataSchema` for CUR 2.0); the
   * execution role gets Athena, Glue and S3 access to exactly that workgroup, database and table.
   * @default - none (no existing table)
   */
  readonly costDataTable?: ExistingCostTable;
  /**
   * An organization-level S3 Storage Lens configuration in managementAccountId whose daily metrics export lands in the
   * export bucket, with its Glue table (needs costDataExport and organizationId).
   */
  readonly storageLens: boolean;
  /** Environment variables passed through to the server; only keys that were configured. */
  readonly serverEnvironment: Readonly<Record<string, string>>;
  /**
   * User sign-in for Amazon Quick (authorization code with PKCE) and per-group account scopes; absent when
   * `userAuth` is not `true` (service authentication only, the default).
   */
  readonly userAuth?: UserAuthConfig;
}

/**
 * An existing Athena table of FOCUS 1.2 or CUR 2.0 data and the workgroup to query it in (`costDataTable`,
 * `athenaWorkgroup`, `costDataSchema`).
 */
export interface ExistingCostTable {
  /** The Glue database. */
  readonly database: string;
  /** The table in that database. */
  readonly table: string;
  /** An existing Athena workgroup (its results location and encryption are the workgroup's own). */
  readonly workgroup: string;
  /**
   * The table's layout, given to the server as COST_DATA_SCHEMA.
   * @default - not passed: the server reads the table as FOCUS 1.2
   */
  readonly schema?: 'focus' | 'cur2';
}

/** The access policy: a group name (or `@service`, the client-credentials identity) → `*` or account ids. */
export type AccessPolicy = Readonly<Record<string, '*' | readonly string[]>>;

/** The company identity provider users sign in with through Cognito. */
export type IdentityProviderConfig =
  | {
      readonly type: 'saml';
      /** Provider name shown on the managed login page (3-32 characters). */
      readonly name: string;
      /** URL of the IdP's SAML metadata document. */
      readonly metadataUrl: string;
      /** The SAML attribute carrying the user's groups. */
      readonly groupsAttribute: string;
    }
  | {
      readonly type: 'oidc';
      readonly name: string;
      /** The IdP's issuer URL (its discovery document is read from there). */
      readonly issuerUrl: string;
      /** The client Cognito is registered as at the IdP. */
      readonly clientId: string;
      /** Name or ARN of a Secrets Manager secret holding that client's secret (a plain string). */
      readonly clientSecretName: string;
      /** The claim of the IdP's ID token carrying the user's groups. */
      readonly groupsClaim: string;
      /** Scopes requested from the IdP. */
      readonly scopes: readonly string[];
    };

/** Settings of user authentication (`userAuth=true`). */
export interface UserAuthConfig {
  /** Redirect URLs the Amazon Quick console shows for the integration (the app client's callback URLs). */
  readonly quickRedirectUrls: readonly string[];
  /** Which group sees which accounts; passed to the server as ACCESS_POLICY. */
  readonly accessPolicy: AccessPolicy;
  /**
   * Federation to the company's identity provider.
   * @default - users and groups are kept in Cognito (one group per access-policy key)
   */
  readonly identityProvider?: IdentityProviderConfig;
}

/** Thrown for invalid context; the message is meant to be printed as is. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Context from cdk.json is typed JSON; from `-c key=value` it is always a string. These accept both. */
function text(schema: z.ZodString) {
  return z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), schema);
}

function optionalText(schema: z.ZodString) {
  return z.preprocess((v) => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') return v;
    return v.trim() === '' ? undefined : v.trim();
  }, schema.optional());
}

function list(item: z.ZodString, max: number) {
  return z.preprocess(
    (v) => {
      if (v === undefined || v === null) return [];
      if (typeof v !== 'string') return v;
      const s = v.trim();
      if (s.startsWith('[')) {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          return v;
        }
      }
      return s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    },
    z
      .array(z.preprocess((x) => (typeof x === 'string' ? x.trim() : x), item))
      .max(max)
      .transform((xs) => [...new Set(xs)]),
  );
}

function optionalInt(min: number, max: number) {
  return z.preprocess((v) => {
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  }, z.number().int().min(min).max(max).optional());
}

function bool(fallback = false) {
  return z.preprocess(
    (v) => (v === 'true' ? true : v === 'false' ? false : v === undefined || v === '' ? fallback : v),
    z.boolean(),
  );
}

/** Each key: its schema, and the sentence that says what is allowed (used verbatim in the error). */
const KEYS = {
  stackPrefix: {
    schema: text(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,39}$/)).default('BillingMcp'),
    allowed: 'a letter followed by up to 39 letters, digits or hyphens (default BillingMcp)',
  },
  executionRoleName: {
    schema: text(z.string().regex(IAM_ROLE_NAME)).default('BillingMCPServerAgentCoreRole'),
    allowed: 'an IAM role name: 1-64 letters, digits and +=,.@_-',
  },
  crossAccountRoleName: {
    schema: text(z.string().regex(IAM_ROLE_NAME)).default('BillingMCPCrossAccountRole'),
    allowed: 'an IAM role name: 1-64 letters, digits and +=,.@_-',
  },
  cognitoDomainPrefix: {
    schema: optionalText(
      z
        .string()
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
        .refine((s) => !/aws|amazon|cognito/.test(s)),
    ),
    allowed:
      'a Cognito domain prefix: 1-63 lowercase letters, digits and inner hyphens, not containing "aws", "amazon" or "cognito"',
  },
  memberAccountIds: {
    schema: list(z.string().regex(ACCOUNT_ID), 100),
    allowed:
      'at most 100 12-digit AWS account ids, as a JSON array in cdk.json or comma-separated with -c (use organizationId for more)',
  },
  organizationalUnitIds: {
    schema: list(z.string().regex(/^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/), 100),
    allowed:
      'organizational unit ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx), as a JSON array in cdk.json or comma-separated with -c',
  },
  organizationId: {
    schema: optionalText(z.string().regex(/^o-[a-z0-9]{10,32}$/)),
    allowed: 'an AWS Organizations id: o- followed by 10-32 lowercase letters or digits',
  },
  stackSetRegion: {
    schema: optionalText(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/)),
    allowed: 'one AWS region name, e.g. us-east-1',
  },
  stackSetCallAs: {
    schema: text(z.string())
      .pipe(z.enum(['SELF', 'DELEGATED_ADMIN']))
      .default('SELF'),
    allowed: 'SELF (management account) or DELEGATED_ADMIN (delegated StackSets administrator)',
  },
  managementAccountId: {
    schema: optionalText(z.string().regex(ACCOUNT_ID)),
    allowed: 'a 12-digit AWS account id',
  },
  sourceAccountId: {
    schema: optionalText(z.string().regex(ACCOUNT_ID)),
    allowed: 'a 12-digit AWS account id',
  },
  extraAllowedClientIds: {
    schema: list(z.string().regex(/^[\w+-]{1,128}$/), 20),
    allowed:
      'at most 20 OAuth client ids (1-128 letters, digits, +, _ or -), as a JSON array in cdk.json or comma-separated with -c',
  },
  imageBuild: {
    schema: text(z.string())
      .pipe(z.enum(['codebuild', 'docker']))
      .default('codebuild'),
    allowed: 'codebuild (deploy-time ARM CodeBuild, no local Docker) or docker (local Docker, linux/arm64)',
  },
  deployMemberRole: {
    schema: bool(),
    allowed: 'true or false',
  },
  costDataExport: {
    schema: bool(),
    allowed:
      'true or false (true: a FOCUS 1.2 Data Export in managementAccountId and its Athena reading side)',
  },
  costDataTable: {
    schema: optionalText(z.string().regex(/^[a-z0-9_]{1,255}\.[a-z0-9_]{1,255}$/)),
    allowed:
      'database.table of an existing Athena (Glue) table with the FOCUS 1.2 (or, with costDataSchema=cur2, CUR 2.0) ' +
      'columns and a billing_period partition, ' +
      'each name lower-case letters, digits and _ (e.g. cur_exports.focus_1_2); used together with athenaWorkgroup',
  },
  athenaWorkgroup: {
    schema: optionalText(z.string().regex(/^[A-Za-z0-9._-]{1,128}$/)),
    allowed:
      'the name of an existing Athena workgroup: 1-128 letters, digits and ._- (used with costDataTable)',
  },
  costDataSchema: {
    schema: optionalText(z.string()).pipe(z.enum(['focus', 'cur2']).optional()),
    allowed:
      'focus (the existing table has FOCUS 1.2 columns, the default) or cur2 (it is a CUR 2.0 export table); ' +
      'used with costDataTable',
  },
  storageLens: {
    schema: bool(),
    allowed:
      'true or false (true: an organization-level S3 Storage Lens configuration in managementAccountId exporting to ' +
      'the costDataExport bucket)',
  },
  sharedCache: {
    schema: bool(true),
    allowed: 'true (default: a DynamoDB table every session shares cached answers through) or false',
  },
  logLevel: {
    schema: optionalText(z.string()).pipe(z.enum(['debug', 'info', 'warn', 'error']).optional()),
    allowed: 'debug, info, warn or error',
  },
  cacheTtlSeconds: {
    schema: optionalInt(0, 86_400),
    allowed: 'a whole number of seconds from 0 (cache off) to 86400',
  },
  cacheMaxEntries: {
    schema: optionalInt(1, 100_000),
    allowed: 'a whole number from 1 to 100000',
  },
  toolDeadlineSeconds: {
    schema: optionalInt(1, 900),
    allowed: 'a whole number of seconds from 1 to 900 (Amazon Quick gives up after about 60)',
  },
  fanoutConcurrency: {
    schema: optionalInt(1, 64),
    allowed: 'a whole number from 1 to 64',
  },
  maxPages: {
    schema: optionalInt(1, 100),
    allowed: 'a whole number from 1 to 100',
  },
  crossAccountExternalId: {
    schema: optionalText(z.string().regex(/^[\w+=,.@:/-]{2,1224}$/)),
    allowed: 'an STS external id: 2-1224 letters, digits and +=,.@:/-',
  },
  userAuth: {
    schema: bool(),
    allowed: 'true or false (user sign-in for Amazon Quick with per-group account scopes; default false)',
  },
  quickRedirectUrls: {
    schema: list(
      z
        .string()
        .url()
        .regex(/^https:\/\//),
      10,
    ),
    allowed:
      'at most 10 https URLs: the redirect URL the Amazon Quick console shows for the integration, as a JSON array in cdk.json or comma-separated with -c',
  },
  accessPolicy: {
    schema: z.unknown(),
    allowed:
      'a JSON object mapping a group name (or "@service" for the client-credentials identity) to "*" or a list of 12-digit account ids, e.g. {"finance":"*","team-a":["222222222222"]}',
  },
  identityProvider: {
    schema: z.unknown(),
    allowed:
      'a JSON object: {"type":"saml","name":…,"metadataUrl":"https://…","groupsAttribute":…} or {"type":"oidc","name":…,"issuerUrl":"https://…","clientId":…,"clientSecretName":…,"groupsClaim":…,"scopes":[…]}',
  },
} as const;

/** Every context key the app reads. */
export const CONFIG_KEYS = Object.keys(KEYS) as (keyof typeof KEYS)[];

/** Context keys that only set an environment variable of the server, and which one. */
export const SERVER_ENVIRONMENT_KEYS = {
  logLevel: 'LOG_LEVEL',
  cacheTtlSeconds: 'CACHE_TTL_SECONDS',
  cacheMaxEntries: 'CACHE_MAX_ENTRIES',
  toolDeadlineSeconds: 'TOOL_DEADLINE_SECONDS',
  fanoutConcurrency: 'FANOUT_CONCURRENCY',
  maxPages: 'MAX_PAGES',
  crossAccountExternalId: 'CROSS_ACCOUNT_EXTERNAL_ID',
} as const satisfies Partial<Record<keyof typeof KEYS, string>>;

type Parsed = { [K in keyof typeof KEYS]: z.output<(typeof KEYS)[K]['schema']> };

function invalid(key: string, raw: unknown, allowed: string): string {
  const shown = raw === undefined ? 'not set' : JSON.stringify(raw);
  return `Invalid value for context key "${key}": ${shown}. Allowed: ${allowed}.`;
}

/**
 * Validates CDK context (cdk.json `context` merged with `-c key=value` flags) into one frozen config.
 *
 * Keys the app does not know are ignored when they look like CDK's own (`@aws-cdk/...`, `aws:cdk:...`), and
 * rejected when they look like a misspelt key of ours (a plain camelCase word).
 *
 * @throws ConfigError naming each bad key and what it allows, one line per key
 */
export function parseConfig(rawContext: Readonly<Record<string, unknown>>): AppConfig {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const spec = KEYS[key];
    const result = (spec.schema as z.ZodType).safeParse(rawContext[key]);
    if (result.success) parsed[key] = result.data;
    else problems.push(invalid(key, rawContext[key], spec.allowed));
  }
  for (const key of Object.keys(rawContext)) {
    if (/^[a-z][A-Za-z0-9]*$/.test(key) && !(CONFIG_KEYS as string[]).includes(key)) {
      problems.push(`Unknown context key "${key}". Known keys: ${CONFIG_KEYS.join(', ')}.`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));

  const c = parsed as Parsed;
  if (c.organizationalUnitIds.length > 0 && c.organizationId === undefined) {
    throw new ConfigError(
      invalid(
        'organizationId',
        rawContext.organizationId,
        'an o-... id; it is required when organizationalUnitIds is set',
      ) + ' The execution role may assume the member role in any account of that organization only.',
    );
  }

  const userAuth = parseUserAuth(c, rawContext);
  if (c.costDataExport && (c.managementAccountId === undefined || c.sourceAccountId === undefined)) {
    throw new ConfigError(
      invalid(
        'costDataExport',
        rawContext.costDataExport,
        'true only with managementAccountId (where the export is made) and sourceAccountId (where its bucket is)',
      ),
    );
  }

  const costDataTable = parseCostDataTable(c, rawContext);
  if (c.storageLens && !c.costDataExport) {
    throw new ConfigError(
      invalid(
        'storageLens',
        rawContext.storageLens,
        'true only with costDataExport=true: the metrics export is delivered to the export bucket and its table ' +
          "joins the export's Glue database (an existing costDataTable has neither in this app)",
      ),
    );
  }
  if (c.storageLens && c.organizationId === undefined) {
    throw new ConfigError(
      invalid(
        'organizationId',
        rawContext.organizationId,
        'an o-... id; it is required with storageLens=true (the Storage Lens configuration covers that organization)',
      ),
    );
  }

  const serverEnvironment: Record<string, string> = {};
  for (const [key, envName] of Object.entries(SERVER_ENVIRONMENT_KEYS)) {
    const value = c[key as keyof typeof SERVER_ENVIRONMENT_KEYS];
    if (value !== undefined) serverEnvironment[envName] = String(value);
  }

  return Object.freeze({
    stackPrefix: c.stackPrefix,
    executionRoleName: c.executionRoleName,
    crossAccountRoleName: c.crossAccountRoleName,
    cognitoDomainPrefix: c.cognitoDomainPrefix,
    memberAccountIds: Object.freeze(c.memberAccountIds),
    organizationalUnitIds: Object.freeze(c.organizationalUnitIds),
    organizationId: c.organizationId,
    stackSetRegion: c.stackSetRegion,
    stackSetCallAs: c.stackSetCallAs,
    managementAccountId: c.managementAccountId,
    sourceAccountId: c.sourceAccountId,
    extraAllowedClientIds: Object.freeze(c.extraAllowedClientIds),
    imageBuild: c.imageBuild,
    deployMemberRole: c.deployMemberRole,
    costDataExport: c.costDataExport,
    ...(costDataTable ? { costDataTable } : {}),
    storageLens: c.storageLens,
    sharedCache: c.sharedCache,
    crossAccountExternalId: c.crossAccountExternalId,
    serverEnvironment: Object.freeze(serverEnvironment),
    ...(userAuth ? { userAuth } : {}),
  });
}

/**
 * `costDataTable` and `athenaWorkgroup` name one existing table and the workgroup to query it in: both or neither,
 * and not together with `costDataExport` (which creates its own table and workgroup; two sources of cost data would
 * leave the server one of them unreachable).
 */
function parseCostDataTable(
  c: Parsed,
  rawContext: Readonly<Record<string, unknown>>,
): ExistingCostTable | undefined {
  if (c.costDataSchema !== undefined && c.costDataTable === undefined) {
    throw new ConfigError(
      invalid(
        'costDataSchema',
        rawContext.costDataSchema,
        'set only with costDataTable: it says whether that existing table is FOCUS 1.2 or CUR 2.0 (the ' +
          'costDataExport table is always FOCUS 1.2)',
      ),
    );
  }
  if (c.costDataTable === undefined && c.athenaWorkgroup === undefined) return undefined;
  if (c.costDataExport) {
    const key = c.costDataTable !== undefined ? 'costDataTable' : 'athenaWorkgroup';
    throw new ConfigError(
      invalid(
        key,
        rawContext[key],
        'not set together with costDataExport=true: the export brings its own table and workgroup; use one or the other',
      ),
    );
  }
  if (c.costDataTable === undefined) {
    throw new ConfigError(
      invalid(
        'costDataTable',
        rawContext.costDataTable,
        `database.table of the existing table; athenaWorkgroup (${c.athenaWorkgroup}) names where to query it, not what`,
      ),
    );
  }
  if (c.athenaWorkgroup === undefined) {
    throw new ConfigError(
      invalid(
        'athenaWorkgroup',
        rawContext.athenaWorkgroup,
        `the existing Athena workgroup to query ${c.costDataTable} in; it is required with costDataTable (the workgroup ` +
          'holds the results location, encryption and scan limits this app does not create)',
      ),
    );
  }
  const [database, table] = c.costDataTable.split('.');
  return Object.freeze({
    database,
    table,
    workgroup: c.athenaWorkgroup,
    ...(c.costDataSchema ? { schema: c.costDataSchema } : {}),
  });
}

/** Context given with `-c key=<JSON>` arrives as a string. */
function jsonContext(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return raw;
  }
}

// Cognito's group-name rule (letters, marks, symbols, digits, punctuation; 1-128).
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** The access-policy key of the client-credentials (service) identity. */
export const SERVICE_POLICY_KEY = '@service';

/**
 * Validates an access policy: an object mapping group names (and `@service`) to `"*"` or a list of 12-digit account
 * ids (an empty list: the group sees nothing).
 * @throws ConfigError with one line naming the context key and the offending group
 */
export function parseAccessPolicy(raw: unknown): AccessPolicy {
  const value = jsonContext(raw);
  const key = 'accessPolicy';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(invalid(key, raw, KEYS.accessPolicy.allowed));
  }
  const policy: Record<string, '*' | readonly string[]> = {};
  for (const [group, scope] of Object.entries(value as Record<string, unknown>)) {
    if (group !== SERVICE_POLICY_KEY && !GROUP_NAME.test(group)) {
      throw new ConfigError(
        `Invalid value for context key "${key}": group name ${JSON.stringify(group)} is not a Cognito group name ` +
          '(1-128 letters, digits, symbols or punctuation, no spaces).',
      );
    }
    if (scope === '*') {
      policy[group] = '*';
      continue;
    }
    if (!Array.isArray(scope) || scope.some((id) => typeof id !== 'string' || !ACCOUNT_ID.test(id))) {
      throw new ConfigError(
        `Invalid value for context key "${key}": group ${JSON.stringify(group)} maps to ${JSON.stringify(scope)}; ` +
          'each group maps to "*" or a list of 12-digit account ids ([] for none).',
      );
    }
    policy[group] = Object.freeze([...new Set(scope as string[])]);
  }
  if (Object.keys(policy).filter((g) => g !== SERVICE_POLICY_KEY).length === 0) {
    throw new ConfigError(
      `Invalid value for context key "${key}": it names no group, so no signed-in user could see anything; ` +
        'add at least one group.',
    );
  }
  return Object.freeze(policy);
}

const HTTPS_URL = /^https:\/\/[^\s/]+/;

/**
 * Validates the identity provider settings.
 * @throws ConfigError with one line naming the context key and the field
 */
export function parseIdentityProvider(raw: unknown): IdentityProviderConfig {
  const key = 'identityProvider';
  const value = jsonContext(raw);
  const bad = (field: string, allowed: string) =>
    new ConfigError(
      `Invalid value for context key "${key}": "${field}" ${allowed} (got ${JSON.stringify((value as Record<string, unknown>)?.[field] ?? null)}).`,
    );
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(invalid(key, raw, KEYS.identityProvider.allowed));
  }
  const v = value as Record<string, unknown>;
  const str = (field: string, pattern: RegExp, allowed: string): string => {
    const x = v[field];
    if (typeof x !== 'string' || !pattern.test(x.trim())) throw bad(field, allowed);
    return x.trim();
  };
  const name = str('name', /^[\w.-][\w .-]{1,30}[\w.-]$/, 'must be 3-32 letters, digits, spaces, . _ or -');
  if (v.type === 'saml') {
    return Object.freeze({
      type: 'saml',
      name,
      metadataUrl: str('metadataUrl', HTTPS_URL, 'must be the https URL of the SAML metadata'),
      groupsAttribute: str(
        'groupsAttribute',
        /^\S{1,256}$/,
        'must name the SAML attribute carrying the groups',
      ),
    });
  }
  if (v.type === 'oidc') {
    const scopes = v.scopes ?? ['openid', 'email', 'profile'];
    if (!Array.isArray(scopes) || scopes.some((x) => typeof x !== 'string' || !/^\S+$/.test(x))) {
      throw bad('scopes', 'must be a list of scope names');
    }
    return Object.freeze({
      type: 'oidc',
      name,
      issuerUrl: str('issuerUrl', HTTPS_URL, "must be the IdP's https issuer URL"),
      clientId: str('clientId', /^\S{1,256}$/, 'must be the client id Cognito has at the IdP'),
      clientSecretName: str(
        'clientSecretName',
        /^[\w/+=.@:-]{1,2048}$/,
        "must be the name or ARN of a Secrets Manager secret holding that client's secret",
      ),
      groupsClaim: str(
        'groupsClaim',
        /^\S{1,256}$/,
        "must name the IdP's ID-token claim carrying the groups",
      ),
      scopes: Object.freeze([...new Set(['openid', ...(scopes as string[])])]),
    });
  }
  throw bad('type', 'must be "saml" or "oidc"');
}

function parseUserAuth(c: Parsed, rawContext: Readonly<Record<string, unknown>>): UserAuthConfig | undefined {
  const policyGiven = jsonContext(rawContext.accessPolicy) !== undefined;
  const idpGiven = jsonContext(rawContext.identityProvider) !== undefined;
  if (!c.userAuth) {
    const stray = [
      ...(policyGiven ? ['accessPolicy'] : []),
      ...(idpGiven ? ['identityProvider'] : []),
      ...(c.quickRedirectUrls.length ? ['quickRedirectUrls'] : []),
    ];
    if (stray.length > 0) {
      throw new ConfigError(
        `Invalid value for context key "userAuth": ${JSON.stringify(rawContext.userAuth ?? null)}. ` +
          `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} only used with userAuth=true: set it, or remove them.`,
      );
    }
    return undefined;
  }
  if (c.quickRedirectUrls.length === 0) {
    throw new ConfigError(
      invalid('quickRedirectUrls', rawContext.quickRedirectUrls, KEYS.quickRedirectUrls.allowed) +
        ' It is required with userAuth=true.',
    );
  }
  if (!policyGiven) {
    throw new ConfigError(
      invalid('accessPolicy', rawContext.accessPolicy, KEYS.accessPolicy.allowed) +
        ' It is required with userAuth=true.',
    );
  }
  return Object.freeze({
    quickRedirectUrls: Object.freeze(c.quickRedirectUrls),
    accessPolicy: parseAccessPolicy(rawContext.accessPolicy),
    ...(idpGiven ? { identityProvider: parseIdentityProvider(rawContext.identityProvider) } : {}),
  });
}

/** True when member accounts or OUs are configured, i.e. when the app has a StackSet stack. */
export function hasMemberTargets(config: AppConfig): boolean {
  return config.memberAccountIds.length > 0 || config.organizationalUnitIds.length > 0;
}

/**
 * The server's ALLOWED_TARGET_ACCOUNTS. With OUs the accounts are not known at synth, so `*`: the execution role's
 * `aws:ResourceOrgID` condition does the bounding. Otherwise an explicit account list wins; an organization alone
 * also means `*`; with neither it is undefined (the server then queries its own account only).
 */
export function allowedTargetAccounts(config: AppConfig): string | undefined {
  if (config.organizationalUnitIds.length > 0) return '*';
  if (config.memberAccountIds.length > 0) return config.memberAccountIds.join(',');
  return config.organizationId !== undefined ? '*' : undefined;
}

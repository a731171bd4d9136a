import { type AccessPolicy, parseAccessPolicy } from './access/policy';
import { COST_DATA_SCHEMAS, type CostDataSchema } from './query/sql';

const ACCOUNT_ID = /^\d{12}$/;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Reads one environment variable: returns its value, or throws an {@link Invalid} whose message names the variable
 * and says what it must be.
 */
type Reader<T> = (raw: string | undefined) => T;

/** One bad variable; {@link loadConfig} collects them all into one ConfigError. */
class Invalid extends Error {}

function positiveInt(name: string, fallback: number, max: number): Reader<number> {
  return (raw) => {
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Invalid(`${name} must be a whole number from 1 to ${max}, got "${raw}"`);
    }
    return value;
  };
}

const optional: Reader<string | undefined> = (raw) => raw;

/** A Glue database or table name as the SQL writes it: lower-case letters, digits and underscores. */
function glueName(name: string): Reader<string | undefined> {
  return (raw) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (!/^[a-z0-9_]{1,255}$/.test(value)) {
      throw new Invalid(`${name} must be a Glue name (lower-case letters, digits and _), got "${raw}"`);
    }
    return value;
  };
}

/** A folder on the local disk (the embedded engine's data); relative paths resolve against the working directory. */
function localFolder(name: string): Reader<string | undefined> {
  return (raw) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (value.includes('\0')) throw new Invalid(`${name} must be a folder path`);
    return value.startsWith('/')
      ? value.replace(/\/+$/, '') || '/'
      : `${process.cwd()}/${value.replace(/\/+$/, '')}`;
  };
}

/** Organizations' own bound on an account name (1-50 characters); names from ACCOUNT_NAMES keep to it too. */
export const MAX_ACCOUNT_NAME_LENGTH = 50;

/** ACCOUNT_NAMES: a JSON object of 12-digit account id → name, the names' last source (see tools/lib/accounts.ts). */
function accountNames(raw: string | undefined): Readonly<Record<string, string>> {
  if (!raw?.trim()) return Object.freeze({});
  const shape = 'a JSON object of 12-digit account id to name, e.g. {"222222222222":"prod"}';
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Invalid(`ACCOUNT_NAMES must be ${shape}; it is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Invalid(`ACCOUNT_NAMES must be ${shape}`);
  }
  const names: Record<string, string> = {};
  for (const [id, name] of Object.entries(value as Record<string, unknown>)) {
    if (!ACCOUNT_ID.test(id)) {
      throw new Invalid(
        `ACCOUNT_NAMES must be ${shape}; ${JSON.stringify(id.slice(0, 40))} is not an account id`,
      );
    }
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (!trimmed || trimmed.length > MAX_ACCOUNT_NAME_LENGTH) {
      throw new Invalid(
        `ACCOUNT_NAMES: the name of ${id} must be a string of 1-${MAX_ACCOUNT_NAME_LENGTH} characters`,
      );
    }
    names[id] = trimmed;
  }
  return Object.freeze(names);
}

const readers = {
  HOST: (raw: string | undefined) => raw ?? '127.0.0.1',
  PORT: (raw: string | undefined) => {
    if (raw === undefined || raw === '') return 8000;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Invalid(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
    }
    return port;
  },
  LOG_LEVEL: (raw: string | undefined) => {
    const level = (raw ?? 'info').toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new Invalid(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
    }
    return level as LogLevel;
  },
  AWS_REGION: optional,
  AWS_DEFAULT_REGION: optional,
  CROSS_ACCOUNT_ROLE_NAME: (raw: string | undefined) => {
    const name = raw?.trim() || 'BillingMCPCrossAccountRole';
    if (!/^[\w+=,.@-]{1,64}$/.test(name)) {
      throw new Invalid(
        `CROSS_ACCOUNT_ROLE_NAME must be an IAM role name (1-64 of letters, digits and +=,.@_-), got "${raw}"`,
      );
    }
    return name;
  },
  ALLOWED_TARGET_ACCOUNTS: (raw: string | undefined): '*' | readonly string[] => {
    const text = (raw ?? '').trim();
    if (text === '*') return '*';
    const ids = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = ids.filter((id) => !ACCOUNT_ID.test(id));
    if (bad.length > 0) {
      throw new Invalid(
        `ALLOWED_TARGET_ACCOUNTS must be "*" or comma-separated 12-digit account ids; not valid: ${bad.join(', ')}`,
      );
    }
    return Object.freeze([...new Set(ids)]);
  },
  PAYER_ACCOUNT_ID: (raw: string | undefined) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (!ACCOUNT_ID.test(value)) {
      throw new Invalid(`PAYER_ACCOUNT_ID must be a 12-digit AWS account id, got "${value.slice(0, 40)}"`);
    }
    return value;
  },
  ACCOUNT_NAMES: accountNames,
  CROSS_ACCOUNT_EXTERNAL_ID: (raw: string | undefined) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (!/^[\w+=,.@:/-]{2,1224}$/.test(value)) {
      throw new Invalid('CROSS_ACCOUNT_EXTERNAL_ID must be 2-1224 of letters, digits and +=,.@:/-');
    }
    return value;
  },
  CACHE_TTL_SECONDS: (raw: string | undefined) => {
    if (raw === undefined || raw.trim() === '') return 900;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 86_400) {
      throw new Invalid(`CACHE_TTL_SECONDS must be a whole number from 0 (cache off) to 86400, got "${raw}"`);
    }
    return value;
  },
  CACHE_MAX_ENTRIES: positiveInt('CACHE_MAX_ENTRIES', 1000, 100_000),
  SHARED_CACHE_TABLE: (raw: string | undefined) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(value)) {
      throw new Invalid(
        `SHARED_CACHE_TABLE must be a DynamoDB table name (3-255 letters, digits and _.-), got "${raw}"`,
      );
    }
    return value;
  },
  CACHE_MAX_MB: positiveInt('CACHE_MAX_MB', 32, 512),
  TOOL_DEADLINE_SECONDS: positiveInt('TOOL_DEADLINE_SECONDS', 45, 900),
  FANOUT_CONCURRENCY: positiveInt('FANOUT_CONCURRENCY', 10, 64),
  MAX_PAGES: positiveInt('MAX_PAGES', 10, 100),
  REQUEST_TIMEOUT_SECONDS: positiveInt('REQUEST_TIMEOUT_SECONDS', 30, 600),
  AUTH_DISCOVERY_URL: (raw: string | undefined) => {
    const value = raw?.trim();
    if (!value) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Invalid(`AUTH_DISCOVERY_URL must be a URL, got "${raw}"`);
    }
    // Plain http only on loopback (local issuers in tests and development): keys fetched over the network must
    // not be forgeable in transit.
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new Invalid(`AUTH_DISCOVERY_URL must be an https URL (http only on localhost), got "${raw}"`);
    }
    return url.toString();
  },
  AUTH_ALLOWED_CLIENTS: (raw: string | undefined) =>
    Object.freeze([
      ...new Set(
        (raw ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ]),
  AUTH_REQUIRED_SCOPE: (raw: string | undefined) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (/\s/.test(value)) throw new Invalid(`AUTH_REQUIRED_SCOPE must be one scope, got "${raw}"`);
    return value;
  },
  COST_DATA_ENGINE: (raw: string | undefined) => {
    const value = raw?.trim().toLowerCase();
    if (!value) return undefined;
    if (value !== 'athena' && value !== 'duckdb') {
      throw new Invalid(`COST_DATA_ENGINE must be athena or duckdb, got "${raw}"`);
    }
    return value as CostDataEngine;
  },
  COST_DATA_SCHEMA: (raw: string | undefined) => {
    const value = raw?.trim().toLowerCase();
    if (!value) return undefined;
    if (!(COST_DATA_SCHEMAS as readonly string[]).includes(value)) {
      throw new Invalid(
        `COST_DATA_SCHEMA must be focus (a FOCUS 1.2 export) or cur2 (a CUR 2.0 export), got "${raw}"`,
      );
    }
    return value as CostDataSchema;
  },
  COST_DATA_PATH: localFolder('COST_DATA_PATH'),
  STORAGE_LENS_PATH: localFolder('STORAGE_LENS_PATH'),
  ATHENA_WORKGROUP: (raw: string | undefined) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (!/^[a-zA-Z0-9._-]{1,128}$/.test(value)) {
      throw new Invalid(
        `ATHENA_WORKGROUP must be an Athena workgroup name (1-128 of letters, digits and ._-), got "${raw}"`,
      );
    }
    return value;
  },
  ATHENA_DATABASE: glueName('ATHENA_DATABASE'),
  ATHENA_TABLE: glueName('ATHENA_TABLE'),
  STORAGE_LENS_TABLE: glueName('STORAGE_LENS_TABLE'),
  ALLOWED_ORIGINS: (raw: string | undefined) => {
    const origins = (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const origin of origins) {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        url = undefined;
      }
      // An Origin header is scheme://host[:port] exactly; anything else could never match one.
      if (!url || url.origin !== origin) {
        throw new Invalid(
          `ALLOWED_ORIGINS must be comma-separated origins like https://app.example.com, got "${origin}"`,
        );
      }
    }
    return Object.freeze([...new Set(origins)]);
  },
  ACCESS_POLICY: (raw: string | undefined): AccessPolicy | undefined => {
    if (!raw?.trim()) return undefined;
    const policy = parseAccessPolicy(raw);
    if (typeof policy === 'string') throw new Invalid(policy);
    return policy;
  },
  AUTH_GROUPS_CLAIM: (raw: string | undefined) => {
    const value = raw?.trim();
    if (!value) return undefined;
    if (/\s/.test(value)) throw new Invalid(`AUTH_GROUPS_CLAIM must be one claim name, got "${raw}"`);
    return value;
  },
  AUTH_TRUSTED_UPSTREAM: (raw: string | undefined) => {
    const value = (raw ?? '').trim().toLowerCase();
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    throw new Invalid(`AUTH_TRUSTED_UPSTREAM must be true or false, got "${raw}"`);
  },
  BILLING_MCP_CLOCK: (raw: string | undefined) => {
    if (!raw) return undefined;
    const time = Date.parse(raw);
    if (Number.isNaN(time)) throw new Invalid(`BILLING_MCP_CLOCK must be an ISO 8601 instant, got "${raw}"`);
    return time;
  },
} satisfies Record<string, Reader<unknown>>;

type Env = { readonly [K in keyof typeof readers]: ReturnType<(typeof readers)[K]> };

/** Reads every variable, collecting every bad one: the operator fixes them all in one go. */
function readEnv(env: NodeJS.ProcessEnv): Env {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, read] of Object.entries(readers) as [string, Reader<unknown>][]) {
    try {
      values[name] = read(env[name]);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return values as Env;
}

/** In-server bearer-token verification (off unless AUTH_DISCOVERY_URL is set). */
export interface AuthConfig {
  /** OpenID discovery document of the issuer; its `issuer` and `jwks_uri` are used. */
  readonly discoveryUrl: string;
  /** Accepted `client_id` claims. */
  readonly allowedClients: readonly string[];
  /** A scope the token's `scope` claim must contain, if set. */
  readonly requiredScope: string | undefined;
}

export type CostDataEngine = 'athena' | 'duckdb';

/** Where the FOCUS cost data and the Storage Lens metrics are read from; absent when neither is configured. */
export interface CostDataConfig {
  readonly engine: CostDataEngine;
  /** The cost table's layout (COST_DATA_SCHEMA): FOCUS 1.2 columns, or CUR 2.0 ones read through the same tools. */
  readonly schema: CostDataSchema;
  /** duckdb: the export's folder, the one holding `data/BILLING_PERIOD=YYYY-MM/`. */
  readonly costDataPath: string | undefined;
  /** duckdb: the Storage Lens folder holding `dt=YYYY-MM-DD/`. */
  readonly storageLensPath: string | undefined;
  /** athena: the workgroup queries run in (its enforced settings hold the results location and the cutoff). */
  readonly athenaWorkgroup: string;
  readonly athenaDatabase: string | undefined;
  /** athena: the FOCUS table, partitioned by `billing_period`. */
  readonly athenaTable: string | undefined;
  /** athena: the Storage Lens table in the same database, partitioned by `dt`. */
  readonly storageLensTable: string | undefined;
}

/** The server's configuration, read once from the environment at start-up. Tools receive it; they never read env. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  /** Region of the regional services (Compute Optimizer) when a tool is not told otherwise. */
  readonly defaultRegion: string;
  readonly crossAccountRoleName: string;
  /** `*` (any account the role can be assumed in) or the explicit allow-list; empty means the own account only. */
  readonly allowedTargetAccounts: '*' | readonly string[];
  readonly crossAccountExternalId: string | undefined;
  /**
   * The organization's management (payer) account (PAYER_ACCOUNT_ID), for when the server cannot find it out
   * itself (Organizations DescribeOrganization answers from any member account). Multi-account cost questions about
   * its members are answered by LINKED_ACCOUNT-grouped requests in it (tools/lib/payer-route.ts).
   */
  readonly payerAccountId: string | undefined;
  /** Account names the operator gave (ACCOUNT_NAMES): id → name; used when neither Organizations nor Cost Explorer names them. */
  readonly accountNames: Readonly<Record<string, string>>;
  readonly cacheTtlSeconds: number;
  readonly cacheMaxEntries: number;
  /**
   * Bound on the cached answers' total estimated in-memory size, so a few huge answers cannot exhaust memory. At most
   * 512 MB: a quarter of V8's heap limit on an AgentCore microVM (V8 takes a quarter of the machine's memory, 2 GiB of
   * its 8 GB), so a full cache leaves room for the work of the requests.
   */
  readonly cacheMaxBytes: number;
  /**
   * The DynamoDB table every session shares cached answers through (partition key string `key`, TTL number
   * `expires_at`); undefined: no shared tier, each process caches only for itself.
   */
  readonly sharedCacheTable: string | undefined;
  readonly toolDeadlineSeconds: number;
  /**
   * Accounts one `target_account_ids` call queries at once (default 10): ten accounts, the size of a typical
   * "compare our accounts" question, are answered in one round of API latency rather than two, while staying well
   * under Cost Explorer's request rate.
   */
  readonly fanoutConcurrency: number;
  /** How many pages a paginated read follows before saying that more exists. */
  readonly maxPages: number;
  /**
   * For tests and demos only: the instant the server's clock starts at (it then advances normally), so relative
   * periods resolve deterministically.
   */
  readonly clockStart: number | undefined;
  /** A client that has not sent its whole request by then gets 408 (slow-drip bodies must not hold a slot). */
  readonly requestTimeoutSeconds: number;
  /**
   * Verify `Authorization: Bearer` JWTs on POST /mcp. Off by default: on AgentCore the runtime's JWT authorizer
   * does it before the request reaches the container.
   */
  readonly auth: AuthConfig | undefined;
  /** The cost-data tools' source (COST_DATA_ENGINE and friends); undefined: they answer how to configure it. */
  readonly costData: CostDataConfig | undefined;
  /**
   * Browser origins allowed to call POST /mcp (DNS-rebinding protection, as the MCP specification requires): a
   * request with any other `Origin` header gets 403. Empty by default: Amazon Quick and AgentCore send no Origin.
   */
  readonly allowedOrigins: readonly string[];
  /**
   * Which group sees which accounts (ACCESS_POLICY). Absent: every caller sees every allowed account, as before.
   */
  readonly accessPolicy: AccessPolicy | undefined;
  /** The token claim listing the caller's groups (AUTH_GROUPS_CLAIM); `cognito:groups` when absent. */
  readonly groupsClaim: string | undefined;
  /**
   * AUTH_TRUSTED_UPSTREAM=true: an authorizer in front (AgentCore's JWT authorizer) verified the bearer token, so
   * its claims are read without verifying it again. Never set it where requests can reach the server directly.
   */
  readonly trustedUpstream: boolean;
}

/** Thrown for an invalid environment; the message is one line meant for the operator. */
export class ConfigError extends Error {}

/** Validates the environment into a frozen config, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const e = readEnv(env);
  if (e.AUTH_DISCOVERY_URL && e.AUTH_ALLOWED_CLIENTS.length === 0) {
    throw new ConfigError(
      'Invalid configuration: AUTH_DISCOVERY_URL is set but AUTH_ALLOWED_CLIENTS is empty; list the OAuth client ids ' +
        'allowed to call the server (comma-separated), or unset AUTH_DISCOVERY_URL.',
    );
  }
  if (!e.AUTH_DISCOVERY_URL && (e.AUTH_ALLOWED_CLIENTS.length > 0 || e.AUTH_REQUIRED_SCOPE)) {
    throw new ConfigError(
      "Invalid configuration: AUTH_ALLOWED_CLIENTS / AUTH_REQUIRED_SCOPE need AUTH_DISCOVERY_URL (the issuer's " +
        'OpenID discovery URL); without it no token is verified.',
    );
  }
  if (e.ACCESS_POLICY && !e.AUTH_DISCOVERY_URL && !e.AUTH_TRUSTED_UPSTREAM) {
    // Refused at start rather than per call: a server that cannot tell who calls would refuse every call anyway, and
    // trusting unverified claims would let anyone name any group.
    throw new ConfigError(
      "Invalid configuration: ACCESS_POLICY is set but no bearer token is verified, so the caller's groups cannot " +
        'be trusted. Set AUTH_DISCOVERY_URL (the server verifies tokens) or AUTH_TRUSTED_UPSTREAM=true (an ' +
        "authorizer in front verified them, as AgentCore's does), or unset ACCESS_POLICY.",
    );
  }
  const costData = costDataConfig(e);
  return Object.freeze({
    costData,
    accessPolicy: e.ACCESS_POLICY,
    groupsClaim: e.AUTH_GROUPS_CLAIM,
    trustedUpstream: e.AUTH_TRUSTED_UPSTREAM,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    defaultRegion: e.AWS_REGION || e.AWS_DEFAULT_REGION || 'us-east-1',
    crossAccountRoleName: e.CROSS_ACCOUNT_ROLE_NAME,
    allowedTargetAccounts: e.ALLOWED_TARGET_ACCOUNTS,
    crossAccountExternalId: e.CROSS_ACCOUNT_EXTERNAL_ID,
    payerAccountId: e.PAYER_ACCOUNT_ID,
    accountNames: e.ACCOUNT_NAMES,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    cacheMaxEntries: e.CACHE_MAX_ENTRIES,
    cacheMaxBytes: e.CACHE_MAX_MB * 1024 * 1024,
    sharedCacheTable: e.SHARED_CACHE_TABLE,
    toolDeadlineSeconds: e.TOOL_DEADLINE_SECONDS,
    fanoutConcurrency: e.FANOUT_CONCURRENCY,
    maxPages: e.MAX_PAGES,
    clockStart: e.BILLING_MCP_CLOCK,
    requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS,
    allowedOrigins: e.ALLOWED_ORIGINS,
    auth: e.AUTH_DISCOVERY_URL
      ? Object.freeze({
          discoveryUrl: e.AUTH_DISCOVERY_URL,
          allowedClients: e.AUTH_ALLOWED_CLIENTS,
          requiredScope: e.AUTH_REQUIRED_SCOPE,
        })
      : undefined,
  });
}

/**
 * The cost-data source. COST_DATA_ENGINE may be left out: a local folder means duckdb, an Athena table athena.
 * Variables of the other engine are refused rather than silently ignored, so a half-edited setup fails at start.
 */
function costDataConfig(e: Env): CostDataConfig | undefined {
  const local = e.COST_DATA_PATH !== undefined || e.STORAGE_LENS_PATH !== undefined;
  const athena =
    e.ATHENA_DATABASE !== undefined || e.ATHENA_TABLE !== undefined || e.STORAGE_LENS_TABLE !== undefined;
  const engine = e.COST_DATA_ENGINE ?? (local ? 'duckdb' : athena ? 'athena' : undefined);
  const fail = (text: string) => new ConfigError(`Invalid configuration: ${text}`);
  // The schema describes a cost table: without one it would be silently ignored.
  if (e.COST_DATA_SCHEMA !== undefined && e.COST_DATA_PATH === undefined && e.ATHENA_TABLE === undefined) {
    throw fail(
      'COST_DATA_SCHEMA describes the cost table, and neither COST_DATA_PATH nor ATHENA_TABLE is set',
    );
  }
  if (engine === undefined) return undefined;
  if (engine === 'duckdb') {
    if (athena)
      throw fail(
        'ATHENA_DATABASE / ATHENA_TABLE / STORAGE_LENS_TABLE are for COST_DATA_ENGINE=athena, not duckdb',
      );
    if (!local)
      throw fail(
        'COST_DATA_ENGINE=duckdb needs COST_DATA_PATH (the folder holding data/BILLING_PERIOD=YYYY-MM/) or STORAGE_LENS_PATH',
      );
  } else {
    if (local) throw fail('COST_DATA_PATH / STORAGE_LENS_PATH are for COST_DATA_ENGINE=duckdb, not athena');
    if (!e.ATHENA_DATABASE)
      throw fail('COST_DATA_ENGINE=athena needs ATHENA_DATABASE and ATHENA_TABLE (or STORAGE_LENS_TABLE)');
    if (!e.ATHENA_TABLE && !e.STORAGE_LENS_TABLE)
      throw fail('COST_DATA_ENGINE=athena needs ATHENA_TABLE or STORAGE_LENS_TABLE');
  }
  return Object.freeze({
    engine,
    schema: e.COST_DATA_SCHEMA ?? 'focus',
    costDataPath: e.COST_DATA_PATH,
    storageLensPath: e.STORAGE_LENS_PATH,
    athenaWorkgroup: e.ATHENA_WORKGROUP ?? 'primary',
    athenaDatabase: e.ATHENA_DATABASE,
    athenaTable: e.ATHENA_TABLE,
    storageLensTable: e.STORAGE_LENS_TABLE,
  });
}

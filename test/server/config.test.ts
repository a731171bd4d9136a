import { ConfigError, loadConfig } from '../../server/src/config';

describe('loadConfig', () => {
  test('defaults to a local, own-account-only server', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      logLevel: 'info',
      defaultRegion: 'us-east-1',
      crossAccountRoleName: 'BillingMCPCrossAccountRole',
      allowedTargetAccounts: [],
      crossAccountExternalId: undefined,
      cacheTtlSeconds: 900,
      cacheMaxEntries: 1000,
      toolDeadlineSeconds: 45,
      fanoutConcurrency: 10,
      maxPages: 10,
      clockStart: undefined,
      allowedOrigins: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('reads ALLOWED_ORIGINS as a list of exact origins', () => {
    expect(
      loadConfig({ ALLOWED_ORIGINS: 'https://a.example.com, http://localhost:3000' }).allowedOrigins,
    ).toEqual(['https://a.example.com', 'http://localhost:3000']);
  });

  test('reads every variable it knows', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '9000',
      LOG_LEVEL: 'DEBUG',
      AWS_REGION: 'eu-west-1',
      CROSS_ACCOUNT_ROLE_NAME: 'BillingReader',
      ALLOWED_TARGET_ACCOUNTS: ' 222222222222, 333333333333 ,222222222222',
      CROSS_ACCOUNT_EXTERNAL_ID: 'ext-id-123',
      CACHE_TTL_SECONDS: '0',
      CACHE_MAX_ENTRIES: '50',
      TOOL_DEADLINE_SECONDS: '55',
      FANOUT_CONCURRENCY: '4',
      MAX_PAGES: '3',
      BILLING_MCP_CLOCK: '2026-11-24T12:00:00Z',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      logLevel: 'debug',
      defaultRegion: 'eu-west-1',
      crossAccountRoleName: 'BillingReader',
      allowedTargetAccounts: ['222222222222', '333333333333'],
      crossAccountExternalId: 'ext-id-123',
      cacheTtlSeconds: 0,
      cacheMaxEntries: 50,
      toolDeadlineSeconds: 55,
      fanoutConcurrency: 4,
      maxPages: 3,
      clockStart: Date.parse('2026-11-24T12:00:00Z'),
    });
    expect(Object.isFrozen(config.allowedTargetAccounts)).toBe(true);
  });

  test('reads PAYER_ACCOUNT_ID and ACCOUNT_NAMES (names trimmed), both absent by default', () => {
    const config = loadConfig({
      PAYER_ACCOUNT_ID: ' 999999999999 ',
      ACCOUNT_NAMES: '{"222222222222":" prod ","333333333333":"Dev team"}',
    });
    expect(config.payerAccountId).toBe('999999999999');
    expect(config.accountNames).toEqual({ '222222222222': 'prod', '333333333333': 'Dev team' });
    expect(Object.isFrozen(config.accountNames)).toBe(true);
    expect(loadConfig({})).toMatchObject({ payerAccountId: undefined, accountNames: {} });
  });

  test('accepts * for any account', () => {
    expect(loadConfig({ ALLOWED_TARGET_ACCOUNTS: '*' }).allowedTargetAccounts).toBe('*');
  });

  test('falls back to AWS_DEFAULT_REGION', () => {
    expect(loadConfig({ AWS_DEFAULT_REGION: 'ap-south-1' }).defaultRegion).toBe('ap-south-1');
  });

  test.each([
    [
      'ALLOWED_TARGET_ACCOUNTS',
      'abc,222222222222',
      'ALLOWED_TARGET_ACCOUNTS must be "*" or comma-separated 12-digit account ids; not valid: abc',
    ],
    ['PORT', '70000', 'PORT must be a whole number from 0 to 65535, got "70000"'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of debug, info, warn, error, got "loud"'],
    ['CROSS_ACCOUNT_ROLE_NAME', 'bad role', 'CROSS_ACCOUNT_ROLE_NAME must be an IAM role name'],
    ['CROSS_ACCOUNT_EXTERNAL_ID', 'x', 'CROSS_ACCOUNT_EXTERNAL_ID must be 2-1224 of'],
    [
      'CACHE_TTL_SECONDS',
      '-1',
      'CACHE_TTL_SECONDS must be a whole number from 0 (cache off) to 86400, got "-1"',
    ],
    ['CACHE_MAX_ENTRIES', '0', 'CACHE_MAX_ENTRIES must be a whole number from 1 to 100000, got "0"'],
    ['TOOL_DEADLINE_SECONDS', '1.5', 'TOOL_DEADLINE_SECONDS must be a whole number from 1 to 900, got "1.5"'],
    ['FANOUT_CONCURRENCY', '65', 'FANOUT_CONCURRENCY must be a whole number from 1 to 64, got "65"'],
    ['MAX_PAGES', 'ten', 'MAX_PAGES must be a whole number from 1 to 100, got "ten"'],
    [
      'ALLOWED_ORIGINS',
      'https://a.example.com/path',
      'ALLOWED_ORIGINS must be comma-separated origins like https://app.example.com, got "https://a.example.com/path"',
    ],
    ['BILLING_MCP_CLOCK', 'yesterday', 'BILLING_MCP_CLOCK must be an ISO 8601 instant, got "yesterday"'],
    [
      'PAYER_ACCOUNT_ID',
      '12345678901',
      'PAYER_ACCOUNT_ID must be a 12-digit AWS account id, got "12345678901"',
    ],
    [
      'ACCOUNT_NAMES',
      'prod=222222222222',
      'ACCOUNT_NAMES must be a JSON object of 12-digit account id to name',
    ],
    ['ACCOUNT_NAMES', '["prod"]', 'ACCOUNT_NAMES must be a JSON object of 12-digit account id to name'],
    ['ACCOUNT_NAMES', '{"22222222222x":"prod"}', '"22222222222x" is not an account id'],
    ['ACCOUNT_NAMES', '{"222222222222":7}', 'the name of 222222222222 must be a string of 1-50 characters'],
    [
      'ACCOUNT_NAMES',
      '{"222222222222":"  "}',
      'the name of 222222222222 must be a string of 1-50 characters',
    ],
  ])('rejects a bad %s (%j) with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  test('names every bad variable in one line', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud', ALLOWED_TARGET_ACCOUNTS: '123', MAX_PAGES: '0' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain('\n');
    expect(message.startsWith('Invalid configuration: ')).toBe(true);
    for (const name of ['PORT', 'LOG_LEVEL', 'ALLOWED_TARGET_ACCOUNTS', 'MAX_PAGES']) {
      expect(message).toContain(`${name} must be`);
    }
  });
});

describe('cost data configuration', () => {
  test('is off without any of its variables', () => {
    expect(loadConfig({}).costData).toBeUndefined();
  });

  test('a local folder means the duckdb engine', () => {
    expect(loadConfig({ COST_DATA_PATH: '/data/focus/' }).costData).toEqual({
      engine: 'duckdb',
      schema: 'focus',
      costDataPath: '/data/focus',
      storageLensPath: undefined,
      athenaWorkgroup: 'primary',
      athenaDatabase: undefined,
      athenaTable: undefined,
      storageLensTable: undefined,
    });
  });

  test('an Athena table means the athena engine', () => {
    expect(
      loadConfig({ ATHENA_DATABASE: 'billing', ATHENA_TABLE: 'focus', ATHENA_WORKGROUP: 'billing-mcp' })
        .costData,
    ).toMatchObject({
      engine: 'athena',
      athenaDatabase: 'billing',
      athenaTable: 'focus',
      athenaWorkgroup: 'billing-mcp',
    });
  });

  test('COST_DATA_SCHEMA names the cost table layout: focus by default, or cur2, for either engine', () => {
    expect(loadConfig({ COST_DATA_PATH: '/data/cur', COST_DATA_SCHEMA: ' CUR2 ' }).costData?.schema).toBe(
      'cur2',
    );
    expect(
      loadConfig({ ATHENA_DATABASE: 'cur', ATHENA_TABLE: 'data', COST_DATA_SCHEMA: 'cur2' }).costData?.schema,
    ).toBe('cur2');
    expect(
      loadConfig({ ATHENA_DATABASE: 'cur', ATHENA_TABLE: 'data', COST_DATA_SCHEMA: 'focus' }).costData,
    ).toMatchObject({ schema: 'focus' });
    // Control: left out, the table is FOCUS as before.
    expect(loadConfig({ ATHENA_DATABASE: 'cur', ATHENA_TABLE: 'data' }).costData?.schema).toBe('focus');
  });

  test.each([
    [
      { COST_DATA_PATH: '/x', COST_DATA_SCHEMA: 'cur' },
      'COST_DATA_SCHEMA must be focus (a FOCUS 1.2 export) or cur2',
    ],
    [
      { COST_DATA_SCHEMA: 'cur2' },
      'COST_DATA_SCHEMA describes the cost table, and neither COST_DATA_PATH nor',
    ],
    [{ STORAGE_LENS_PATH: '/lens', COST_DATA_SCHEMA: 'cur2' }, 'COST_DATA_SCHEMA describes the cost table'],
    [{ COST_DATA_ENGINE: 'spark' }, 'COST_DATA_ENGINE must be athena or duckdb'],
    [{ COST_DATA_ENGINE: 'duckdb' }, 'COST_DATA_ENGINE=duckdb needs COST_DATA_PATH'],
    [{ COST_DATA_ENGINE: 'athena', ATHENA_TABLE: 'focus' }, 'needs ATHENA_DATABASE'],
    [{ COST_DATA_PATH: '/x', ATHENA_TABLE: 'focus' }, 'are for COST_DATA_ENGINE=athena, not duckdb'],
    [{ ATHENA_DATABASE: 'billing"; DROP', ATHENA_TABLE: 'focus' }, 'ATHENA_DATABASE must be a Glue name'],
    [
      { ATHENA_DATABASE: 'billing', ATHENA_TABLE: 'focus', ATHENA_WORKGROUP: 'a b' },
      'ATHENA_WORKGROUP must be',
    ],
  ])('refuses %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

import { allowedTargetAccounts, ConfigError, parseConfig } from '../../lib/config';
import { cdkJsonContext } from './helpers';

describe('parseConfig', () => {
  test('cdk.json alone gives the documented defaults', () => {
    const config = parseConfig(cdkJsonContext());
    expect(config).toEqual({
      stackPrefix: 'BillingMcp',
      executionRoleName: 'BillingMCPServerAgentCoreRole',
      crossAccountRoleName: 'BillingMCPCrossAccountRole',
      cognitoDomainPrefix: undefined,
      memberAccountIds: [],
      organizationalUnitIds: [],
      organizationId: undefined,
      stackSetRegion: undefined,
      stackSetCallAs: 'SELF',
      managementAccountId: undefined,
      sourceAccountId: undefined,
      extraAllowedClientIds: [],
      imageBuild: 'codebuild',
      deployMemberRole: false,
      costDataExport: false,
      storageLens: false,
      sharedCache: true,
      crossAccountExternalId: undefined,
      serverEnvironment: {},
    });
  });

  test('costDataExport needs the management and source accounts', () => {
    expect(() => parseConfig({ costDataExport: 'true', sourceAccountId: '444444444444' })).toThrow(
      /Invalid value for context key "costDataExport".*managementAccountId/,
    );
    expect(
      parseConfig({
        costDataExport: 'true',
        sourceAccountId: '444444444444',
        managementAccountId: '333333333333',
      }).costDataExport,
    ).toBe(true);
  });

  describe('an existing table (costDataTable, athenaWorkgroup)', () => {
    test('splits database.table and keeps the workgroup', () => {
      expect(
        parseConfig({ costDataTable: ' cur_exports.focus_1_2 ', athenaWorkgroup: 'finops' }).costDataTable,
      ).toEqual({ database: 'cur_exports', table: 'focus_1_2', workgroup: 'finops' });
      // Negative control: neither key, no existing table.
      expect(parseConfig({}).costDataTable).toBeUndefined();
    });

    test.each([['focus'], ['Cur.Focus'], ['cur.focus.extra'], ['cur.'], ['cur-db.focus']])(
      'refuses %j as costDataTable, saying what is allowed',
      (value) => {
        expect(() => parseConfig({ costDataTable: value, athenaWorkgroup: 'finops' })).toThrow(
          `Invalid value for context key "costDataTable": ${JSON.stringify(value)}. Allowed: database.table of an ` +
            'existing Athena (Glue) table',
        );
      },
    );

    test('refuses a workgroup name Athena would not accept', () => {
      expect(() => parseConfig({ costDataTable: 'cur.focus', athenaWorkgroup: 'my workgroup' })).toThrow(
        /^Invalid value for context key "athenaWorkgroup": "my workgroup"\. Allowed: the name of an existing Athena workgroup/,
      );
    });

    test('needs both keys', () => {
      expect(() => parseConfig({ costDataTable: 'cur.focus' })).toThrow(
        'Invalid value for context key "athenaWorkgroup": not set. Allowed: the existing Athena workgroup to query ' +
          'cur.focus in; it is required with costDataTable',
      );
      expect(() => parseConfig({ athenaWorkgroup: 'finops' })).toThrow(
        /^Invalid value for context key "costDataTable": not set\. Allowed: database\.table of the existing table; athenaWorkgroup \(finops\)/,
      );
    });

    test('costDataSchema says whether the table is FOCUS 1.2 or CUR 2.0, and goes with it', () => {
      const table = { costDataTable: 'cur_exports.cur2_data', athenaWorkgroup: 'finops' };
      expect(parseConfig({ ...table, costDataSchema: ' cur2 ' }).costDataTable).toEqual({
        database: 'cur_exports',
        table: 'cur2_data',
        workgroup: 'finops',
        schema: 'cur2',
      });
      expect(parseConfig({ ...table, costDataSchema: 'focus' }).costDataTable?.schema).toBe('focus');
      // Control: left out, no schema is passed and the server keeps reading FOCUS.
      expect(parseConfig(table).costDataTable).not.toHaveProperty('schema');
    });

    test('refuses a costDataSchema other than focus or cur2, or one without costDataTable', () => {
      const table = { costDataTable: 'cur_exports.cur2_data', athenaWorkgroup: 'finops' };
      expect(() => parseConfig({ ...table, costDataSchema: 'cur' })).toThrow(
        'Invalid value for context key "costDataSchema": "cur". Allowed: focus (the existing table has FOCUS 1.2 ' +
          'columns, the default) or cur2',
      );
      expect(() => parseConfig({ costDataSchema: 'cur2' })).toThrow(
        'Invalid value for context key "costDataSchema": "cur2". Allowed: set only with costDataTable',
      );
      expect(() =>
        parseConfig({
          costDataExport: 'true',
          managementAccountId: '333333333333',
          sourceAccountId: '444444444444',
          costDataSchema: 'cur2',
        }),
      ).toThrow(/context key "costDataSchema".*set only with costDataTable/);
    });

    test('is not combined with costDataExport', () => {
      const exporting = {
        costDataExport: 'true',
        managementAccountId: '333333333333',
        sourceAccountId: '444444444444',
      };
      expect(() =>
        parseConfig({ ...exporting, costDataTable: 'cur.focus', athenaWorkgroup: 'finops' }),
      ).toThrow(
        'Invalid value for context key "costDataTable": "cur.focus". Allowed: not set together with ' +
          'costDataExport=true: the export brings its own table and workgroup; use one or the other.',
      );
      expect(() => parseConfig({ ...exporting, athenaWorkgroup: 'finops' })).toThrow(
        /context key "athenaWorkgroup".*not set together with costDataExport=true/,
      );
    });
  });

  describe('storageLens', () => {
    const exporting = {
      costDataExport: 'true',
      managementAccountId: '333333333333',
      sourceAccountId: '444444444444',
      organizationId: 'o-abc1234567',
    };

    test('is off by default and on with the export and an organization', () => {
      expect(parseConfig(exporting).storageLens).toBe(false);
      expect(parseConfig({ ...exporting, storageLens: 'true' }).storageLens).toBe(true);
      expect(parseConfig({ ...exporting, storageLens: true }).storageLens).toBe(true);
    });

    test('needs costDataExport: its export goes to that bucket', () => {
      expect(() => parseConfig({ storageLens: 'true', organizationId: 'o-abc1234567' })).toThrow(
        /^Invalid value for context key "storageLens": "true"\. Allowed: true only with costDataExport=true/,
      );
      expect(() =>
        parseConfig({
          storageLens: 'true',
          organizationId: 'o-abc1234567',
          costDataTable: 'cur.focus',
          athenaWorkgroup: 'finops',
        }),
      ).toThrow(/context key "storageLens".*an existing costDataTable has neither/);
    });

    test('needs the organization it covers', () => {
      const { organizationId, ...withoutOrganization } = exporting;
      void organizationId;
      expect(() => parseConfig({ ...withoutOrganization, storageLens: 'true' })).toThrow(
        'Invalid value for context key "organizationId": not set. Allowed: an o-... id; it is required with ' +
          'storageLens=true',
      );
    });

    test('takes only true or false', () => {
      expect(() => parseConfig({ ...exporting, storageLens: 'yes' })).toThrow(
        /^Invalid value for context key "storageLens": "yes"\. Allowed: true or false/,
      );
    });
  });

  test('reads a list from a JSON array (cdk.json) and from a comma-separated -c string alike', () => {
    const fromJson = parseConfig({ memberAccountIds: ['111111111111', '222222222222'] });
    const fromFlag = parseConfig({ memberAccountIds: ' 111111111111, 222222222222,111111111111 ' });
    const fromJsonString = parseConfig({ memberAccountIds: '["111111111111","222222222222"]' });
    expect(fromFlag.memberAccountIds).toEqual(['111111111111', '222222222222']);
    expect(fromJson.memberAccountIds).toEqual(fromFlag.memberAccountIds);
    expect(fromJsonString.memberAccountIds).toEqual(fromFlag.memberAccountIds);
  });

  test('an empty -c list means no entries', () => {
    expect(parseConfig({ extraAllowedClientIds: '' }).extraAllowedClientIds).toEqual([]);
  });

  test('a bad value fails with one message naming the key and what is allowed', () => {
    expect(() => parseConfig({ ...cdkJsonContext(), memberAccountIds: '12345' })).toThrow(
      new ConfigError(
        'Invalid value for context key "memberAccountIds": "12345". Allowed: at most 100 12-digit AWS account ids, ' +
          'as a JSON array in cdk.json or comma-separated with -c (use organizationId for more).',
      ),
    );
  });

  test('a bad enum value names the choices', () => {
    expect(() => parseConfig({ imageBuild: 'podman' })).toThrow(
      'Invalid value for context key "imageBuild": "podman". Allowed: codebuild (deploy-time ARM CodeBuild, no local ' +
        'Docker) or docker (local Docker, linux/arm64).',
    );
  });

  test('rejects a Cognito domain prefix Cognito itself would reject', () => {
    expect(() => parseConfig({ cognitoDomainPrefix: 'my-aws-billing' })).toThrow(
      /^Invalid value for context key "cognitoDomainPrefix": "my-aws-billing"\./,
    );
    expect(() => parseConfig({ cognitoDomainPrefix: 'Billing' })).toThrow(/cognitoDomainPrefix/);
  });

  test('reports every bad key, one line each', () => {
    let message = '';
    try {
      parseConfig({ organizationId: 'org-1', cacheTtlSeconds: '-1' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^Invalid value for context key "organizationId": "org-1"\./),
      expect.stringMatching(/^Invalid value for context key "cacheTtlSeconds": "-1"\./),
    ]);
  });

  test('rejects a misspelt key but leaves CDK’s own context keys alone', () => {
    expect(() => parseConfig({ memberAcountIds: '111111111111' })).toThrow(
      /^Unknown context key "memberAcountIds"\. Known keys: stackPrefix, /,
    );
    expect(() =>
      parseConfig({
        '@aws-cdk/core:defaultCrossStackReferences': 'strong',
        'aws:cdk:enable-path-metadata': true,
      }),
    ).not.toThrow();
  });

  test('OUs need the organization id, for the execution role’s aws:ResourceOrgID condition', () => {
    expect(() => parseConfig({ organizationalUnitIds: 'ou-abcd-12345678' })).toThrow(
      /^Invalid value for context key "organizationId": not set\. Allowed: an o-\.\.\. id; it is required when organizationalUnitIds is set/,
    );
  });

  test('pass-throughs become server environment variables only when given, numbers from -c strings', () => {
    const config = parseConfig({
      logLevel: 'debug',
      cacheTtlSeconds: '0',
      toolDeadlineSeconds: 50,
      maxPages: '5',
    });
    expect(config.serverEnvironment).toEqual({
      LOG_LEVEL: 'debug',
      CACHE_TTL_SECONDS: '0',
      TOOL_DEADLINE_SECONDS: '50',
      MAX_PAGES: '5',
    });
  });

  test('reads booleans from -c strings', () => {
    expect(parseConfig({ deployMemberRole: 'true' }).deployMemberRole).toBe(true);
    expect(parseConfig({ deployMemberRole: false }).deployMemberRole).toBe(false);
    expect(() => parseConfig({ deployMemberRole: 'yes' })).toThrow(/deployMemberRole/);
    expect(parseConfig({ sharedCache: 'false' }).sharedCache).toBe(false);
    expect(parseConfig({ sharedCache: false }).sharedCache).toBe(false);
    expect(parseConfig({ sharedCache: 'true' }).sharedCache).toBe(true);
    expect(() => parseConfig({ sharedCache: 'off' })).toThrow(/sharedCache/);
  });

  test('the config and its lists are frozen', () => {
    const config = parseConfig({ memberAccountIds: '111111111111' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.memberAccountIds)).toBe(true);
    expect(Object.isFrozen(config.serverEnvironment)).toBe(true);
  });
});

describe('allowedTargetAccounts', () => {
  test('is undefined (own account only) with no member accounts or organization', () => {
    expect(allowedTargetAccounts(parseConfig({}))).toBeUndefined();
  });

  test('lists explicit member accounts', () => {
    expect(allowedTargetAccounts(parseConfig({ memberAccountIds: '111111111111,222222222222' }))).toBe(
      '111111111111,222222222222',
    );
  });

  test('is * with OUs, since IAM aws:ResourceOrgID bounds it and OU members are unknown at synth', () => {
    const config = parseConfig({
      organizationalUnitIds: 'ou-abcd-12345678',
      organizationId: 'o-abc1234567',
      memberAccountIds: '111111111111',
    });
    expect(allowedTargetAccounts(config)).toBe('*');
  });

  test('is * with only an organization id', () => {
    expect(allowedTargetAccounts(parseConfig({ organizationId: 'o-abc1234567' }))).toBe('*');
  });
});

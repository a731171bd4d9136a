import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { OPTIMIZATION_PRICING_TOOLS } from '../../server/src/tools';
import { assumedAccessKey, awsError, BASE_ACCESS_KEY, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { textOf, useServer } from './harness';

const MEMBER = '222222222222';
// The cache is off so that each test sees its own fake answers; the server runs in eu-west-1 so that the
// regional default is distinguishable from the us-east-1 billing endpoints.
const { fake, client } = useServer({
  ALLOWED_TARGET_ACCOUNTS: MEMBER,
  AWS_REGION: 'eu-west-1',
  CACHE_TTL_SECONDS: '0',
});

beforeEach(() => fake.reset());

/**
 * Calls a tool through the MCP client and checks that every AWS operation the fake saw for it is one the tool
 * declares (and so one the IAM policy grants). Assuming the member role is credential plumbing, not a tool call.
 */
async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const tool = OPTIMIZATION_PRICING_TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} in the optimization/pricing family`);
  const before = fake.calls.length;
  const result = (await client().callTool({ name, arguments: args })) as CallToolResult;
  const seen = fake.calls
    .slice(before)
    .map((c) => c.key)
    .filter((k) => k !== 'sts:AssumeRole');
  expect(seen.filter((k) => !(tool.operations as readonly string[]).includes(k))).toEqual([]);
  return result;
}

function data(result: CallToolResult): Record<string, any> {
  expect(result.isError).toBeFalsy();
  return result.structuredContent as Record<string, any>;
}

// ---------------------------------------------------------------------------------------------------------------
// Compute Optimizer

function ec2Recommendation(
  name: string,
  finding: string,
  current: string,
  recommended: string,
  savings?: number,
  risk?: number,
) {
  return {
    instanceArn: `arn:aws:ec2:eu-west-1:${OWN_ACCOUNT}:instance/i-${name}`,
    accountId: OWN_ACCOUNT,
    instanceName: name,
    currentInstanceType: current,
    finding,
    findingReasonCodes: finding === 'Overprovisioned' ? ['CPUOverprovisioned'] : [],
    currentPerformanceRisk: 'Low',
    recommendationOptions: [
      { instanceType: 'x9.unranked', rank: 2, performanceRisk: 3 },
      {
        instanceType: recommended,
        rank: 1,
        ...(risk !== undefined ? { performanceRisk: risk } : {}),
        ...(savings !== undefined
          ? {
              savingsOpportunity: {
                savingsOpportunityPercentage: 50,
                estimatedMonthlySavings: { currency: 'USD', value: savings },
              },
            }
          : {}),
      },
    ],
  };
}

describe('get-compute-optimizer-recommendations', () => {
  test('ranks EC2 recommendations by savings across pages, exact totals, in the server region by default', async () => {
    fake.on('compute-optimizer:GetEC2InstanceRecommendations', (body) =>
      body.nextToken === 'page-2'
        ? {
            instanceRecommendations: [
              ec2Recommendation('db-1', 'Underprovisioned', 'r5.large', 'r5.xlarge', undefined, 0),
              ec2Recommendation('app-1', 'Optimized', 'm5.large', 'm5.large', 0, 1),
            ],
          }
        : {
            instanceRecommendations: [
              ec2Recommendation('web-2', 'Overprovisioned', 't3.small', 't3.micro', 0.1, 1),
              ec2Recommendation('web-1', 'Overprovisioned', 'm5.2xlarge', 'm5.xlarge', 140.16, 1),
              ec2Recommendation('web-3', 'Overprovisioned', 't3.medium', 't3.small', 0.2, 2),
            ],
            nextToken: 'page-2',
          },
    );
    const result = await call('get-compute-optimizer-recommendations', { max_results: 2 });
    const d = data(result);
    const calls = fake.callsTo('compute-optimizer:GetEC2InstanceRecommendations');
    expect(calls.map((c) => [c.region, c.body.nextToken])).toEqual([
      ['eu-west-1', undefined],
      ['eu-west-1', 'page-2'],
    ]);
    expect(calls[0].headers['x-amz-target']).toBe('ComputeOptimizerService.GetEC2InstanceRecommendations');
    expect(d.region).toBe('eu-west-1');
    expect(d.finding_filter).toBe('NOT_OPTIMIZED');
    // Optimized is left out by default; 140.16 + 0.2 + 0.1 (floats: 140.45999999999998).
    expect(d.matched).toBe(4);
    expect(d.total_estimated_monthly_savings).toBe('140.46');
    expect(d.recommendations).toEqual([
      {
        resource: 'web-1',
        resource_arn: `arn:aws:ec2:eu-west-1:${OWN_ACCOUNT}:instance/i-web-1`,
        account_id: OWN_ACCOUNT,
        finding: 'Overprovisioned',
        reasons: ['CPUOverprovisioned'],
        current: 'm5.2xlarge',
        recommended: 'm5.xlarge',
        estimated_monthly_savings: '140.16',
        currency: 'USD',
        savings_percentage: '50',
        performance_risk: 1,
        current_performance_risk: 'Low',
      },
      expect.objectContaining({
        resource: 'web-3',
        recommended: 't3.small',
        estimated_monthly_savings: '0.2',
      }),
    ]);
    expect(d.others).toEqual({ count: 2, estimated_monthly_savings: '0.1' });
    expect(textOf(result)).toContain('| web-1 | Overprovisioned | m5.2xlarge → m5.xlarge | 140.16 | 1 |');
  });

  test('reads the requested region and filters by finding', async () => {
    fake.on('compute-optimizer:GetEC2InstanceRecommendations', () => ({
      instanceRecommendations: [
        ec2Recommendation('web-1', 'Overprovisioned', 'm5.2xlarge', 'm5.xlarge', 140.16, 1),
        ec2Recommendation('db-1', 'Underprovisioned', 'r5.large', 'r5.xlarge', undefined, 0),
      ],
    }));
    const d = data(
      await call('get-compute-optimizer-recommendations', {
        region: 'ap-southeast-2',
        finding: 'UNDER_PROVISIONED',
      }),
    );
    expect(fake.callsTo('compute-optimizer:GetEC2InstanceRecommendations')[0].region).toBe('ap-southeast-2');
    expect(d.region).toBe('ap-southeast-2');
    expect(d.recommendations.map((r: any) => [r.resource, r.current, r.recommended])).toEqual([
      ['db-1', 'r5.large', 'r5.xlarge'],
    ]);
    expect(d.total_estimated_monthly_savings).toBe('0');
  });

  test('rejects a region that is not an AWS region name without calling AWS', async () => {
    const result = await call('get-compute-optimizer-recommendations', { region: 'Europe (Ireland)' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/region must be an AWS region name such as us-east-1/);
    expect(fake.callsTo('compute-optimizer:GetEC2InstanceRecommendations')).toHaveLength(0);
  });

  test.each([
    [
      'AUTO_SCALING_GROUP',
      'compute-optimizer:GetAutoScalingGroupRecommendations',
      {
        autoScalingGroupRecommendations: [
          {
            autoScalingGroupArn:
              'arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:uuid:autoScalingGroupName/web',
            autoScalingGroupName: 'web',
            finding: 'NotOptimized',
            currentConfiguration: { instanceType: 'c5.2xlarge', desiredCapacity: 4, minSize: 2, maxSize: 8 },
            recommendationOptions: [
              {
                rank: 1,
                performanceRisk: 2,
                configuration: { instanceType: 'c6g.xlarge', desiredCapacity: 4, minSize: 2, maxSize: 8 },
                savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 310.25 } },
              },
            ],
          },
        ],
      },
      ['web', 'c5.2xlarge, desired 4, min 2 max 8', 'c6g.xlarge, desired 4, min 2 max 8', '310.25'],
    ],
    [
      'EBS_VOLUME',
      'compute-optimizer:GetEBSVolumeRecommendations',
      {
        volumeRecommendations: [
          {
            volumeArn: 'arn:aws:ec2:eu-west-1:111111111111:volume/vol-0abc',
            finding: 'NotOptimized',
            currentConfiguration: { volumeType: 'gp2', volumeSize: 500, volumeBaselineIOPS: 1500 },
            volumeRecommendationOptions: [
              {
                rank: 1,
                performanceRisk: 0,
                configuration: { volumeType: 'gp3', volumeSize: 500, volumeBaselineIOPS: 3000 },
                savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 10 } },
              },
            ],
          },
        ],
      },
      ['vol-0abc', 'gp2, 500 GiB, 1500 IOPS', 'gp3, 500 GiB, 3000 IOPS', '10'],
    ],
    [
      'LAMBDA_FUNCTION',
      'compute-optimizer:GetLambdaFunctionRecommendations',
      {
        lambdaFunctionRecommendations: [
          {
            functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:resize:$LATEST',
            finding: 'NotOptimized',
            findingReasonCodes: ['MemoryOverprovisioned'],
            currentMemorySize: 1024,
            memorySizeRecommendationOptions: [
              {
                rank: 1,
                memorySize: 512,
                savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 1.23 } },
              },
            ],
          },
          {
            functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:rare:$LATEST',
            finding: 'Unavailable',
          },
        ],
      },
      ['resize', '1024 MB memory', '512 MB memory', '1.23'],
    ],
    [
      'ECS_SERVICE',
      'compute-optimizer:GetECSServiceRecommendations',
      {
        ecsServiceRecommendations: [
          {
            serviceArn: 'arn:aws:ecs:eu-west-1:111111111111:service/prod/api',
            finding: 'Overprovisioned',
            launchType: 'Fargate',
            currentServiceConfiguration: { cpu: 1024, memory: 4096 },
            serviceRecommendationOptions: [
              {
                cpu: 512,
                memory: 2048,
                savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 29.5 } },
              },
            ],
          },
        ],
      },
      ['api', '1024 CPU units, 4096 MB', '512 CPU units, 2048 MB', '29.5'],
    ],
    [
      'IDLE',
      'compute-optimizer:GetIdleRecommendations',
      {
        idleRecommendations: [
          {
            resourceArn: 'arn:aws:ec2:eu-west-1:111111111111:instance/i-idle',
            resourceId: 'i-idle',
            resourceType: 'EC2Instance',
            finding: 'Idle',
            savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 70.08 } },
          },
        ],
      },
      ['i-idle', 'EC2Instance (idle)', 'stop or delete', '70.08'],
    ],
  ])('flattens %s recommendations to current → recommended', async (type, op, answer, expected) => {
    fake.on(op, () => answer);
    const d = data(await call('get-compute-optimizer-recommendations', { resource_type: type }));
    expect(d.resource_type).toBe(type);
    expect(d.matched).toBe(1);
    const r = d.recommendations[0];
    expect([r.resource, r.current, r.recommended, r.estimated_monthly_savings]).toEqual(expected);
    expect(d.total_estimated_monthly_savings).toBe(expected[3]);
    if (type === 'IDLE') {
      expect(fake.callsTo(op)[0].body.orderBy).toEqual({ dimension: 'SavingsValue', order: 'Desc' });
    }
  });

  test('gives an RDS database one row for its instance and one for its storage', async () => {
    fake.on('compute-optimizer:GetRDSDatabaseRecommendations', () => ({
      rdsDBRecommendations: [
        {
          resourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:orders',
          engine: 'postgres',
          currentDBInstanceClass: 'db.r6g.2xlarge',
          currentStorageConfiguration: { storageType: 'io1', allocatedStorage: 400, iops: 8000 },
          instanceFinding: 'Overprovisioned',
          storageFinding: 'Overprovisioned',
          instanceRecommendationOptions: [
            {
              rank: 1,
              dbInstanceClass: 'db.r6g.xlarge',
              performanceRisk: 1,
              savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 420.48 } },
            },
          ],
          storageRecommendationOptions: [
            {
              rank: 1,
              storageConfiguration: { storageType: 'gp3', allocatedStorage: 400, iops: 12000 },
              savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 0.52 } },
            },
          ],
        },
      ],
    }));
    const d = data(await call('get-compute-optimizer-recommendations', { resource_type: 'RDS_DATABASE' }));
    expect(
      d.recommendations.map((r: any) => [r.aspect, r.current, r.recommended, r.estimated_monthly_savings]),
    ).toEqual([
      ['instance', 'db.r6g.2xlarge', 'db.r6g.xlarge', '420.48'],
      ['storage', 'io1, 400 GiB, 8000 IOPS', 'gp3, 400 GiB, 12000 IOPS', '0.52'],
    ]);
    expect(d.total_estimated_monthly_savings).toBe('421');
  });

  test('tells an unenrolled account to enroll first', async () => {
    fake.on('compute-optimizer:GetEC2InstanceRecommendations', () =>
      awsError('OptInRequiredException', 'The account is not opted in to AWS Compute Optimizer.'),
    );
    const result = await call('get-compute-optimizer-recommendations', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^Account 111111111111 is not enrolled in AWS Compute Optimizer\. Enroll it first .*update-enrollment-status --status Active/,
    );
  });

  test('reads a member account with its assumed role, in the requested region', async () => {
    fake.on('compute-optimizer:GetEBSVolumeRecommendations', () => ({ volumeRecommendations: [] }));
    const result = await call('get-compute-optimizer-recommendations', {
      resource_type: 'EBS_VOLUME',
      region: 'us-west-2',
      target_account_id: MEMBER,
    });
    expect(data(result).account_id).toBe(MEMBER);
    const [c] = fake.callsTo('compute-optimizer:GetEBSVolumeRecommendations');
    expect([c.accessKeyId, c.region]).toEqual([assumedAccessKey(MEMBER), 'us-west-2']);
    expect(textOf(result)).toMatch(
      /^No not-optimized ebs volume recommendations in us-west-2 for account 222222222222/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Cost Optimization Hub

function cohRecommendation(id: string, action: string, savings: number, extra: Record<string, unknown> = {}) {
  return {
    recommendationId: id,
    accountId: OWN_ACCOUNT,
    region: 'us-east-1',
    resourceId: `i-${id}`,
    resourceArn: `arn:aws:ec2:us-east-1:${OWN_ACCOUNT}:instance/i-${id}`,
    currentResourceType: 'Ec2Instance',
    recommendedResourceType: 'Ec2Instance',
    estimatedMonthlySavings: savings,
    estimatedSavingsPercentage: 33.3,
    estimatedMonthlyCost: 300.03,
    currencyCode: 'USD',
    implementationEffort: 'VeryLow',
    restartNeeded: true,
    rollbackPossible: true,
    actionType: action,
    currentResourceSummary: 'm5.xlarge',
    recommendedResourceSummary: 'm7g.large',
    source: 'ComputeOptimizer',
    ...extra,
  };
}

describe('list-cost-optimization-recommendations and get-recommendation-details', () => {
  test('lists recommendations by savings with the filters sent to AWS and exact totals', async () => {
    fake.on('cost-optimization-hub:ListRecommendations', () => ({
      items: [
        cohRecommendation('a', 'Rightsize', 0.1),
        cohRecommendation('b', 'MigrateToGraviton', 99.9),
        cohRecommendation('c', 'Rightsize', 0.2),
      ],
    }));
    const result = await call('list-cost-optimization-recommendations', {
      action_types: ['Rightsize', 'MigrateToGraviton'],
      regions: ['us-east-1'],
      implementation_efforts: ['VeryLow', 'Low'],
      restart_needed: false,
      max_results: 2,
    });
    const d = data(result);
    const [c] = fake.callsTo('cost-optimization-hub:ListRecommendations');
    expect(c.region).toBe('us-east-1');
    expect(c.headers['x-amz-target']).toBe('CostOptimizationHubService.ListRecommendations');
    expect(c.body).toEqual({
      filter: {
        actionTypes: ['Rightsize', 'MigrateToGraviton'],
        regions: ['us-east-1'],
        implementationEfforts: ['VeryLow', 'Low'],
        restartNeeded: false,
      },
      orderBy: { dimension: 'EstimatedMonthlySavings', order: 'Desc' },
      maxResults: 1000,
    });
    expect(d.matched).toBe(3);
    expect(d.total_estimated_monthly_savings).toBe('100.2');
    expect(d.recommendations.map((r: any) => [r.recommendation_id, r.estimated_monthly_savings])).toEqual([
      ['b', '99.9'],
      ['c', '0.2'],
    ]);
    expect(d.recommendations[0]).toMatchObject({
      action_type: 'MigrateToGraviton',
      current: 'm5.xlarge',
      recommended: 'm7g.large',
      estimated_monthly_cost: '300.03',
      savings_percentage: '33.3',
      implementation_effort: 'VeryLow',
      restart_needed: true,
    });
    expect(d.others).toEqual({ count: 1, estimated_monthly_savings: '0.1' });
  });

  test('answers savings per group with group_by, with the deduplicated total', async () => {
    fake.on('cost-optimization-hub:ListRecommendationSummaries', () => ({
      groupBy: 'ActionType',
      currencyCode: 'USD',
      estimatedTotalDedupedSavings: 1200.3,
      items: [
        { group: 'Rightsize', estimatedMonthlySavings: 1000.1, recommendationCount: 12 },
        { group: 'Stop', estimatedMonthlySavings: 0.2, recommendationCount: 1 },
        { group: 'PurchaseSavingsPlans', estimatedMonthlySavings: 400.1, recommendationCount: 2 },
      ],
    }));
    const result = await call('list-cost-optimization-recommendations', {
      group_by: 'ActionType',
      resource_types: ['Ec2Instance'],
    });
    const d = data(result);
    expect(fake.callsTo('cost-optimization-hub:ListRecommendationSummaries')[0].body).toEqual({
      groupBy: 'ActionType',
      filter: { resourceTypes: ['Ec2Instance'] },
      maxResults: 1000,
    });
    expect(d.total_estimated_monthly_savings).toBe('1400.4');
    expect(d.deduplicated_monthly_savings).toBe('1200.3');
    expect(d.groups).toEqual([
      { group: 'Rightsize', estimated_monthly_savings: '1000.1', recommendation_count: 12 },
      { group: 'PurchaseSavingsPlans', estimated_monthly_savings: '400.1', recommendation_count: 2 },
      { group: 'Stop', estimated_monthly_savings: '0.2', recommendation_count: 1 },
    ]);
    expect(fake.callsTo('cost-optimization-hub:ListRecommendations')).toHaveLength(0);
  });

  test('tells an account that is not enrolled in Cost Optimization Hub to enroll', async () => {
    fake.on('cost-optimization-hub:ListRecommendations', () =>
      awsError(
        'AccessDeniedException',
        'The account 111111111111 is not enrolled in Cost Optimization Hub.',
        403,
      ),
    );
    const result = await call('list-cost-optimization-recommendations', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^Account 111111111111 is not enrolled in Cost Optimization Hub\. Enroll it first/,
    );
  });

  test('names the missing permission when IAM denies it', async () => {
    fake.on('cost-optimization-hub:ListRecommendationSummaries', () =>
      awsError(
        'AccessDeniedException',
        'User: arn:aws:sts::111111111111:assumed-role/exec/s is not authorized to perform: ' +
          'cost-optimization-hub:ListRecommendationSummaries',
        403,
      ),
    );
    const result = await call('list-cost-optimization-recommendations', { group_by: 'Region' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^Access denied for cost-optimization-hub:ListRecommendationSummaries in account 111111111111\./,
    );
  });

  test('shows one recommendation with current and recommended configuration, in a member account', async () => {
    fake.on('cost-optimization-hub:GetRecommendation', () => ({
      ...cohRecommendation('a', 'Rightsize', 120.45),
      costCalculationLookbackPeriodInDays: 14,
      recommendationLookbackPeriodInDays: 14,
      lastRefreshTimestamp: 1795003200,
      currentResourceDetails: {
        ec2Instance: {
          configuration: { instance: { type: 'm5.xlarge' } },
          costCalculation: { pricing: { estimatedCostBeforeDiscounts: 140.16 } },
        },
      },
      recommendedResourceDetails: { ec2Instance: { configuration: { instance: { type: 'm7g.large' } } } },
    }));
    const result = await call('get-recommendation-details', {
      recommendation_id: 'a',
      target_account_id: MEMBER,
    });
    const d = data(result);
    const [c] = fake.callsTo('cost-optimization-hub:GetRecommendation');
    expect(c.body).toEqual({ recommendationId: 'a' });
    expect(c.accessKeyId).toBe(assumedAccessKey(MEMBER));
    expect(d).toMatchObject({
      account_id: MEMBER,
      recommendation_id: 'a',
      estimated_monthly_savings: '120.45',
      estimated_monthly_cost: '300.03',
      currency: 'USD',
      lookback_days: 14,
      last_refreshed: '2026-11-18T12:00:00.000Z',
      current_configuration: [{ name: 'instance.type', value: 'm5.xlarge' }],
      recommended_configuration: [{ name: 'instance.type', value: 'm7g.large' }],
    });
    expect(textOf(result)).toContain('| instance.type | m5.xlarge | m7g.large |');
  });

  test('points an expired recommendation id back to the list', async () => {
    fake.on('cost-optimization-hub:GetRecommendation', () =>
      awsError('ResourceNotFoundException', 'Recommendation not found', 404),
    );
    const result = await call('get-recommendation-details', { recommendation_id: 'gone' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /No Cost Optimization Hub recommendation "gone".*list-cost-optimization-recommendations/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Pricing

function ec2Product(sku: string, instanceType: string, onDemand: string, reserved?: string) {
  return JSON.stringify({
    product: {
      productFamily: 'Compute Instance',
      sku,
      attributes: { instanceType, operatingSystem: 'Linux', regionCode: 'eu-west-1', vcpu: '2' },
    },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          offerTermCode: 'JRTCKXETXF',
          sku,
          termAttributes: {},
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              unit: 'Hrs',
              beginRange: '0',
              endRange: 'Inf',
              description: `$${onDemand} per On Demand Linux ${instanceType} Instance Hour`,
              pricePerUnit: { USD: `${onDemand}000000` },
            },
          },
        },
      },
      ...(reserved
        ? {
            Reserved: {
              [`${sku}.4NA7Y494T4`]: {
                offerTermCode: '4NA7Y494T4',
                sku,
                termAttributes: {
                  LeaseContractLength: '1yr',
                  OfferingClass: 'standard',
                  PurchaseOption: 'No Upfront',
                },
                priceDimensions: {
                  [`${sku}.4NA7Y494T4.6YS6EN2CT7`]: {
                    unit: 'Hrs',
                    description: `Linux/UNIX (Amazon VPC), ${instanceType} reserved instance applied`,
                    pricePerUnit: { USD: reserved },
                  },
                },
              },
            },
          }
        : {}),
    },
    version: '20261120000000',
  });
}

describe('get-service-pricing and list-pricing-attributes', () => {
  test('parses price lists into exact price dimensions, region mapped to regionCode', async () => {
    fake.on('pricing:GetProducts', () => ({
      FormatVersion: 'aws_v1',
      PriceList: [ec2Product('SKU1', 'm7g.large', '0.0816', '0.0514000000')],
    }));
    const result = await call('get-service-pricing', {
      service_code: 'AmazonEC2',
      filters: [
        { field: 'instanceType', value: 'm7g.large' },
        { field: 'operatingSystem', value: 'Linux' },
      ],
      region: 'eu-west-1',
    });
    const d = data(result);
    const [c] = fake.callsTo('pricing:GetProducts');
    expect(c.region).toBe('us-east-1');
    expect(c.accessKeyId).toBe(BASE_ACCESS_KEY);
    expect(c.headers['x-amz-target']).toBe('AWSPriceListService.GetProducts');
    expect(c.body).toEqual({
      ServiceCode: 'AmazonEC2',
      FormatVersion: 'aws_v1',
      Filters: [
        { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'm7g.large' },
        { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
      ],
      MaxResults: 10,
    });
    expect(d.products).toEqual([
      {
        sku: 'SKU1',
        product_family: 'Compute Instance',
        attributes: {
          instanceType: 'm7g.large',
          operatingSystem: 'Linux',
          regionCode: 'eu-west-1',
          vcpu: '2',
        },
      },
    ]);
    // OnDemand only by default.
    expect(d.price_dimensions).toEqual([
      {
        sku: 'SKU1',
        term: 'OnDemand',
        unit: 'Hrs',
        price: '0.0816',
        currency: 'USD',
        description: '$0.0816 per On Demand Linux m7g.large Instance Hour',
        begin_range: '0',
        end_range: 'Inf',
      },
    ]);
    expect(textOf(result)).toContain('| SKU1 | OnDemand | 0.0816 USD | Hrs |');
  });

  test('lists reserved terms with their lease and purchase option on request', async () => {
    fake.on('pricing:GetProducts', () => ({
      PriceList: [ec2Product('SKU1', 'm7g.large', '0.0816', '0.0514000000')],
      NextToken: 'more',
    }));
    const d = data(
      await call('get-service-pricing', { service_code: 'AmazonEC2', term_type: 'Reserved', max_results: 1 }),
    );
    expect(d.price_dimensions).toEqual([
      expect.objectContaining({
        term: 'Reserved',
        price: '0.0514',
        lease_contract_length: '1yr',
        purchase_option: 'No Upfront',
        offering_class: 'standard',
      }),
    ]);
    expect(d.more_products).toBe(true);
    expect(fake.callsTo('pricing:GetProducts')).toHaveLength(1);
  });

  test('points an unknown service code to list-pricing-attributes', async () => {
    fake.on('pricing:GetProducts', () =>
      awsError('NotFoundException', 'The requested resource was not found', 404),
    );
    const result = await call('get-service-pricing', { service_code: 'EC2' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^Unknown Pricing service code "EC2"\..*list-pricing-attributes without arguments/,
    );
  });

  test('points a rejected filter to the attribute names and values', async () => {
    fake.on('pricing:GetProducts', () =>
      awsError('InvalidParameterException', 'Input validation error: unknown field instancetype'),
    );
    const result = await call('get-service-pricing', {
      service_code: 'AmazonEC2',
      filters: [{ field: 'instancetype', value: 'm7g.large' }],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'AWS rejected the request (pricing:GetProducts): Input validation error: unknown field instancetype ' +
        'Check attribute names and values with list-pricing-attributes (service_code AmazonEC2).',
    );
  });

  test('asks for a service code with an attribute name, without calling AWS', async () => {
    const result = await call('list-pricing-attributes', { attribute_name: 'instanceType' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^attribute_name needs service_code/);
    expect(fake.calls.filter((c) => c.service === 'pricing')).toHaveLength(0);
  });

  test('takes no target_account_id: prices are public', async () => {
    const { tools } = await client().listTools();
    for (const name of ['get-service-pricing', 'list-pricing-attributes']) {
      const tool = tools.find((t) => t.name === name)!;
      expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('target_account_id');
      expect(tool.description).toMatch(/no target_account_id/);
    }
  });

  test('lists service codes across pages, searchable', async () => {
    fake.on('pricing:DescribeServices', (body) =>
      body.NextToken
        ? { Services: [{ ServiceCode: 'AmazonS3' }, { ServiceCode: 'AmazonEC2' }] }
        : { Services: [{ ServiceCode: 'AWSLambda' }, { ServiceCode: 'AmazonECS' }], NextToken: 'p2' },
    );
    const d = data(await call('list-pricing-attributes', { search: 'ec' }));
    expect(fake.callsTo('pricing:DescribeServices').map((c) => c.body)).toEqual([
      { FormatVersion: 'aws_v1', MaxResults: 100 },
      { FormatVersion: 'aws_v1', MaxResults: 100, NextToken: 'p2' },
    ]);
    expect(d).toMatchObject({ kind: 'service_codes', matched: 2, values: ['AmazonEC2', 'AmazonECS'] });
  });

  test('lists the attribute names of a service and the values of an attribute', async () => {
    fake.on('pricing:DescribeServices', (body) => ({
      Services: [
        { ServiceCode: body.ServiceCode, AttributeNames: ['instanceType', 'operatingSystem', 'vcpu'] },
      ],
    }));
    fake.on('pricing:GetAttributeValues', () => ({
      AttributeValues: [{ Value: 'm7g.large' }, { Value: 'm5.large' }, { Value: 'm7g.xlarge' }],
    }));
    const names = data(await call('list-pricing-attributes', { service_code: 'AmazonEC2' }));
    expect(names).toMatchObject({
      kind: 'attribute_names',
      values: ['instanceType', 'operatingSystem', 'vcpu'],
    });
    const values = data(
      await call('list-pricing-attributes', {
        service_code: 'AmazonEC2',
        attribute_name: 'instanceType',
        search: 'M7G',
        max_results: 1,
      }),
    );
    expect(fake.callsTo('pricing:GetAttributeValues')[0].body).toEqual({
      ServiceCode: 'AmazonEC2',
      AttributeName: 'instanceType',
      MaxResults: 100,
    });
    expect(values).toMatchObject({ kind: 'attribute_values', matched: 2, values: ['m7g.large'] });
  });

  test('says a service code is unknown when DescribeServices does not know it', async () => {
    fake.on('pricing:DescribeServices', () => ({ Services: [] }));
    const result = await call('list-pricing-attributes', { service_code: 'Ec2' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Unknown Pricing service code "Ec2"/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Free Tier

describe('get-free-tier-usage', () => {
  const usages = [
    {
      service: 'AWS Lambda',
      description: '1,000,000 free requests per month for AWS Lambda',
      usageType: 'Global-Request',
      region: 'global',
      actualUsageAmount: 250000,
      forecastedUsageAmount: 600000,
      limit: 1000000,
      unit: 'Requests',
      freeTierType: 'Always Free',
    },
    {
      service: 'Amazon Elastic Compute Cloud',
      description: '750 hours of t2.micro or t3.micro',
      usageType: 'EU-BoxUsage:freetier.micro',
      region: 'eu-west-1',
      actualUsageAmount: 760,
      forecastedUsageAmount: 790,
      limit: 750,
      unit: 'Hrs',
      freeTierType: '12 Months Free',
    },
    {
      service: 'Amazon Simple Storage Service',
      description: '5 GB of Amazon S3 standard storage',
      usageType: 'EU-TimedStorage-ByteHrs',
      region: 'eu-west-1',
      actualUsageAmount: 3.5,
      forecastedUsageAmount: 5.25,
      limit: 5,
      unit: 'GB-Mo',
      freeTierType: '12 Months Free',
    },
  ];

  test('compares actual and forecast with the limit, most at risk first, through the signed JSON helper', async () => {
    fake.on('freetier:GetFreeTierUsage', () => ({ freeTierUsages: usages }));
    const result = await call('get-free-tier-usage', {});
    const d = data(result);
    const [c] = fake.callsTo('freetier:GetFreeTierUsage');
    expect(c.headers['x-amz-target']).toBe('AWSFreeTierService.GetFreeTierUsage');
    expect(c.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect([c.region, c.accessKeyId]).toEqual(['us-east-1', BASE_ACCESS_KEY]);
    expect(c.body).toEqual({ maxResults: 1000 });
    expect(d.counts).toEqual({ exceeded: 1, forecast_to_exceed: 1, ok: 1 });
    expect(
      d.usages.map((u: any) => [
        u.service,
        u.actual,
        u.forecast,
        u.limit,
        u.percent_used,
        u.forecast_percent,
        u.status,
      ]),
    ).toEqual([
      ['Amazon Elastic Compute Cloud', '760', '790', '750', '101.3', '105.3', 'exceeded'],
      ['Amazon Simple Storage Service', '3.5', '5.25', '5', '70.0', '105.0', 'forecast to exceed'],
      ['AWS Lambda', '250000', '600000', '1000000', '25.0', '60.0', 'ok'],
    ]);
    expect(textOf(result)).toMatch(/1 exceeded, 1 forecast to exceed, 1 ok/);
  });

  test('filters by service name and to the offers at risk', async () => {
    fake.on('freetier:GetFreeTierUsage', () => ({ freeTierUsages: usages }));
    const lambda = data(await call('get-free-tier-usage', { service: 'lambda' }));
    expect(lambda.usages.map((u: any) => u.service)).toEqual(['AWS Lambda']);
    const atRisk = data(await call('get-free-tier-usage', { only_at_risk: true }));
    expect(atRisk.usages.map((u: any) => u.status)).toEqual(['exceeded', 'forecast to exceed']);
  });

  test('signs a member-account call with the assumed role and its session token', async () => {
    fake.on('freetier:GetFreeTierUsage', () => ({ freeTierUsages: [] }));
    const result = await call('get-free-tier-usage', { target_account_id: MEMBER });
    expect(data(result).account_id).toBe(MEMBER);
    const [c] = fake.callsTo('freetier:GetFreeTierUsage');
    expect(c.accessKeyId).toBe(assumedAccessKey(MEMBER));
    expect(c.headers['x-amz-security-token']).toBe(`token-${MEMBER}`);
    expect(textOf(result)).toMatch(/^No Free Tier usage in account 222222222222/);
  });

  test('names the denied action', async () => {
    fake.on('freetier:GetFreeTierUsage', () =>
      awsError(
        'AccessDeniedException',
        'User: arn:aws:sts::111111111111:assumed-role/exec/s is not authorized to perform: freetier:GetFreeTierUsage',
        403,
      ),
    );
    const result = await call('get-free-tier-usage', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Access denied for freetier:GetFreeTierUsage in account 111111111111\./);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Pricing Calculator

describe('list-workload-estimates', () => {
  test('lists workload estimates newest first with exact costs', async () => {
    fake.on('bcm-pricing-calculator:ListWorkloadEstimates', () => ({
      items: [
        {
          id: 'we-old',
          name: 'Staging',
          createdAt: 1793577600,
          status: 'VALID',
          totalCost: 12.3456789,
          costCurrency: 'USD',
          rateType: 'BEFORE_DISCOUNTS',
        },
        {
          id: 'we-new',
          name: 'Prod migration',
          createdAt: 1795000000,
          expiresAt: 1826536000,
          status: 'VALID',
          totalCost: 10234.5,
          costCurrency: 'USD',
          rateType: 'AFTER_DISCOUNTS',
        },
      ],
    }));
    const result = await call('list-workload-estimates', {});
    const d = data(result);
    const [c] = fake.callsTo('bcm-pricing-calculator:ListWorkloadEstimates');
    expect(c.headers['x-amz-target']).toBe('AWSBCMPricingCalculator.ListWorkloadEstimates');
    expect(c.region).toBe('us-east-1');
    expect(d.estimates).toEqual([
      {
        id: 'we-new',
        name: 'Prod migration',
        status: 'VALID',
        total_cost: '10234.5',
        currency: 'USD',
        rate_type: 'AFTER_DISCOUNTS',
        created_at: '2026-11-18T11:06:40.000Z',
        expires_at: '2027-11-18T11:06:40.000Z',
      },
      expect.objectContaining({
        id: 'we-old',
        total_cost: '12.3456789',
        created_at: '2026-11-02T00:00:00.000Z',
      }),
    ]);
    const searched = data(await call('list-workload-estimates', { search: 'prod' }));
    expect(searched.estimates.map((e: any) => e.id)).toEqual(['we-new']);
  });

  test('shows one estimate with its usage lines ranked by cost and summed exactly', async () => {
    fake.on('bcm-pricing-calculator:GetWorkloadEstimate', () => ({
      id: 'we-new',
      name: 'Prod migration',
      status: 'VALID',
      totalCost: 100.6,
      costCurrency: 'USD',
      rateType: 'AFTER_DISCOUNTS',
    }));
    fake.on('bcm-pricing-calculator:ListWorkloadEstimateUsage', (body) =>
      body.nextToken
        ? {
            items: [
              {
                serviceCode: 'AmazonS3',
                usageType: 'TimedStorage-ByteHrs',
                operation: '',
                cost: 0.2,
                currency: 'USD',
                quantity: { amount: 10, unit: 'GB-Mo' },
              },
            ],
          }
        : {
            items: [
              {
                serviceCode: 'AmazonEC2',
                usageType: 'BoxUsage:m7g.large',
                operation: 'RunInstances',
                location: 'EU (Ireland)',
                cost: 100.3,
                currency: 'USD',
                quantity: { amount: 1460, unit: 'Hrs' },
                status: 'VALID',
              },
              {
                serviceCode: 'AWSLambda',
                usageType: 'Request',
                operation: 'Invoke',
                cost: 0.1,
                currency: 'USD',
                quantity: { amount: 500000, unit: 'Requests' },
              },
            ],
            nextToken: 'u2',
          },
    );
    const result = await call('list-workload-estimates', { estimate_id: 'we-new', max_results: 2 });
    const d = data(result);
    expect(fake.callsTo('bcm-pricing-calculator:GetWorkloadEstimate')[0].body).toEqual({
      identifier: 'we-new',
    });
    expect(fake.callsTo('bcm-pricing-calculator:ListWorkloadEstimateUsage').map((c) => c.body)).toEqual([
      { workloadEstimateId: 'we-new' },
      { workloadEstimateId: 'we-new', nextToken: 'u2' },
    ]);
    expect(d.usage_total).toBe('100.6');
    expect(d.usage_lines.map((u: any) => [u.service_code, u.cost, u.quantity, u.unit])).toEqual([
      ['AmazonEC2', '100.3', '1460', 'Hrs'],
      ['AmazonS3', '0.2', '10', 'GB-Mo'],
    ]);
    expect(d.estimate).toMatchObject({ id: 'we-new', total_cost: '100.6' });
    expect(d.notes).toEqual([]);
    expect(textOf(result)).toContain('…and 1 more lines costing 0.1 USD.');
  });

  test('points an unknown estimate id back to the list, for a member account', async () => {
    fake.on('bcm-pricing-calculator:GetWorkloadEstimate', () =>
      awsError('ResourceNotFoundException', 'Workload estimate not found', 404),
    );
    const result = await call('list-workload-estimates', { estimate_id: 'nope', target_account_id: MEMBER });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^No workload estimate "nope" in account 222222222222/);
    expect(fake.callsTo('bcm-pricing-calculator:GetWorkloadEstimate')[0].accessKeyId).toBe(
      assumedAccessKey(MEMBER),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Billing Conductor

const GROUP_A = `arn:aws:billingconductor::${OWN_ACCOUNT}:billinggroup/aaaaaaaaaa`;
const GROUP_B = `arn:aws:billingconductor::${OWN_ACCOUNT}:billinggroup/bbbbbbbbbb`;
const PLAN = `arn:aws:billingconductor::${OWN_ACCOUNT}:pricingplan/pppppppppp`;

function billingGroups() {
  return {
    BillingGroups: [
      {
        Name: 'Team B',
        Arn: GROUP_B,
        PrimaryAccountId: '444444444444',
        Size: 1,
        Status: 'ACTIVE',
        ComputationPreference: { PricingPlanArn: PLAN },
        CreationTime: 1767225600,
      },
      {
        Name: 'Team A',
        Arn: GROUP_A,
        PrimaryAccountId: '333333333333',
        Size: 2,
        Status: 'ACTIVE',
        ComputationPreference: { PricingPlanArn: PLAN },
        AccountGrouping: { AutoAssociate: false },
      },
    ],
  };
}

describe('Billing Conductor tools', () => {
  test('lists billing groups with their accounts over REST-JSON', async () => {
    fake.on('billingconductor:ListBillingGroups', () => billingGroups());
    fake.on('billingconductor:ListAccountAssociations', () => ({
      LinkedAccounts: [
        { AccountId: '555555555555', BillingGroupArn: GROUP_A, AccountName: 'a-dev' },
        {
          AccountId: '333333333333',
          BillingGroupArn: GROUP_A,
          AccountName: 'a-prod',
          AccountEmail: 'a@example.com',
        },
        { AccountId: '444444444444', BillingGroupArn: GROUP_B },
      ],
    }));
    const result = await call('list-billing-groups', {});
    const d = data(result);
    const [groupsCall] = fake.callsTo('billingconductor:ListBillingGroups');
    expect(groupsCall.body).toEqual({ BillingPeriod: '2026-11' });
    expect(groupsCall.region).toBe('us-east-1');
    expect(fake.callsTo('billingconductor:ListAccountAssociations')[0].body).toEqual({
      BillingPeriod: '2026-11',
      Filters: { Association: 'MONITORED' },
    });
    expect(d.billing_period).toBe('2026-11');
    expect(d.billing_groups).toEqual([
      {
        name: 'Team A',
        arn: GROUP_A,
        status: 'ACTIVE',
        primary_account_id: '333333333333',
        pricing_plan_arn: PLAN,
        size: 2,
        auto_associate: false,
        accounts: [
          { account_id: '333333333333', name: 'a-prod', email: 'a@example.com' },
          { account_id: '555555555555', name: 'a-dev' },
        ],
      },
      expect.objectContaining({
        name: 'Team B',
        created_at: '2026-01-01T00:00:00.000Z',
        accounts: [{ account_id: '444444444444' }],
      }),
    ]);
  });

  test('reports AWS cost, pro forma cost and margin per billing group with exact totals', async () => {
    fake.on('billingconductor:ListBillingGroups', () => billingGroups());
    fake.on('billingconductor:ListBillingGroupCostReports', () => ({
      BillingGroupCostReports: [
        {
          Arn: GROUP_B,
          AWSCost: '0.2',
          ProformaCost: '0.3',
          Margin: '0.1',
          MarginPercentage: '33.33',
          Currency: 'USD',
        },
        {
          Arn: GROUP_A,
          AWSCost: '1000.1',
          ProformaCost: '1100.11',
          Margin: '100.01',
          MarginPercentage: '9.09',
          Currency: 'USD',
        },
      ],
    }));
    const result = await call('get-billing-group-cost-report', { billing_period: '2026-10' });
    const d = data(result);
    expect(fake.callsTo('billingconductor:ListBillingGroupCostReports')[0].body).toEqual({
      BillingPeriod: '2026-10',
    });
    expect(d.rows).toEqual([
      {
        group: 'Team A',
        arn: GROUP_A,
        aws_cost: '1000.1',
        proforma_cost: '1100.11',
        margin: '100.01',
        margin_percentage: '9.09',
        currency: 'USD',
      },
      expect.objectContaining({ group: 'Team B', aws_cost: '0.2', margin: '0.1' }),
    ]);
    // Floats: 0.2 + 1000.1 = 1000.3000000000001 and 0.3 + 1100.11 = 1100.4099999999999; 100.11 ÷ 1100.41 × 100 = 9.0975…
    expect(d.totals).toEqual({
      aws_cost: '1000.3',
      proforma_cost: '1100.41',
      margin: '100.11',
      margin_percentage: '9.1',
    });
    expect(textOf(result)).toContain('| **Total** | 1000.3 | 1100.41 | 100.11 | 9.1 |');
  });

  test('breaks one billing group down by product over a month range', async () => {
    fake.on('billingconductor:GetBillingGroupCostReport', () => ({
      BillingGroupCostReportResults: [
        {
          Arn: GROUP_A,
          AWSCost: '10.05',
          ProformaCost: '11.0',
          Margin: '0.95',
          Currency: 'USD',
          Attributes: [{ Key: 'PRODUCT_NAME', Value: 'Amazon Simple Storage Service' }],
        },
        {
          Arn: GROUP_A,
          AWSCost: '500.5',
          ProformaCost: '550.55',
          Margin: '50.05',
          Currency: 'USD',
          Attributes: [{ Key: 'PRODUCT_NAME', Value: 'Amazon Elastic Compute Cloud' }],
        },
      ],
    }));
    const d = data(
      await call('get-billing-group-cost-report', {
        billing_group_arn: GROUP_A,
        billing_period: '2026-09',
        end_billing_period: '2026-11',
      }),
    );
    expect(fake.callsTo('billingconductor:GetBillingGroupCostReport')[0].body).toEqual({
      Arn: GROUP_A,
      BillingPeriodRange: { InclusiveStartBillingPeriod: '2026-09', ExclusiveEndBillingPeriod: '2026-11' },
      GroupBy: ['PRODUCT_NAME'],
    });
    expect(d.rows.map((r: any) => [r.group, r.aws_cost, r.proforma_cost, r.margin])).toEqual([
      ['Amazon Elastic Compute Cloud', '500.5', '550.55', '50.05'],
      ['Amazon Simple Storage Service', '10.05', '11', '0.95'],
    ]);
    expect(d.totals).toMatchObject({ aws_cost: '510.55', proforma_cost: '561.55', margin: '51' });
    expect(fake.callsTo('billingconductor:ListBillingGroups')).toHaveLength(0);
  });

  test('refuses a billing period that has not started', async () => {
    const result = await call('get-billing-group-cost-report', { billing_period: '2026-12' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'billing_period 2026-12 is in the future; the latest billing period with data is 2026-11.',
    );
  });

  test('lists pricing plans with their rules, and the rules with their modifiers', async () => {
    fake.on('billingconductor:ListPricingPlans', () => ({
      BillingPeriod: '2026-11',
      PricingPlans: [{ Name: 'Resale', Arn: PLAN, Size: 2 }],
    }));
    fake.on('billingconductor:ListPricingRules', () => ({
      PricingRules: [
        {
          Name: 'global-markup',
          Arn: `${PLAN}-r1`,
          Type: 'MARKUP',
          Scope: 'GLOBAL',
          ModifierPercentage: 10,
          AssociatedPricingPlanCount: 1,
        },
        {
          Name: 'ec2-discount',
          Arn: `${PLAN}-r2`,
          Type: 'DISCOUNT',
          Scope: 'SERVICE',
          Service: 'AmazonEC2',
          ModifierPercentage: 2.5,
        },
      ],
    }));
    fake.on('billingconductor:ListPricingRulesAssociatedToPricingPlan', () => ({
      PricingPlanArn: PLAN,
      PricingRuleArns: [`${PLAN}-r2`, `${PLAN}-r1`],
    }));
    const result = await call('list-pricing-rules-and-plans', { billing_period: '2026-10' });
    const d = data(result);
    expect(fake.callsTo('billingconductor:ListPricingRulesAssociatedToPricingPlan')[0].body).toEqual({
      PricingPlanArn: PLAN,
      BillingPeriod: '2026-10',
    });
    expect(d.pricing_plans).toEqual([
      { name: 'Resale', arn: PLAN, size: 2, rule_names: ['ec2-discount', 'global-markup'] },
    ]);
    expect(
      d.pricing_rules.map((r: any) => [r.name, r.type, r.scope, r.modifier_percentage, r.service]),
    ).toEqual([
      ['ec2-discount', 'DISCOUNT', 'SERVICE', '2.5', 'AmazonEC2'],
      ['global-markup', 'MARKUP', 'GLOBAL', '10', undefined],
    ]);
  });

  test('totals flat credits and fees of custom line items exactly, for a member account', async () => {
    fake.on('billingconductor:ListCustomLineItems', () => ({
      CustomLineItems: [
        {
          Name: 'support-fee',
          Arn: 'arn:cli/1',
          ChargeDetails: { Type: 'FEE', Flat: { ChargeValue: 250.5 } },
          CurrencyCode: 'USD',
          BillingGroupArn: GROUP_A,
        },
        {
          Name: 'credit-1',
          Arn: 'arn:cli/2',
          ChargeDetails: { Type: 'CREDIT', Flat: { ChargeValue: 0.1 } },
          CurrencyCode: 'USD',
          BillingGroupArn: GROUP_A,
        },
        {
          Name: 'credit-2',
          Arn: 'arn:cli/3',
          ChargeDetails: { Type: 'CREDIT', Flat: { ChargeValue: 0.2 } },
          CurrencyCode: 'USD',
          BillingGroupArn: GROUP_A,
        },
        {
          Name: 'mgmt-percent',
          Arn: 'arn:cli/4',
          ChargeDetails: { Type: 'FEE', Percentage: { PercentageValue: 5 } },
          CurrencyCode: 'USD',
          BillingGroupArn: GROUP_A,
        },
      ],
    }));
    const result = await call('list-custom-line-items', {
      billing_group_arn: GROUP_A,
      target_account_id: MEMBER,
    });
    const d = data(result);
    const [c] = fake.callsTo('billingconductor:ListCustomLineItems');
    expect(c.accessKeyId).toBe(assumedAccessKey(MEMBER));
    expect(c.body).toEqual({ BillingPeriod: '2026-11', Filters: { BillingGroups: [GROUP_A] } });
    // 0.1 + 0.2: floats give 0.30000000000000004.
    expect(d).toMatchObject({
      matched: 4,
      flat_credits_total: '0.3',
      flat_fees_total: '250.5',
      currency: 'USD',
    });
    expect(d.custom_line_items.find((i: any) => i.name === 'mgmt-percent')).toMatchObject({
      type: 'FEE',
      percentage: '5',
    });
  });

  test('names the Billing Conductor action IAM denied', async () => {
    fake.on('billingconductor:ListBillingGroups', () =>
      awsError(
        'AccessDeniedException',
        'User: arn:aws:sts::111111111111:assumed-role/exec/s is not authorized to perform: ' +
          'billingconductor:ListBillingGroups',
        403,
      ),
    );
    const result = await call('list-billing-groups', {});
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^Access denied for billingconductor:ListBillingGroups in account 111111111111\./,
    );
  });
});

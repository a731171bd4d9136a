import type * as CO from '@aws-sdk/client-compute-optimizer';
import { z } from 'zod';
import type { AccountScope } from '../aws/gateway';
import type { InputOf, OutputOf } from '../aws/operations';
import { table, accountLabel } from '../billing/format';
import { amount, compareDesc, exact, sum, type Amount } from '../billing/money';
import { targetAccountId } from './lib/params';
import { maxResults, region } from './lib/optimization';
import type { Paginated } from './lib/pagination';
import { defineTool, type ToolContext } from './lib/types';

/** The resource kinds Compute Optimizer recommends on, one Get…Recommendations operation each. */
export const COMPUTE_OPTIMIZER_RESOURCE_TYPES = [
  'EC2_INSTANCE',
  'AUTO_SCALING_GROUP',
  'EBS_VOLUME',
  'LAMBDA_FUNCTION',
  'ECS_SERVICE',
  'RDS_DATABASE',
  'IDLE',
] as const;
type ResourceType = (typeof COMPUTE_OPTIMIZER_RESOURCE_TYPES)[number];

const FINDINGS = ['NOT_OPTIMIZED', 'OVER_PROVISIONED', 'UNDER_PROVISIONED', 'OPTIMIZED', 'ALL'] as const;
type FindingFilter = (typeof FINDINGS)[number];

const DEFAULT_LIMIT = 25;

/** One recommendation, flattened to what a person compares: current → recommended, savings and risk. */
interface Row {
  resource: string;
  resourceArn: string;
  accountId: string;
  /** What the row is about when a resource has several (RDS: instance or storage). */
  aspect?: string;
  finding: string;
  reasons: string[];
  current: string;
  recommended: string;
  savings: Amount | undefined;
  currency: string | undefined;
  savingsPercentage: Amount | undefined;
  savingsAfterDiscounts: Amount | undefined;
  performanceRisk: number | undefined;
  currentPerformanceRisk: string | undefined;
}

interface Savings {
  savingsOpportunityPercentage?: number;
  estimatedMonthlySavings?: { currency?: string; value?: number };
}

function idFromArn(arn: string | undefined): string {
  if (!arn) return '';
  return arn.split(/[/:]/).pop() ?? arn;
}

/** The option AWS ranks first (rank 1), or the first listed when none carries a rank. */
function topOption<T extends { rank?: number }>(options: readonly T[] | undefined): T | undefined {
  if (!options?.length) return undefined;
  return [...options].sort(
    (a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER),
  )[0];
}

function savingsOf(
  opportunity: Savings | undefined,
  afterDiscounts: Savings | undefined,
): Pick<Row, 'savings' | 'currency' | 'savingsPercentage' | 'savingsAfterDiscounts'> {
  const value = opportunity?.estimatedMonthlySavings?.value;
  const after = afterDiscounts?.estimatedMonthlySavings?.value;
  const pct = opportunity?.savingsOpportunityPercentage;
  return {
    savings: value === undefined ? undefined : amount(value),
    currency: opportunity?.estimatedMonthlySavings?.currency,
    savingsPercentage: pct === undefined ? undefined : amount(pct),
    savingsAfterDiscounts: after === undefined ? undefined : amount(after),
  };
}

function join(parts: (string | undefined | false)[]): string {
  return parts.filter(Boolean).join(', ') || '-';
}

function ec2Rows(items: CO.InstanceRecommendation[]): Row[] {
  return items.map((r) => {
    const option = topOption(r.recommendationOptions);
    return {
      resource: r.instanceName || idFromArn(r.instanceArn),
      resourceArn: r.instanceArn ?? '',
      accountId: r.accountId ?? '',
      finding: r.finding ?? '',
      reasons: r.findingReasonCodes ?? [],
      current: r.currentInstanceType ?? '-',
      recommended: option?.instanceType ?? '-',
      ...savingsOf(option?.savingsOpportunity, option?.savingsOpportunityAfterDiscounts),
      performanceRisk: option?.performanceRisk,
      currentPerformanceRisk: r.currentPerformanceRisk,
    };
  });
}

function asgConfig(c: CO.AutoScalingGroupConfiguration | undefined): string {
  if (!c) return '-';
  const type = c.instanceType ?? c.mixedInstanceTypes?.join('/');
  return join([
    type,
    c.desiredCapacity !== undefined && `desired ${c.desiredCapacity}`,
    c.minSize !== undefined && c.maxSize !== undefined && `min ${c.minSize} max ${c.maxSize}`,
  ]);
}

function asgRows(items: CO.AutoScalingGroupRecommendation[]): Row[] {
  return items.map((r) => {
    const option = topOption(r.recommendationOptions);
    return {
      resource: r.autoScalingGroupName || idFromArn(r.autoScalingGroupArn),
      resourceArn: r.autoScalingGroupArn ?? '',
      accountId: r.accountId ?? '',
      finding: r.finding ?? '',
      reasons: [],
      current: asgConfig(r.currentConfiguration),
      recommended: asgConfig(option?.configuration),
      ...savingsOf(option?.savingsOpportunity, option?.savingsOpportunityAfterDiscounts),
      performanceRisk: option?.performanceRisk,
      currentPerformanceRisk: r.currentPerformanceRisk,
    };
  });
}

function volumeConfig(c: CO.VolumeConfiguration | undefined): string {
  if (!c) return '-';
  return join([
    c.volumeType,
    c.volumeSize !== undefined && `${c.volumeSize} GiB`,
    c.volumeBaselineIOPS !== undefined && `${c.volumeBaselineIOPS} IOPS`,
    c.volumeBaselineThroughput !== undefined && `${c.volumeBaselineThroughput} MiB/s`,
  ]);
}

function ebsRows(items: CO.VolumeRecommendation[]): Row[] {
  return items.map((r) => {
    const option = topOption(r.volumeRecommendationOptions);
    return {
      resource: idFromArn(r.volumeArn),
      resourceArn: r.volumeArn ?? '',
      accountId: r.accountId ?? '',
      finding: r.finding ?? '',
      reasons: [],
      current: volumeConfig(r.currentConfiguration),
      recommended: volumeConfig(option?.configuration),
      ...savingsOf(option?.savingsOpportunity, option?.savingsOpportunityAfterDiscounts),
      performanceRisk: option?.performanceRisk,
      currentPerformanceRisk: r.currentPerformanceRisk,
    };
  });
}

function lambdaRows(items: CO.LambdaFunctionRecommendation[]): Row[] {
  return items.map((r) => {
    const option = topOption(r.memorySizeRecommendationOptions);
    return {
      resource: idFromArn(r.functionArn?.replace(/:\$LATEST$|:\d+$/, '')) || '',
      resourceArn: r.functionArn ?? '',
      accountId: r.accountId ?? '',
      finding: r.finding ?? '',
      reasons: r.findingReasonCodes ?? [],
      current: r.currentMemorySize !== undefined ? `${r.currentMemorySize} MB memory` : '-',
      recommended: option?.memorySize !== undefined ? `${option.memorySize} MB memory` : '-',
      ...savingsOf(option?.savingsOpportunity, option?.savingsOpportunityAfterDiscounts),
      performanceRisk: undefined,
      currentPerformanceRisk: r.currentPerformanceRisk,
    };
  });
}

function taskSize(cpu: number | undefined, memory: number | undefined): string {
  return join([cpu !== undefined && `${cpu} CPU units`, memory !== undefined && `${memory} MB`]);
}

function ecsRows(items: CO.ECSServiceRecommendation[]): Row[] {
  return items.map((r) => {
    // ECS options carry no rank: AWS lists the preferred one first.
    const option = r.serviceRecommendationOptions?.[0];
    return {
      resource: idFromArn(r.serviceArn),
      resourceArn: r.serviceArn ?? '',
      accountId: r.accountId ?? '',
      finding: r.finding ?? '',
      reasons: r.findingReasonCodes ?? [],
      current: taskSize(r.currentServiceConfiguration?.cpu, r.currentServiceConfiguration?.memory),
      recommended: option ? taskSize(option.cpu, option.memory) : '-',
      ...savingsOf(option?.savingsOpportunity, option?.savingsOpportunityAfterDiscounts),
      performanceRisk: undefined,
      currentPerformanceRisk: r.currentPerformanceRisk,
    };
  });
}

function storageConfig(c: CO.DBStorageConfiguration | undefined): string {
  if (!c) return '-';
  return join([
    c.storageType,
    c.allocatedStorage !== undefined && `${c.allocatedStorage} GiB`,
    c.iops !== undefined && `${c.iops} IOPS`,
  ]);
}

// An RDS database has two independent recommendations (instance class and storage); each gets its own row so
// that each keeps its own finding and savings.
function rdsRows(items: CO.RDSDBRecommendation[]): Row[] {
  return items.flatMap((r) => {
    const base = {
      resource: idFromArn(r.resourceArn),
      resourceArn: r.resourceArn ?? '',
      accountId: r.accountId ?? '',
    };
    const rows: Row[] = [];
    const instance = topOption(r.instanceRecommendationOptions);
    if (r.instanceFinding) {
      rows.push({
        ...base,
        aspect: 'instance',
        finding: r.instanceFinding,
        reasons: r.instanceFindingReasonCodes ?? [],
        current: r.currentDBInstanceClass ?? '-',
        recommended: instance?.dbInstanceClass ?? '-',
        ...savingsOf(instance?.savingsOpportunity, instance?.savingsOpportunityAfterDiscounts),
        performanceRisk: instance?.performanceRisk,
        currentPerformanceRisk: r.currentInstancePerformanceRisk,
      });
    }
    const storage = topOption(r.storageRecommendationOptions);
    if (r.storageFinding) {
      rows.push({
        ...base,
        aspect: 'storage',
        finding: r.storageFinding,
        reasons: r.storageFindingReasonCodes ?? [],
        current: storageConfig(r.currentStorageConfiguration),
        recommended: storageConfig(storage?.storageConfiguration),
        ...savingsOf(storage?.savingsOpportunity, storage?.savingsOpportunityAfterDiscounts),
        performanceRisk: undefined,
        currentPerformanceRisk: undefined,
      });
    }
    return rows;
  });
}

function idleRows(items: CO.IdleRecommendation[]): Row[] {
  return items.map((r) => ({
    resource: r.resourceId || idFromArn(r.resourceArn),
    resourceArn: r.resourceArn ?? '',
    accountId: r.accountId ?? '',
    aspect: r.resourceType,
    finding: r.finding ?? '',
    reasons: r.findingDescription ? [r.findingDescription] : [],
    current: `${r.resourceType ?? 'resource'} (${(r.finding ?? 'idle').toLowerCase()})`,
    recommended: 'stop or delete',
    ...savingsOf(r.savingsOpportunity, r.savingsOpportunityAfterDiscounts),
    performanceRisk: undefined,
    currentPerformanceRisk: undefined,
  }));
}

function keep(finding: string, filter: FindingFilter): boolean {
  switch (filter) {
    case 'ALL':
      return true;
    case 'OPTIMIZED':
      return finding === 'Optimized';
    case 'OVER_PROVISIONED':
      return finding === 'Overprovisioned';
    case 'UNDER_PROVISIONED':
      return finding === 'Underprovisioned';
    case 'NOT_OPTIMIZED':
      // "Unavailable" (Lambda) means Compute Optimizer could not judge the resource: it is not a finding to act on.
      return finding !== 'Optimized' && finding !== 'Unavailable' && finding !== '';
  }
}

interface Fetched {
  rows: Row[];
  errors: string[];
  more: boolean;
  /** The read's note when it is partial (see readPages). */
  note: string | undefined;
}

async function fetchRows(
  type: ResourceType,
  ctx: ToolContext,
  account: AccountScope,
  regionName: string,
): Promise<Fetched> {
  const read = async <O extends Parameters<ToolContext['paginate']>[0]>(
    op: O,
    input: InputOf<O>,
  ): Promise<Paginated<OutputOf<O>>> =>
    ctx.paginate(op, input, account, {
      inputToken: 'nextToken',
      outputToken: 'nextToken',
      region: regionName,
    });
  const errorsOf = (pages: { errors?: { identifier?: string; code?: string; message?: string }[] }[]) =>
    pages
      .flatMap((p) => p.errors ?? [])
      .map((e) => `${e.identifier ?? '?'}: ${e.code ?? ''} ${e.message ?? ''}`.trim());

  switch (type) {
    case 'EC2_INSTANCE': {
      const r = await read('compute-optimizer:GetEC2InstanceRecommendations', {});
      const rows = ec2Rows(r.pages.flatMap((p) => p.instanceRecommendations ?? []));
      return { rows, errors: errorsOf(r.pages), more: r.more, note: r.note };
    }
    case 'AUTO_SCALING_GROUP': {
      const r = await read('compute-optimizer:GetAutoScalingGroupRecommendations', {});
      const rows = asgRows(r.pages.flatMap((p) => p.autoScalingGroupRecommendations ?? []));
      return { rows, errors: errorsOf(r.pages), more: r.more, note: r.note };
    }
    case 'EBS_VOLUME': {
      const r = await read('compute-optimizer:GetEBSVolumeRecommendations', {});
      const rows = ebsRows(r.pages.flatMap((p) => p.volumeRecommendations ?? []));
      return { rows, errors: errorsOf(r.pages), more: r.more, note: r.note };
    }
    case 'LAMBDA_FUNCTION': {
      const r = await read('compute-optimizer:GetLambdaFunctionRecommendations', {});
      const rows = lambdaRows(r.pages.flatMap((p) => p.lambdaFunctionRecommendations ?? []));
      return { rows, errors: [], more: r.more, note: r.note };
    }
    case 'ECS_SERVICE': {
      const r = await read('compute-optimizer:GetECSServiceRecommendations', {});
      const rows = ecsRows(r.pages.flatMap((p) => p.ecsServiceRecommendations ?? []));
      return { rows, errors: errorsOf(r.pages), more: r.more, note: r.note };
    }
    case 'RDS_DATABASE': {
      const r = await read('compute-optimizer:GetRDSDatabaseRecommendations', {});
      const rows = rdsRows(r.pages.flatMap((p) => p.rdsDBRecommendations ?? []));
      return { rows, errors: errorsOf(r.pages), more: r.more, note: r.note };
    }
    case 'IDLE': {
      // Largest savings first, so a page bound drops the least valuable recommendations.
      const r = await read('compute-optimizer:GetIdleRecommendations', {
        orderBy: { dimension: 'SavingsValue', order: 'Desc' },
      });
      const rows = idleRows(r.pages.flatMap((p) => p.idleRecommendations ?? []));
      return { rows, errors: errorsOf(r.pages), more: r.more, note: r.note };
    }
  }
}

/** get-compute-optimizer-recommendations: rightsizing and idle recommendations for one resource type and region. */
export const getComputeOptimizerRecommendationsTool = defineTool({
  name: 'get-compute-optimizer-recommendations',
  title: 'Get Compute Optimizer recommendations',
  description:
    'Compute Optimizer rightsizing and idle findings for one resource type and region (default: EC2, the ' +
    "server's region), by monthly savings. Needs enrollment.",
  inputSchema: {
    resource_type: z
      .enum(COMPUTE_OPTIMIZER_RESOURCE_TYPES)
      .optional()
      .describe('Default EC2_INSTANCE; IDLE: idle resources of every kind.'),
    region,
    target_account_id: targetAccountId,
    finding: z.enum(FINDINGS).optional().describe('Default NOT_OPTIMIZED (worth acting on).'),
    max_results: maxResults(DEFAULT_LIMIT, 100, 'recommendations'),
  },
  outputSchema: {
    total_estimated_monthly_savings: z.string(),
  },
  operations: [
    'compute-optimizer:GetEC2InstanceRecommendations',
    'compute-optimizer:GetAutoScalingGroupRecommendations',
    'compute-optimizer:GetEBSVolumeRecommendations',
    'compute-optimizer:GetLambdaFunctionRecommendations',
    'compute-optimizer:GetECSServiceRecommendations',
    'compute-optimizer:GetRDSDatabaseRecommendations',
    'compute-optimizer:GetIdleRecommendations',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const type = args.resource_type ?? 'EC2_INSTANCE';
    const findingFilter = args.finding ?? 'NOT_OPTIMIZED';
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const regionName = args.region ?? ctx.config.defaultRegion;
    const account = await ctx.account(args.target_account_id);

    const fetched = await fetchRows(type, ctx, account, regionName);
    const notes: string[] = [];
    const pageNote = fetched.note;
    if (pageNote) notes.push(pageNote);
    if (fetched.errors.length) {
      notes.push(
        `Compute Optimizer could not produce ${fetched.errors.length} recommendation(s): ` +
          fetched.errors.slice(0, 3).join('; '),
      );
    }

    const matched = fetched.rows
      .filter((r) => keep(r.finding, findingFilter))
      .sort(
        (a, b) =>
          compareDesc(a.savings ?? amount(0), b.savings ?? amount(0)) || a.resource.localeCompare(b.resource),
      );
    const shown = matched.slice(0, limit);
    const rest = matched.slice(limit);
    const total = sum(matched.map((r) => r.savings));
    const currencies = [...new Set(matched.map((r) => r.currency).filter((c): c is string => !!c))];
    const currency = currencies[0] ?? 'USD';
    if (currencies.length > 1) notes.push(`Savings are in several currencies (${currencies.join(', ')}).`);
    const restTotal = sum(rest.map((r) => r.savings));

    const label = type.toLowerCase().replace(/_/g, ' ');
    const lines: string[] = [];
    if (matched.length === 0) {
      lines.push(
        `No ${findingFilter === 'ALL' ? '' : findingFilter.toLowerCase().replace(/_/g, '-') + ' '}` +
          `${label} recommendations in ${regionName} for account ${accountLabel(account)} ` +
          `(${fetched.rows.length} recommendation(s) read in all).`,
      );
    } else {
      lines.push(
        `**${matched.length} ${label} recommendation(s) in ${regionName} for account ${accountLabel(account)}: ` +
          `estimated savings ${exact(total)} ${currency} per month** (before discounts).`,
      );
      lines.push(
        '',
        table(
          ['Resource', 'Finding', 'Current → recommended', `Savings/month (${currency})`, 'Perf. risk (0-4)'],
          shown.map((r) => [
            r.aspect ? `${r.resource} (${r.aspect})` : r.resource,
            r.finding,
            `${r.current} → ${r.recommended}`,
            r.savings ? exact(r.savings) : '-',
            r.performanceRisk !== undefined ? String(r.performanceRisk) : '-',
          ]),
        ),
      );
      if (rest.length)
        lines.push(`…and ${rest.length} more, saving ${exact(restTotal)} ${currency} per month.`);
    }

    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        region: regionName,
        resource_type: type,
        finding_filter: findingFilter,
        matched: matched.length,
        total_estimated_monthly_savings: exact(total),
        currency,
        recommendations: shown.map((r) => ({
          resource: r.resource,
          resource_arn: r.resourceArn,
          account_id: r.accountId,
          ...(r.aspect ? { aspect: r.aspect } : {}),
          finding: r.finding,
          reasons: r.reasons,
          current: r.current,
          recommended: r.recommended,
          ...(r.savings ? { estimated_monthly_savings: exact(r.savings) } : {}),
          ...(r.savingsAfterDiscounts
            ? { estimated_monthly_savings_after_discounts: exact(r.savingsAfterDiscounts) }
            : {}),
          ...(r.currency ? { currency: r.currency } : {}),
          ...(r.savingsPercentage ? { savings_percentage: exact(r.savingsPercentage) } : {}),
          ...(r.performanceRisk !== undefined ? { performance_risk: r.performanceRisk } : {}),
          ...(r.currentPerformanceRisk ? { current_performance_risk: r.currentPerformanceRisk } : {}),
        })),
        ...(rest.length
          ? { others: { count: rest.length, estimated_monthly_savings: exact(restTotal) } }
          : {}),
        more_pages: fetched.more,
        notes,
      },
    };
  },
});

import { AwsCallError } from '../../aws/errors';
import { ToolInputError } from '../../billing/errors';

/** Cost Optimization Hub action types (the API's own values). */
export const COH_ACTION_TYPES = [
  'Rightsize',
  'Stop',
  'Upgrade',
  'PurchaseSavingsPlans',
  'PurchaseReservedInstances',
  'MigrateToGraviton',
  'Delete',
  'ScaleIn',
] as const;

/** Cost Optimization Hub resource types (the API's own values). */
export const COH_RESOURCE_TYPES = [
  'Ec2Instance',
  'LambdaFunction',
  'EbsVolume',
  'EcsService',
  'Ec2AutoScalingGroup',
  'Ec2InstanceSavingsPlans',
  'ComputeSavingsPlans',
  'SageMakerSavingsPlans',
  'Ec2ReservedInstances',
  'RdsReservedInstances',
  'OpenSearchReservedInstances',
  'RedshiftReservedInstances',
  'ElastiCacheReservedInstances',
  'MemoryDbReservedInstances',
  'DynamoDbReservedCapacity',
  'RdsDbInstance',
  'RdsDbInstanceStorage',
  'AuroraDbClusterStorage',
] as const;

/** Implementation efforts, lowest first. */
export const COH_EFFORTS = ['VeryLow', 'Low', 'Medium', 'High', 'VeryHigh'] as const;

/** Dimensions ListRecommendationSummaries groups by. */
export const COH_GROUP_BY = [
  'AccountId',
  'ActionType',
  'ResourceType',
  'Region',
  'RecommendationSourceType',
  'ImplementationEffort',
  'RestartNeeded',
  'RollbackPossible',
] as const;

/**
 * Cost Optimization Hub answers AccessDenied (or a validation error) mentioning enrolment when the account has not
 * opted in; say what to do instead of blaming IAM.
 */
export function explainCohFailure(err: unknown, accountId: string): unknown {
  if (
    err instanceof AwsCallError &&
    (err.kind === 'access-denied' || err.kind === 'invalid-request' || err.kind === 'not-enrolled') &&
    /enrol|opt.?in|not (been )?activated/i.test(err.message.replace(/^.*AWS said:/, ''))
  ) {
    return new ToolInputError(
      `Account ${accountId} is not enrolled in Cost Optimization Hub. Enroll it first (console: Billing and Cost ` +
        'Management → Cost Optimization Hub → Enable, or `aws cost-optimization-hub update-enrollment-status ' +
        '--status Active`); recommendations appear within 24 hours.',
    );
  }
  return err;
}

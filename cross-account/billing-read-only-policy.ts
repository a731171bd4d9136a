import * as iam from 'aws-cdk-lib/aws-iam';
import { BILLING_READ_ONLY_ACTIONS } from '../server/src/aws/actions';

/** Sid of the statement that grants the catalogue's actions; tests and cdk-nag acknowledgements refer to it. */
export const BILLING_READ_ONLY_SID = 'BillingReadOnly';

/**
 * The read-only billing permissions, generated from the server's one catalogue of AWS operations so the policy
 * cannot drift from the code. Resource `*`: Cost Explorer, Pricing, Free Tier, Cost Optimization Hub and most
 * Compute Optimizer reads have no resource-level permissions.
 */
export function billingReadOnlyPolicyDocument(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: BILLING_READ_ONLY_SID,
        effect: iam.Effect.ALLOW,
        actions: [...BILLING_READ_ONLY_ACTIONS],
        resources: ['*'],
      }),
    ],
  });
}

import { type EvaluationResult, runSimulation } from '@cloud-copilot/iam-simulate';

/** One request to simulate. */
export interface SimulatedRequest {
  /** ARN of the calling principal. */
  readonly principal: string;
  /** `service:Action`. */
  readonly action: string;
  /** The resource ARN (`*` for actions without resource-level permissions). */
  readonly resource: string;
  /** Account that owns the resource. */
  readonly resourceAccount: string;
  /**
   * Request context keys.
   * @default - none
   */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/** The policies that decide a request. */
export interface SimulatedPolicies {
  /** The caller's identity policies (policy documents). */
  readonly identity: readonly unknown[];
  /**
   * The resource's policy, e.g. a role's trust policy for sts:AssumeRole.
   * @default - none
   */
  readonly resource?: unknown;
}

/**
 * Evaluates one request with `@cloud-copilot/iam-simulate` (AWS's policy evaluation logic: explicit deny, allow,
 * implicit deny, cross-account identity-and-resource rule).
 *
 * @throws when the simulator rejects the policies or the request as malformed, so a typo cannot read as "denied"
 */
export async function simulate(
  request: SimulatedRequest,
  policies: SimulatedPolicies,
): Promise<EvaluationResult> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        // AWS sets these on every request; the simulator only knows the context keys it is given.
        contextVariables: {
          'aws:PrincipalArn': request.principal,
          'aws:PrincipalAccount': request.principal.split(':')[4],
          ...request.context,
        },
      },
      identityPolicies: policies.identity.map((policy, i) => ({ name: `policy${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.resource,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`Simulation failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Why an AWS call failed, in the terms a user can act on. */
export type AwsFailureKind =
  | 'access-denied'
  | 'assume-role-denied'
  | 'throttled'
  | 'not-enrolled'
  | 'not-found'
  | 'invalid-request'
  | 'data-unavailable'
  | 'deadline'
  | 'unavailable'
  | 'malformed-response'
  | 'other';

/** An AWS call that failed, classified, with a message safe to show a user (no stack, no credentials). */
export class AwsCallError extends Error {
  constructor(
    readonly kind: AwsFailureKind,
    readonly operation: string,
    readonly accountId: string,
    message: string,
    readonly awsErrorName?: string,
  ) {
    super(message);
    this.name = 'AwsCallError';
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; Code?: string; code?: string; __type?: string };
    return e.name ?? e.Code ?? e.code ?? e.__type ?? 'Error';
  }
  return 'Error';
}

function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  // AWS messages can quote ARNs and request details but never credentials; cap them so a huge body cannot flood
  // the answer.
  return raw.replace(/\s+/g, ' ').trim().slice(0, 400);
}

/** The IAM action named in an AccessDenied message ("... is not authorized to perform: ce:GetCostAndUsage ..."). */
export function deniedActionIn(message: string): string | undefined {
  return /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
}

/** Classifies an error thrown by an SDK client (or the JSON helper) for one operation. */
export function classifyAwsError(err: unknown, operation: string, accountId: string): AwsCallError {
  if (err instanceof AwsCallError) return err;
  const name = errorName(err);
  const message = errorMessage(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const [service] = operation.split(':');
  const make = (kind: AwsFailureKind, text: string) =>
    new AwsCallError(kind, operation, accountId, text, name);

  // Not 'TimeoutError': @smithy/node-http-handler gives that name to ECONNRESET / EPIPE / ETIMEDOUT (so its retry
  // strategy treats them as transient); after the retries they mean "unavailable", not the tool's deadline.
  if (name === 'AbortError' || name === 'DeadlineExceeded') {
    return make('deadline', `${operation} did not finish before the tool's deadline.`);
  }
  if (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    name === 'UnauthorizedOperation' ||
    status === 403
  ) {
    const action = deniedActionIn(message) ?? operationIamHint(operation);
    return make(
      'access-denied',
      `Access denied for ${action} in account ${accountId}. Grant ${action} to the role the server uses there ` +
        `(redeploy the stacks so the execution role / member role get the current policy).` +
        (message ? ` AWS said: ${message}` : ''),
    );
  }
  if (THROTTLING.has(name) || status === 429) {
    return make(
      'throttled',
      `AWS throttled ${operation} in account ${accountId} even after retries; try again in a minute.`,
    );
  }
  if (
    name === 'OptInRequiredException' ||
    (service === 'compute-optimizer' && /opt.?in|enroll/i.test(message))
  ) {
    return make(
      'not-enrolled',
      `Account ${accountId} is not enrolled in AWS Compute Optimizer. Enroll it first (console: Compute Optimizer → ` +
        `Get started, or \`aws compute-optimizer update-enrollment-status --status Active\`); recommendations ` +
        `appear about 12 hours after enrolment.`,
    );
  }
  if (name === 'DataUnavailableException') {
    return make(
      'data-unavailable',
      `Cost Explorer has no data for this request in account ${accountId} (Cost Explorer may not be enabled yet, or ` +
        `the period has no usage). AWS said: ${message || 'data unavailable'}`,
    );
  }
  if (name === 'ResourceNotFoundException' || name === 'NotFoundException' || status === 404) {
    return make(
      'not-found',
      `Not found (${operation}, account ${accountId}): ${message || 'the resource does not exist'}`,
    );
  }
  if (
    name === 'ValidationException' ||
    name === 'InvalidParameterValueException' ||
    name === 'InvalidParameterException' ||
    name === 'BillExpirationException' ||
    name === 'RequestChangedException' ||
    name === 'InvalidNextTokenException' ||
    name === 'BadRequestException'
  ) {
    return make('invalid-request', `AWS rejected the request (${operation}): ${message || name}`);
  }
  if (
    name === 'SyntaxError' ||
    name === 'DeserializationError' ||
    /deserializ|unexpected token|not valid json|parse/i.test(message)
  ) {
    return make(
      'malformed-response',
      `AWS returned a response for ${operation} that could not be read; try again.`,
    );
  }
  if (
    (status !== undefined && status >= 500) ||
    name === 'TimeoutError' ||
    /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|ServiceUnavailable|InternalServerError|InternalFailure/i.test(
      `${name} ${message}`,
    )
  ) {
    return make(
      'unavailable',
      `${operation} is unavailable right now (the service or the network failed after retries); try again shortly.`,
    );
  }
  return make(
    'other',
    `${operation} failed in account ${accountId}: ${name}${message ? `: ${message}` : ''}`,
  );
}

function operationIamHint(operation: string): string {
  const [service, api] = operation.split(':');
  return service === 'budgets' ? 'budgets:ViewBudget' : `${service}:${api}`;
}

import { StepFailure } from './deployment';
import { peekClaims } from './oauth';

/** What the diagnosis may use besides the answer itself. */
export interface FailureContext {
  readonly endpoint: string;
  readonly runtimeArn?: string;
  /** The access token sent, to name its client and scope (decoded, never printed). */
  readonly accessToken?: string;
  /** The WWW-Authenticate header of a 401/403. */
  readonly challenge?: string | null;
}

/** The CloudWatch log group AgentCore writes a runtime's DEFAULT endpoint logs to. */
export function logGroupOf(runtimeArn: string | undefined): string {
  const id = runtimeArn ? /runtime\/([^/]+)$/.exec(runtimeArn)?.[1] : undefined;
  return `/aws/bedrock-agentcore/runtimes/${id ?? '<runtime id>'}-DEFAULT`;
}

/** Whether the endpoint carries the runtime ARN URL-encoded, as the invocation URL requires. */
export function endpointEncodesArn(endpoint: string, runtimeArn: string): boolean {
  return endpoint.includes(`/runtimes/${encodeURIComponent(runtimeArn)}/invocations`);
}

function tokenDescription(accessToken: string | undefined): string {
  if (!accessToken) return '';
  const claims = peekClaims(accessToken);
  const client = typeof claims.client_id === 'string' ? claims.client_id : 'none';
  const scope = typeof claims.scope === 'string' ? claims.scope : 'none';
  return ` The token sent has client_id ${client} and scope "${scope}".`;
}

/** A StepFailure for a non-2xx answer of the MCP endpoint, with the fix for its most common cause. */
export function explainHttpFailure(status: number, body: string, context: FailureContext): StepFailure {
  const said = body.trim() ? `: ${body.trim().replace(/\s+/g, ' ').slice(0, 200)}` : '';
  const problem = `HTTP ${status}${said}`;
  const logs = `read the runtime's logs in CloudWatch (log group ${logGroupOf(context.runtimeArn)})`;
  switch (status) {
    case 401:
      return new StepFailure(
        `${problem}${context.challenge ? ` (WWW-Authenticate: ${context.challenge})` : ''}`,
        "The JWT authorizer refused the token. Usually the client id is not in the runtime's allowed clients " +
          '(the Quick client is added by the Runtime stack; other clients go in extraAllowedClientIds, then ' +
          "redeploy), or the token lacks the scope billing-mcp/invoke, or the authorizer's discovery URL is " +
          `another user pool's.${tokenDescription(context.accessToken)}`,
      );
    case 403:
      return new StepFailure(
        `${problem}${context.challenge ? ` (WWW-Authenticate: ${context.challenge})` : ''}`,
        'Forbidden: the token lacks the required scope (request billing-mcp/invoke), or the runtime expects IAM ' +
          '(SigV4) authorization instead of a bearer token — check that the Runtime stack configured the JWT ' +
          `authorizer.${tokenDescription(context.accessToken)}`,
      );
    case 404: {
      const badEncoding = context.runtimeArn && !endpointEncodesArn(context.endpoint, context.runtimeArn);
      return new StepFailure(
        problem,
        badEncoding
          ? 'The endpoint does not carry the runtime ARN URL-encoded (":" → %3A, "/" → %2F): use the ' +
              `McpEndpoint output as is, i.e. .../runtimes/${encodeURIComponent(context.runtimeArn!)}/invocations.`
          : 'No runtime answers at this URL: check the region in the URL, the URL-encoding of the runtime ARN ' +
              '(":" → %3A, "/" → %2F), and that the runtime still exists (Runtime stack deployed).',
      );
    }
    case 406:
      return new StepFailure(
        problem,
        'The request must accept both application/json and text/event-stream; a proxy may be rewriting Accept.',
      );
    case 424:
      return new StepFailure(
        problem,
        'AgentCore could not get an answer from the container: it crashed at start, is not listening on ' +
          `0.0.0.0:8000 POST /mcp, or the image is not ARM64. Run again once (cold start), then ${logs}.`,
      );
    case 429:
      return new StepFailure(problem, 'The runtime throttled the call: wait a minute and run again.');
    default:
      return new StepFailure(
        problem,
        status >= 500
          ? `The runtime or the container failed. Run again once (cold starts can fail the first call), then ${logs}.`
          : 'Unexpected answer: check the endpoint URL (McpEndpoint output).',
      );
  }
}

/** A StepFailure for a request that got no HTTP answer at all. */
export function explainNetworkFailure(err: unknown, endpoint: string, timeoutMs: number): StepFailure {
  const name = (err as { name?: string })?.name ?? '';
  const cause = String((err as { cause?: unknown })?.cause ?? (err as Error)?.message ?? err);
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new StepFailure(
      `No answer from ${endpoint} within ${timeoutMs / 1000} s.`,
      'A cold container start can take 30 s or more: run again. If it keeps timing out, read the runtime logs in ' +
        'CloudWatch; the container must answer POST /mcp on 0.0.0.0:8000.',
    );
  }
  return new StepFailure(
    `Cannot reach ${endpoint}: ${cause}`,
    /ENOTFOUND|EAI_AGAIN/.test(cause)
      ? 'The host does not resolve: check the region in the endpoint (McpEndpoint output).'
      : 'Check the network and the endpoint URL (McpEndpoint output).',
  );
}

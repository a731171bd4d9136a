import type { AwsService } from './actions';

/** What the gateway needs from an SDK client: `send` with an abort signal, and `destroy`. */
export interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  destroy(): void;
}

/** The loaded pieces of one service: how to make its client, and its command classes by operation name. */
export interface LoadedSdkService {
  readonly kind: 'sdk';
  createClient(config: Record<string, unknown>): SdkClient;
  command(operation: string, input: unknown): unknown;
}

/** A JSON-protocol service with no SDK client in our registry, called through the signed JSON helper. */
export interface JsonServiceSpec {
  readonly kind: 'json';
  /** The name used for SigV4 signing and in AWS_ENDPOINT_URL_<NAME>. */
  readonly signingName: string;
  /** The X-Amz-Target prefix, e.g. AWSFreeTierService. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly jsonVersion: '1.0' | '1.1';
  /** The environment-variable suffix of the service-specific endpoint override, e.g. FREETIER. */
  readonly endpointEnvName: string;
  /** The default endpoint for a region. */
  defaultEndpoint(region: string): string;
}

export interface ServiceSpec {
  /**
   * Where the service is called: a fixed region for the global billing services (their endpoint is us-east-1 in
   * the commercial partition), or 'regional' where the tool picks the region.
   */
  readonly region: string | 'regional';
  load(): Promise<LoadedSdkService> | JsonServiceSpec;
}

// The SDK modules are imported on first use, not at start-up: each costs ~100 ms to load and a cold AgentCore
// microVM should answer `initialize` before it has touched any of them.
function sdk<M extends Record<string, unknown>>(
  importer: () => Promise<M>,
  clientClass: keyof M,
): () => Promise<LoadedSdkService> {
  let loaded: Promise<LoadedSdkService> | undefined;
  return () =>
    (loaded ??= importer().then((mod) => {
      const Client = mod[clientClass] as unknown as new (config: Record<string, unknown>) => SdkClient;
      return {
        kind: 'sdk' as const,
        createClient: (config) => new Client(config),
        command: (operation, input) => {
          const Command = mod[`${operation}Command`] as unknown as
            (new (input: unknown) => unknown) | undefined;
          if (!Command) throw new Error(`The SDK client has no ${operation}Command`);
          return new Command(input);
        },
      };
    }));
}

export const SERVICES: Record<AwsService, ServiceSpec> = {
  athena: { region: 'regional', load: sdk(() => import('@aws-sdk/client-athena'), 'AthenaClient') },
  sts: { region: 'regional', load: sdk(() => import('@aws-sdk/client-sts'), 'STSClient') },
  ce: { region: 'us-east-1', load: sdk(() => import('@aws-sdk/client-cost-explorer'), 'CostExplorerClient') },
  budgets: { region: 'us-east-1', load: sdk(() => import('@aws-sdk/client-budgets'), 'BudgetsClient') },
  'compute-optimizer': {
    region: 'regional',
    load: sdk(() => import('@aws-sdk/client-compute-optimizer'), 'ComputeOptimizerClient'),
  },
  'cost-optimization-hub': {
    region: 'us-east-1',
    load: sdk(() => import('@aws-sdk/client-cost-optimization-hub'), 'CostOptimizationHubClient'),
  },
  pricing: { region: 'us-east-1', load: sdk(() => import('@aws-sdk/client-pricing'), 'PricingClient') },
  billingconductor: {
    region: 'us-east-1',
    load: sdk(() => import('@aws-sdk/client-billingconductor'), 'BillingconductorClient'),
  },
  // Global: the commercial partition's endpoint is organizations.us-east-1.amazonaws.com.
  organizations: {
    region: 'us-east-1',
    load: sdk(() => import('@aws-sdk/client-organizations'), 'OrganizationsClient'),
  },
  freetier: {
    region: 'us-east-1',
    load: () => ({
      kind: 'json',
      signingName: 'freetier',
      targetPrefix: 'AWSFreeTierService',
      jsonVersion: '1.0',
      endpointEnvName: 'FREETIER',
      defaultEndpoint: (region) => `https://freetier.${region}.api.aws`,
    }),
  },
  'bcm-pricing-calculator': {
    region: 'us-east-1',
    load: () => ({
      kind: 'json',
      signingName: 'bcm-pricing-calculator',
      targetPrefix: 'AWSBCMPricingCalculator',
      jsonVersion: '1.0',
      endpointEnvName: 'BCM_PRICING_CALCULATOR',
      defaultEndpoint: (region) => `https://bcm-pricing-calculator.${region}.api.aws`,
    }),
  },
};

/** The services nearly every first question needs: the own-account lookup (sts) and Cost Explorer. */
const FIRST_QUESTION_SERVICES: readonly AwsService[] = ['sts', 'ce'];

/**
 * Loads the SDK modules of {@link FIRST_QUESTION_SERVICES} without calling AWS. Meant for the pause after a cold
 * process has answered its first request (a client reads `initialize`, then sends more requests over the network),
 * so the first tool call does not load them itself. A failed load is left to that call, which reports it.
 */
export function preloadFirstQuestionServices(): void {
  for (const service of FIRST_QUESTION_SERVICES) {
    const loading = SERVICES[service].load();
    if (loading instanceof Promise) loading.catch(() => undefined);
  }
}

import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { classifyAwsError } from '../../../../server/src/aws/errors';
import {
  callJsonService,
  JsonServiceError,
  parseError,
} from '../../../../server/src/aws/json-services/signed-json';
import { SERVICES, type JsonServiceSpec } from '../../../../server/src/aws/services';
import { awsError, FakeAws, reply, type RecordedCall } from '../../../fake-aws/fake-aws';

const fake = new FakeAws();
const credentials = {
  accessKeyId: 'ASIA222222222222',
  secretAccessKey: 'secret-222',
  sessionToken: 'token-222',
};
const freeTier = SERVICES.freetier.load() as JsonServiceSpec;
const calculator = SERVICES['bcm-pricing-calculator'].load() as JsonServiceSpec;

function options(overrides: Record<string, string> = { AWS_ENDPOINT_URL: fake.url }) {
  return { region: 'us-east-1', credentials: async () => credentials, endpointOverrides: overrides };
}

/** Re-computes the SigV4 signature of a received request over the headers it says it signed, as AWS does. */
async function verifySignature(call: RecordedCall, service: string): Promise<void> {
  const auth = String(call.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1].split(';');
  const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(call.headers[h])]));
  const amzDate = String(call.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T` +
      `${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  // The signer signs the payload through this header, so it must be the hash of the body actually received.
  const body = JSON.stringify(call.body);
  expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials, sha256: Sha256 });
  const resigned = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      headers,
      body,
    }),
    { signingDate },
  );
  expect(resigned.headers.authorization).toBe(auth);
}

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

test('signs a JSON 1.0 call with SigV4 for the service scope and region, target and content type', async () => {
  fake.on('freetier:GetFreeTierUsage', () => ({
    freeTierUsages: [{ service: 'AWS Lambda', limit: 1000000 }],
  }));
  const out = await callJsonService<{ freeTierUsages: unknown[] }>(
    freeTier,
    'GetFreeTierUsage',
    { maxResults: 1000 },
    options(),
  );
  expect(out).toEqual({ freeTierUsages: [{ service: 'AWS Lambda', limit: 1000000 }] });
  const [call] = fake.callsTo('freetier:GetFreeTierUsage');
  expect(call.headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=ASIA222222222222\/\d{8}\/us-east-1\/freetier\/aws4_request, SignedHeaders=[^,]*x-amz-target[^,]*, Signature=[0-9a-f]{64}$/,
  );
  expect(call.headers['x-amz-target']).toBe('AWSFreeTierService.GetFreeTierUsage');
  expect(call.headers['content-type']).toBe('application/x-amz-json-1.0');
  // Assumed-role credentials carry their session token.
  expect(call.headers['x-amz-security-token']).toBe('token-222');
  expect(call.body).toEqual({ maxResults: 1000 });
  await verifySignature(call, 'freetier');
});

test('signs Pricing Calculator calls with its own name and target prefix', async () => {
  fake.on('bcm-pricing-calculator:ListWorkloadEstimates', () => ({ items: [] }));
  await callJsonService(calculator, 'ListWorkloadEstimates', {}, options());
  const [call] = fake.callsTo('bcm-pricing-calculator:ListWorkloadEstimates');
  expect(call.region).toBe('us-east-1');
  expect(call.headers['x-amz-target']).toBe('AWSBCMPricingCalculator.ListWorkloadEstimates');
  await verifySignature(call, 'bcm-pricing-calculator');
});

test('prefers AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL, and defaults to the public endpoint', async () => {
  fake.on('freetier:GetFreeTierUsage', () => ({ freeTierUsages: [] }));
  // Port 9 (discard) refuses connections: reaching the fake proves the service-specific variable won.
  await callJsonService(
    freeTier,
    'GetFreeTierUsage',
    {},
    {
      ...options({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_FREETIER: fake.url }),
      maxAttempts: 1,
    },
  );
  expect(fake.callsTo('freetier:GetFreeTierUsage')).toHaveLength(1);
  expect(freeTier.endpointEnvName).toBe('FREETIER');
  expect(calculator.endpointEnvName).toBe('BCM_PRICING_CALCULATOR');
  expect(freeTier.defaultEndpoint('us-east-1')).toBe('https://freetier.us-east-1.api.aws');
  expect(calculator.defaultEndpoint('us-east-1')).toBe('https://bcm-pricing-calculator.us-east-1.api.aws');
});

test('retries throttling and answers once AWS does', async () => {
  let n = 0;
  fake.on('freetier:GetFreeTierUsage', () =>
    ++n < 3 ? awsError('ThrottlingException', 'Rate exceeded') : { freeTierUsages: [] },
  );
  await expect(callJsonService(freeTier, 'GetFreeTierUsage', {}, options())).resolves.toEqual({
    freeTierUsages: [],
  });
  expect(fake.callsTo('freetier:GetFreeTierUsage')).toHaveLength(3);
});

test('gives up after maxAttempts on a persistent 5xx and surfaces it', async () => {
  fake.on('freetier:GetFreeTierUsage', () => awsError('InternalServerException', 'boom', 500));
  const err = await callJsonService(freeTier, 'GetFreeTierUsage', {}, { ...options(), maxAttempts: 2 }).catch(
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JsonServiceError);
  expect(err).toMatchObject({ name: 'InternalServerException', $metadata: { httpStatusCode: 500 } });
  expect(fake.callsTo('freetier:GetFreeTierUsage')).toHaveLength(2);
});

test('surfaces a client error by its __type without retrying, so the gateway classifies it', async () => {
  fake.on('freetier:GetFreeTierUsage', () =>
    awsError(
      'com.amazonaws.freetier#AccessDeniedException',
      'User: arn:aws:sts::222222222222:assumed-role/r/s is not authorized to perform: freetier:GetFreeTierUsage',
      403,
    ),
  );
  const err = await callJsonService(freeTier, 'GetFreeTierUsage', {}, options()).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
  expect(fake.callsTo('freetier:GetFreeTierUsage')).toHaveLength(1);
  const classified = classifyAwsError(err, 'freetier:GetFreeTierUsage', '222222222222');
  expect(classified.kind).toBe('access-denied');
  expect(classified.message).toMatch(/^Access denied for freetier:GetFreeTierUsage in account 222222222222/);
});

test('reads the error name from X-Amzn-ErrorType when the body has no __type', async () => {
  fake.on('freetier:GetFreeTierUsage', () =>
    reply({
      status: 400,
      body: { message: 'bad filter' },
      headers: { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/' },
    }),
  );
  const err = await callJsonService(freeTier, 'GetFreeTierUsage', {}, options()).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'ValidationException', message: 'bad filter' });
  expect(parseError('<html>', 502)).toEqual({ name: 'Http502', message: '' });
});

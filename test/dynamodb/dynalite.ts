import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';

// dynalite (an independent DynamoDB implementation on LevelDB, in memory here) stands in for the service: the
// tests never model DynamoDB themselves.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs?: number }) => import('node:http').Server;

/** Credentials dynalite accepts (it checks that requests are signed, not by whom). */
export const DYNALITE_CREDENTIALS = { accessKeyId: 'AKIDDYNALITE', secretAccessKey: 'dynalite-secret' };

/** A running dynalite on 127.0.0.1. */
export interface Dynalite {
  readonly url: string;
  /** An SDK client pointed at it. */
  readonly client: DynamoDBClient;
  /** Creates a table shaped as SHARED_CACHE_TABLE must be: partition key string `key`, on-demand. */
  createCacheTable(name: string): Promise<void>;
  /** How many items the table holds. */
  itemCount(name: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts dynalite in this process on a free loopback port. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0 });
  let inFlight = 0;
  server.on('request', (_req, res: import('node:http').ServerResponse) => {
    inFlight++;
    res.once('close', () => inFlight--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: DYNALITE_CREDENTIALS,
  });
  return {
    url,
    client,
    async createCacheTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async itemCount(name) {
      const out = await client.send(new ScanCommand({ TableName: name, Select: 'COUNT' }));
      return out.Count ?? 0;
    },
    async stop() {
      client.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Requests in flight (a server's background cache writes) finish first: dynalite closes its database when its
      // HTTP server closes, and a write that reaches a closed database throws in this process, ending the test run.
      const deadline = Date.now() + 5_000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      server.closeAllConnections?.();
      await closed;
    },
  };
}

#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { ConfigError, parseConfig } from '../lib/config';

// The only place that reads context: cdk.json's "context" merged with `-c key=value` flags.
const app = new App();
try {
  buildApp(app, parseConfig(app.node.getAllContext() as Record<string, unknown>));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

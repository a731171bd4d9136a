import * as path from 'node:path';
import { bundleServer } from '../server/bundle';

/** Bundles the server once (server.js): the end-to-end tests run exactly the files the image runs. */
export default function globalSetup(): void {
  bundleServer(path.join(__dirname, '..', 'server', 'dist'));
}

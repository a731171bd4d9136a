import * as path from 'node:path';
import { bundleServer } from '../server/bundle';

/** Bundles the server once: the end-to-end tests run exactly the file the container image runs. */
export default function globalSetup(): void {
  bundleServer(path.join(__dirname, '..', 'server', 'dist'));
}

import * as path from 'node:path';

// Where `npm test`'s pretest (scripts/ensure-conformance.mjs) installs the conformance suite and the Node 22 the
// image runs, apart from the project's own node_modules (see package.json here).

/** The suite's own node_modules. */
export const CONFORMANCE_MODULES = path.join(__dirname, 'node_modules');

/** The `node@22` package's binary: the Node the image runs, and the one the conformance suite needs. */
export const NODE22 = path.join(CONFORMANCE_MODULES, 'node', 'bin', 'node');

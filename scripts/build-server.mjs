// `npm run build:server` (and `npm start`): bundles the server into server/dist/server.js, exactly as the tests and
// the container image do, through the one bundler definition in
// server/bundle.ts (loaded as CommonJS by tsx, so its __dirname is the real one).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { require as tsxRequire } from 'tsx/cjs/api';

const { bundleServer, BUNDLE_FILES } = tsxRequire('../server/bundle.ts', import.meta.url);
const outfile = bundleServer(fileURLToPath(new URL('../server/dist', import.meta.url)));
console.log(`bundled ${BUNDLE_FILES.map((f) => path.join(path.dirname(outfile), f)).join(', ')}`);

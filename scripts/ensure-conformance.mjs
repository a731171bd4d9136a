// `npm test` runs this first (pretest): installs the MCP conformance suite and the Node 22 it needs into
// test/conformance/node_modules from that folder's own lockfile, unless they are already there at the locked
// versions. A package of its own so that Node 22's `node` does not shadow the machine's Node in this project's scripts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../test/conformance/', import.meta.url));
const locked = (file) => {
  try {
    const { packages } = JSON.parse(readFileSync(new URL(file, `file://${dir}`), 'utf8'));
    return JSON.stringify(
      ['node_modules/@modelcontextprotocol/conformance', 'node_modules/node'].map(
        (p) => packages?.[p]?.version,
      ),
    );
  } catch {
    return undefined;
  }
};
const installed =
  existsSync(`${dir}node_modules/.bin/conformance`) && existsSync(`${dir}node_modules/.bin/node`);
if (!installed || locked('node_modules/.package-lock.json') !== locked('package-lock.json')) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
}

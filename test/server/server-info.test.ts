import {
  LATEST_PROTOCOL_VERSION as SDK_LATEST,
  SUPPORTED_PROTOCOL_VERSIONS as SDK_SUPPORTED,
} from '@modelcontextprotocol/sdk/types.js';
import {
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  TOOL_NAMES,
} from '../../server/src/server-info';
import { TOOLS } from '../../server/src/tools';

// server-info.ts copies what the front needs to answer `initialize` without loading the SDK or the tools; these
// copies must never drift from the originals.

test('the protocol versions are the MCP SDK’s own (copy them again after an SDK upgrade)', () => {
  expect(LATEST_PROTOCOL_VERSION).toBe(SDK_LATEST);
  expect(SUPPORTED_PROTOCOL_VERSIONS).toEqual(SDK_SUPPORTED);
});

test('TOOL_NAMES lists every tool of TOOLS, in the same order', () => {
  expect(TOOL_NAMES).toEqual(TOOLS.map((t) => t.name));
});

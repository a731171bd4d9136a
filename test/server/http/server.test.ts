import { normaliseMessage } from '../../../server/src/http/server';

describe('normaliseMessage', () => {
  test('drops params: null (AgentCore ping) so the MCP SDK accepts the request', () => {
    expect(normaliseMessage({ jsonrpc: '2.0', id: 1, method: 'ping', params: null })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
    });
  });

  test('leaves real params, missing params and non-objects alone', () => {
    const withParams = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    expect(normaliseMessage(withParams)).toBe(withParams);
    const without = { jsonrpc: '2.0', id: 3, method: 'ping' };
    expect(normaliseMessage(without)).toBe(without);
    expect(normaliseMessage('text')).toBe('text');
    expect(normaliseMessage(null)).toBeNull();
    const batch = [{ jsonrpc: '2.0', id: 4, method: 'ping', params: null }];
    expect(normaliseMessage(batch)).toBe(batch);
  });
});

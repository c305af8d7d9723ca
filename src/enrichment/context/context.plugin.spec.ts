import { jest } from '@jest/globals';
import type { ContextRepository } from './context.repository.js';
import type { ContextMatches } from './context.types.js';
import { ContextPlugin } from './context.plugin.js';

describe(ContextPlugin.name, () => {
  it('looks the whole batch up in one call and sets each alert user', async () => {
    const matches: ContextMatches = {
      ipUsers: new Map([['10.1.2.3', { userName: 'carol', network: '10.1.0.0/16' }]]),
      assets: new Map(),
    };
    const lookup = jest.fn(() => Promise.resolve(matches));
    const sut = new ContextPlugin({ lookup } as unknown as ContextRepository);

    const results = await sut.enrich([
      { source: 'ips', srcIp: '10.1.2.3', dstIp: '8.8.8.8' },
      { source: 'ips', srcIp: '10.1.2.3', dstIp: null },
      { source: 'nac', srcIp: null, dstIp: null },
    ]);

    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith(['10.1.2.3', '8.8.8.8'], ['ips', 'nac']);
    expect(results.map((r) => r.fields?.user)).toEqual(['carol', 'carol', null]);
    expect(results[0].data).toMatchObject({ user: 'carol', user_network: '10.1.0.0/16' });
    expect(results[2].data).toBeNull();
  });
});

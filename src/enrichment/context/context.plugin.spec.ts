import { jest } from '@jest/globals';
import type { ContextSnapshot } from './context-index.js';
import type { ContextRepository } from './context.repository.js';
import { ContextPlugin } from './context.plugin.js';

/** A repository answering from a mutable snapshot, counting its reads. */
function repository(snapshot: ContextSnapshot) {
  const version = jest.fn(() => Promise.resolve(snapshot.version));
  const read = jest.fn(() => Promise.resolve(structuredClone(snapshot)));
  return {
    snapshot,
    version,
    read,
    sut: new ContextPlugin({ version, snapshot: read } as unknown as ContextRepository),
  };
}

describe(ContextPlugin.name, () => {
  it("sets each alert's user from its most specific network, and null context when nothing is known", async () => {
    const { sut } = repository({
      version: '1',
      ipUsers: [
        { network: '10.0.0.0/8', userName: 'corp' },
        { network: '10.1.0.0/16', userName: 'carol' },
      ],
      assets: [],
    });
    const results = await sut.enrich([
      { source: 'ips', srcIp: '10.1.2.3', dstIp: '8.8.8.8' },
      { source: 'ips', srcIp: '10.9.9.9', dstIp: null },
      { source: 'nac', srcIp: null, dstIp: null },
    ]);
    expect(results.map((r) => r.fields?.user)).toEqual(['carol', 'corp', null]);
    expect(results[0].data).toMatchObject({ user: 'carol', user_network: '10.1.0.0/16' });
    expect(results[2].data).toBeNull();
  });

  it('reads the tables once while their version stays, and again when it moves', async () => {
    const { snapshot, version, read, sut } = repository({
      version: '7',
      ipUsers: [{ network: '10.0.0.0/8', userName: 'corp' }],
      assets: [],
    });
    const batch = [{ source: 'ips', srcIp: '10.1.2.3', dstIp: null }];
    await sut.enrich(batch);
    await sut.enrich(batch);
    expect(version).toHaveBeenCalledTimes(2);
    expect(read).toHaveBeenCalledTimes(1);

    snapshot.version = '8';
    snapshot.ipUsers = [{ network: '10.1.2.0/24', userName: 'team-x' }];
    const [result] = await sut.enrich(batch);
    expect(read).toHaveBeenCalledTimes(2);
    expect(result.fields?.user).toBe('team-x');
  });

  it('reads the tables for every batch when the version row is missing', async () => {
    const { read, sut } = repository({ version: null, ipUsers: [], assets: [] });
    await sut.enrich([{ source: 'ips', srcIp: null, dstIp: null }]);
    await sut.enrich([{ source: 'ips', srcIp: null, dstIp: null }]);
    expect(read).toHaveBeenCalledTimes(2);
  });
});

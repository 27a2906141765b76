import { createHash } from 'node:crypto';
import { ApiKeyring } from './api-keyring';

const sha = (key: string) => createHash('sha256').update(key).digest('hex');

describe('ApiKeyring', () => {
  it('knows a generated key by its hash alone, with its name and roles', () => {
    const { key, entry } = ApiKeyring.generate('alice', ['auditor']);
    expect(key).toMatch(/^cfk_[A-Za-z0-9_-]{43}$/);
    expect(entry.sha256).toBe(sha(key));
    expect(JSON.stringify(entry)).not.toContain(key);
    const ring = new ApiKeyring([entry]);
    expect(ring.authenticate(key)).toEqual({ name: 'alice', roles: ['auditor'] });
    expect(ring.authenticate(`${key}x`)).toBeNull();
    expect(ring.authenticate('')).toBeNull();
  });

  it('parses name:role[+role]:sha256 entries and formats them back', () => {
    const text = `alice:auditor:${sha('a')}, bob:ingest+admin:${sha('b')}`;
    const entries = ApiKeyring.parse(text);
    expect(entries).toEqual([
      { name: 'alice', roles: ['auditor'], sha256: sha('a') },
      { name: 'bob', roles: ['ingest', 'admin'], sha256: sha('b') },
    ]);
    expect(ApiKeyring.parse(ApiKeyring.format(entries))).toEqual(entries);
    expect(new ApiKeyring(entries).authenticate('b')).toEqual({ name: 'bob', roles: ['ingest', 'admin'] });
    expect(ApiKeyring.parse('')).toEqual([]);
  });

  it.each([
    ['alice:auditor', /expected name:role/],
    [`alice:reader:${sha('a')}`, /"reader" is not a role/],
    ['alice:auditor:abc', /64 lower-case hex/],
    [`alice:auditor:${sha('a').toUpperCase()}`, /64 lower-case hex/],
    [`al ice:auditor:${sha('a')}`, /a name is/],
    [`a:auditor:${sha('a')},a:admin:${sha('b')}`, /used twice/],
    [`a:auditor:${sha('a')}:extra`, /expected name:role/],
  ])('refuses %s with a message that names the entry and never echoes a hash', (text, message) => {
    expect(() => ApiKeyring.parse(text)).toThrow(message);
    try {
      ApiKeyring.parse(text);
    } catch (error) {
      expect((error as Error).message).not.toContain(sha('a'));
    }
  });
});

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRole, Role } from './role';

/** A key as configured: its name (who, in the access log), its roles, and the SHA-256 of the secret. */
export interface ApiKeyEntry {
  name: string;
  roles: readonly Role[];
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
}

export interface ApiPrincipal {
  name: string;
  roles: readonly Role[];
}

const KEY_PREFIX = 'cfk_';

/**
 * The configured API keys. Only hashes are held: keys are 256-bit random secrets, so a plain
 * SHA-256 cannot be reversed and needs no salt or stretching. Every entry is compared, in constant
 * time, so neither the answer nor its timing says which entry a key came close to.
 */
export class ApiKeyring {
  private readonly entries: { entry: ApiKeyEntry; digest: Buffer }[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.entries = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  }

  get size(): number {
    return this.entries.length;
  }

  authenticate(key: string): ApiPrincipal | null {
    const digest = sha256(key);
    let found: ApiKeyEntry | null = null;
    for (const { entry, digest: expected } of this.entries) {
      if (timingSafeEqual(digest, expected) && found === null) found = entry;
    }
    return found ? { name: found.name, roles: found.roles } : null;
  }

  /** A new random key for `name` with `roles`: the secret (shown once) and the entry to configure. */
  static generate(name: string, roles: readonly Role[]): { key: string; entry: ApiKeyEntry } {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    return { key, entry: { name, roles, sha256: sha256(key).toString('hex') } };
  }

  /**
   * `name:role[+role…]:sha256hex`, comma-separated (CAPFLOW_API_KEYS). Throws a message naming the
   * bad entry by its position and name, never echoing a hash.
   */
  static parse(text: string): ApiKeyEntry[] {
    const entries: ApiKeyEntry[] = [];
    const names = new Set<string>();
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .forEach((part, index) => {
        const [name, roles, hash, ...rest] = part.split(':');
        const where = `entry ${index + 1}${name ? ` (${JSON.stringify(name.slice(0, 64))})` : ''}`;
        if (rest.length > 0 || hash === undefined) throw new Error(`${where}: expected name:role[+role]:sha256hex`);
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new Error(`${where}: a name is 1–64 letters, digits, ".", "_" or "-"`);
        if (names.has(name)) throw new Error(`${where}: the name is used twice`);
        const roleList = roles.split('+');
        const bad = roleList.find((role) => !isRole(role));
        if (bad !== undefined) throw new Error(`${where}: ${JSON.stringify(bad.slice(0, 32))} is not a role (auditor, ingest, admin)`);
        if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`${where}: the hash must be 64 lower-case hex digits (SHA-256 of the key)`);
        names.add(name);
        entries.push({ name, roles: [...new Set(roleList)] as Role[], sha256: hash });
      });
    return entries;
  }

  static format(entries: readonly ApiKeyEntry[]): string {
    return entries.map((entry) => `${entry.name}:${entry.roles.join('+')}:${entry.sha256}`).join(',');
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

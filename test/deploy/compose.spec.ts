/**
 * The deployment files agree with each other: every service the deployment guide lists (its
 * "Services" table) is in infra/deploy/compose.yaml with a health check, and the other way round;
 * every named volume a service uses is declared, and every store has one of its own; the capflow
 * services run the commands and the store URL the guide describes. It only reads files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseStoreUrl } from '@capflow/event-store';

const DEPLOY = resolve(__dirname, '../../infra/deploy');

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean; interval?: string };
  depends_on?: Record<string, { condition?: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** compose.yaml as docker compose reads it (merge keys included). */
const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as Compose;
const guide = readFileSync(join(DEPLOY, 'DEPLOYMENT.md'), 'utf8');

/** The rows of the guide's "## Services" table, by their first cell: `name`. */
function guideServices(): Map<string, string[]> {
  const section = guide.split(/^## /m).find((part) => part.startsWith('Services\n'));
  if (!section) throw new Error('DEPLOYMENT.md has no "## Services" section');
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const name = /^`([a-z0-9_-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (name) rows.set(name, cells);
  }
  return rows;
}

/** The named volumes a service mounts (not bind mounts of host paths). */
function namedVolumes(service: Service): string[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const source = volume.split(':')[0];
      return volume.includes(':') && !/^[./~$]/.test(source) ? [source] : [];
    }
    return volume.type === 'volume' || (volume.type === undefined && volume.source && !/^[./~]/.test(volume.source)) ? [volume.source!] : [];
  });
}

const named = guideServices();

describe('the deployment guide and compose.yaml', () => {
  it('the guide lists the services of the stack', () => {
    expect([...named.keys()].sort()).toEqual(['audit-api', 'ingest', 'kafka', 'kurrentdb', 'postgres', 'projector']);
  });

  it.each([...named.keys()])('%s is in compose.yaml, with a health check', (name) => {
    const service = compose.services[name];
    expect(service).toBeDefined();
    expect(service.healthcheck).toBeDefined();
    expect(service.healthcheck!.disable).not.toBe(true);
    const test = service.healthcheck!.test;
    expect(Array.isArray(test) ? test.length > 1 && test[0] !== 'NONE' : typeof test === 'string' && test.length > 0).toBe(true);
  });

  it('compose.yaml runs nothing the guide does not describe', () => {
    expect(Object.keys(compose.services).filter((name) => !named.has(name))).toEqual([]);
  });

  it('every named volume a service mounts is declared, and every declared one is used', () => {
    const used = new Set(Object.values(compose.services).flatMap(namedVolumes));
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    expect([...used].filter((volume) => !declared.has(volume))).toEqual([]);
    expect([...declared].filter((volume) => !used.has(volume))).toEqual([]);
  });

  it('each store keeps its data in a volume of its own, the one the guide names', () => {
    const owners = new Map<string, string[]>();
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of namedVolumes(service)) owners.set(volume, [...(owners.get(volume) ?? []), name]);
    }
    for (const store of ['kurrentdb', 'kafka', 'postgres']) {
      const volumes = namedVolumes(compose.services[store]);
      expect(volumes).toHaveLength(1);
      expect(owners.get(volumes[0])).toEqual([store]);
      expect(named.get(store)).toContain(`\`${volumes[0]}\``);
    }
  });

  it('the images the guide names are the ones compose.yaml runs', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const image = service.image!;
      expect(named.get(name)![1]).toContain(`\`${image}`);
    }
  });
});

describe("compose.yaml's capflow services", () => {
  const capflow = ['ingest', 'projector', 'audit-api'].map((name) => [name, compose.services[name]] as const);

  it('are built from the Dockerfile beside it, from the repository root', () => {
    for (const [, service] of capflow) {
      expect(service.build).toEqual({ context: '../..', dockerfile: 'infra/deploy/Dockerfile' });
      expect(existsSync(resolve(DEPLOY, service.build!.context!, service.build!.dockerfile!))).toBe(true);
    }
    expect(existsSync(join(DEPLOY, 'Dockerfile.dockerignore'))).toBe(true);
  });

  it('run ingest, project, and the audit API', () => {
    expect(compose.services.ingest.command).toEqual(['ingest']);
    expect(compose.services.projector.command).toEqual(['project']);
    expect(compose.services['audit-api'].entrypoint).toEqual(['node', 'dist/apps/audit-api/src/main.js']);
    expect(readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8')).toMatch(/ENTRYPOINT \["node", "apps\/capflow\/bin\/capflow\.js"\]/);
  });

  it('share one store URL: the log in KurrentDB, the read models in PostgreSQL', () => {
    for (const [, service] of capflow) {
      const url = String(service.environment!.CAPFLOW_STORE);
      expect(parseStoreUrl(url)).toEqual({ kind: 'esdb', url, readModels: 'postgres://capflow@postgres:5432/capflow' });
      expect(url).toContain('kurrentdb:2113');
      expect(service.environment!.KAFKA_BROKERS).toBe('kafka:9092');
      expect(service.environment!.PGPASSWORD).toBeDefined();
      expect(Object.keys(service.depends_on ?? {}).sort()).toEqual(['kafka', 'kurrentdb', 'postgres']);
      expect(Object.values(service.depends_on!).every((dependency) => dependency.condition === 'service_healthy')).toBe(true);
    }
  });

  it('listen on every interface in their containers, on the ports their health checks ask', () => {
    const ingest = compose.services.ingest;
    expect(ingest.environment).toMatchObject({ CAPFLOW_INGEST_HOST: '0.0.0.0', CAPFLOW_INGEST_PORT: 8091 });
    expect(JSON.stringify(ingest.healthcheck!.test)).toContain('127.0.0.1:8091/health');
    const api = compose.services['audit-api'];
    expect(api.environment).toMatchObject({ CAPFLOW_API_HOST: '0.0.0.0', CAPFLOW_API_PORT: 8080 });
    expect(JSON.stringify(api.healthcheck!.test)).toContain('127.0.0.1:8080/health');
  });
});

import { isQueryError, QueryErrorCode } from '@capflow/queries';
import type { ProjectionName, ProjectionState, ReadModelStore } from '@capflow/read-models';
import { StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { gunzipSync } from 'node:zlib';
import { ReportCache } from './report-cache';

/** Read models in memory: one projection's state and documents, moved as the projector would. */
class FakeReadModels {
  state: ProjectionState | undefined = { generation: 1, position: 100, digest: 'd1' };
  documents = new Map<string, unknown>([['fifo', { roundTrips: [{ investmentId: 'a', amount: '1' }] }]]);
  documentReads = 0;
  stateReads = 0;
  /** Runs during the next document read (the projector writing meanwhile). */
  duringRead: (() => void) | null = null;

  async states(): Promise<Map<ProjectionName, ProjectionState>> {
    this.stateReads += 1;
    return new Map(this.state ? [['round-trips', { ...this.state }]] : []);
  }

  async document(_projection: ProjectionName, name: string): Promise<unknown | null> {
    this.documentReads += 1;
    const during = this.duringRead;
    this.duringRead = null;
    during?.();
    await Promise.resolve();
    const document = this.documents.get(name);
    return document === undefined ? null : structuredClone(document);
  }

  /** A flush: documents and checkpoint together. */
  move(position: number, digest: string, fifo: unknown, generation = this.state!.generation): void {
    this.documents.set('fifo', fifo);
    this.state = { generation, position, digest };
  }
}

function setup() {
  const readModels = new FakeReadModels();
  const cache = new ReportCache(readModels as unknown as ReadModelStore);
  return { readModels, cache };
}

const settle = () => new Promise((done) => setImmediate(done));

describe('ReportCache', () => {
  it('answers the JSON the read model holds, and reads it once while its state stays', async () => {
    const { readModels, cache } = setup();
    const first = await cache.current('round-trips', 'fifo');
    expect(first!.bytes.toString('utf8')).toBe(JSON.stringify(readModels.documents.get('fifo')));
    await settle();
    const again = await cache.current('round-trips', 'fifo');
    expect(again).toBe(first);
    expect(readModels.documentReads).toBe(1);
  });

  it('reads the document again as soon as the checkpoint moves: a new fact is never hidden', async () => {
    const { readModels, cache } = setup();
    const before = await cache.current('round-trips', 'fifo');
    await settle();
    readModels.move(101, 'd2', { roundTrips: [{ investmentId: 'a', amount: '2' }] });
    const after = await cache.current('round-trips', 'fifo');
    expect(after!.bytes.toString('utf8')).toContain('"amount":"2"');
    expect(after!.etag).not.toBe(before!.etag);
    expect(readModels.documentReads).toBe(2);
  });

  it('reads it again after a rebuild switched the generation, even at the same position', async () => {
    const { readModels, cache } = setup();
    await cache.current('round-trips', 'fifo');
    await settle();
    readModels.move(100, 'd3', { roundTrips: [] }, 2);
    expect((await cache.current('round-trips', 'fifo'))!.bytes.toString('utf8')).toBe('{"roundTrips":[]}');
  });

  it('keeps nothing read while the projector moved: the text could be of a later state', async () => {
    const { readModels, cache } = setup();
    readModels.duringRead = () => readModels.move(101, 'd2', { roundTrips: [{ investmentId: 'b', amount: '5' }] });
    const raced = await cache.current('round-trips', 'fifo');
    expect(raced!.bytes.toString('utf8')).toContain('"b"'); // what the store held: newer than the state seen first, never older
    await settle();
    // Were the state to read as the first one again, the text read then is not answered for it
    readModels.move(100, 'd1', { roundTrips: [{ investmentId: 'a', amount: '1' }] });
    const next = await cache.current('round-trips', 'fifo');
    expect(next!.bytes.toString('utf8')).toContain('"a"');
    expect(readModels.documentReads).toBe(2);
  });

  it('shares one read among concurrent requests', async () => {
    const { readModels, cache } = setup();
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.current('round-trips', 'fifo')));
    expect(new Set(answers).size).toBe(1);
    expect(readModels.documentReads).toBe(1);
  });

  it('forgets a failed read', async () => {
    const { readModels, cache } = setup();
    readModels.duringRead = () => {
      throw new Error('disk');
    };
    await expect(cache.current('round-trips', 'fifo')).rejects.toThrow('disk');
    await settle();
    expect((await cache.current('round-trips', 'fifo'))!.bytes.toString('utf8')).toContain('"a"');
  });

  it('answers null before the read model is built, and send() a not-ready error (503)', async () => {
    const { readModels, cache } = setup();
    readModels.state = undefined;
    expect(await cache.current('round-trips', 'fifo')).toBeNull();
    const error = await cache.send(request(), response().response, 'round-trips', 'fifo').catch((e: unknown) => e);
    expect(isQueryError(error) && error.code === QueryErrorCode.NotReady).toBe(true);
  });

  it('send() answers the JSON text with its type and ETag', async () => {
    const { readModels, cache } = setup();
    const sent = response();
    const body = await cache.send(request(), sent.response, 'round-trips', 'fifo');
    expect(JSON.parse(await bytesOf(body))).toEqual(readModels.documents.get('fifo'));
    expect(sent.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(sent.headers.get('ETag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(sent.headers.has('Content-Encoding')).toBe(false);
    expect(sent.vary).toEqual(['Accept-Encoding']);
  });

  it('send() gzips for a client that accepts it, under an ETag of its own', async () => {
    const { readModels, cache } = setup();
    const plain = response();
    await cache.send(request(), plain.response, 'round-trips', 'fifo');
    const sent = response();
    const body = await cache.send(request({ gzip: true }), sent.response, 'round-trips', 'fifo');
    expect(sent.headers.get('Content-Encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await bytesOf(body, 'latin1'), 'latin1')).toString('utf8'))).toEqual(
      readModels.documents.get('fifo'),
    );
    expect(sent.headers.get('ETag')).not.toBe(plain.headers.get('ETag'));
  });

  it('send() answers 304 without a body to a client that holds the current ETag, and 200 once the report moved', async () => {
    const { readModels, cache } = setup();
    const first = response();
    await cache.send(request(), first.response, 'round-trips', 'fifo');
    const etag = first.headers.get('ETag')!;
    const again = response();
    expect(await cache.send(request({ ifNoneMatch: `"other", W/${etag}` }), again.response, 'round-trips', 'fifo')).toBe('');
    expect(again.status).toBe(304);
    readModels.move(101, 'd2', { roundTrips: [] });
    const moved = response();
    const body = await cache.send(request({ ifNoneMatch: etag }), moved.response, 'round-trips', 'fifo');
    expect(moved.status).toBeNull();
    expect(await bytesOf(body)).toBe('{"roundTrips":[]}');
  });
});

function request(options: { gzip?: boolean; ifNoneMatch?: string } = {}): Request {
  return {
    acceptsEncodings: () => (options.gzip ? 'gzip' : 'identity'),
    headers: options.ifNoneMatch === undefined ? {} : { 'if-none-match': options.ifNoneMatch },
  } as unknown as Request;
}

function response() {
  const sent = { headers: new Map<string, string>(), vary: [] as string[], status: null as number | null, response: {} as Response };
  sent.response = {
    setHeader: (name: string, value: string) => sent.headers.set(name, value),
    vary: (field: string) => sent.vary.push(field),
    status: (code: number) => (sent.status = code),
  } as unknown as Response;
  return sent;
}

async function bytesOf(body: StreamableFile | string, encoding: BufferEncoding = 'utf8'): Promise<string> {
  if (typeof body === 'string') return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body.getStream()) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString(encoding);
}

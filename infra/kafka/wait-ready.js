#!/usr/bin/env node
// Waits until a Kafka broker serves metadata, or fails.
//   node infra/kafka/wait-ready.js --brokers 127.0.0.1:PORT [--pid N] [--timeout-ms 90000] [--log FILE]
// Each round: the TCP port must accept, then kafkajs admin.describeCluster() must list the broker.
// Exits 0 when ready, 1 at the deadline, 2 as soon as the process --pid is gone.
// Without kafkajs installed (no `npm ci` yet) it falls back to the port plus "Kafka Server started" in --log.
'use strict';

const net = require('node:net');
const fs = require('node:fs');

function parseArgs(argv) {
  const out = { brokers: '', pid: 0, timeoutMs: 90_000, log: '' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--brokers') out.brokers = v;
    else if (k === '--pid') out.pid = Number(v);
    else if (k === '--timeout-ms') out.timeoutMs = Number(v);
    else if (k === '--log') out.log = v;
    else throw new Error(`unknown argument ${k}`);
    i++;
  }
  if (!/^[^:]+:\d+$/.test(out.brokers)) throw new Error('--brokers HOST:PORT is required');
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function portAccepts(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function loadKafkajs() {
  try {
    return require('kafkajs');
  } catch {
    return null;
  }
}

async function servesMetadata(kafkajs, brokers, port) {
  const kafka = new kafkajs.Kafka({
    clientId: 'capflow-wait-ready',
    brokers: [brokers],
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.some((b) => b.port === port)) {
      throw new Error(`metadata lists no broker on port ${port} yet (${JSON.stringify(cluster.brokers)})`);
    }
    return cluster;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const [host, portText] = args.brokers.split(':');
  const port = Number(portText);
  const deadline = Date.now() + args.timeoutMs;
  const kafkajs = loadKafkajs();
  if (!kafkajs) {
    process.stderr.write('wait-ready: kafkajs is not installed (run npm ci); waiting for the port and the log line only\n');
  }
  let last = 'the port never accepted';
  while (Date.now() < deadline) {
    if (!alive(args.pid)) {
      process.stderr.write(`wait-ready: broker process ${args.pid} exited\n`);
      process.exit(2);
    }
    if (await portAccepts(host, port, 1000)) {
      try {
        if (kafkajs) {
          const cluster = await servesMetadata(kafkajs, args.brokers, port);
          process.stderr.write(`wait-ready: cluster ${cluster.clusterId}, broker(s) ${cluster.brokers.map((b) => b.nodeId).join(',')}\n`);
          return;
        }
        if (args.log && fs.readFileSync(args.log, 'utf8').includes('Kafka Server started')) return;
        last = 'the port accepts but the log has no "Kafka Server started" yet';
      } catch (e) {
        last = `metadata: ${e && e.message ? e.message : e}`;
      }
    } else {
      last = `port ${port} does not accept yet`;
    }
    await sleep(250);
  }
  process.stderr.write(`wait-ready: not ready after ${args.timeoutMs} ms: ${last}\n`);
  process.exit(1);
}

main().catch((e) => {
  process.stderr.write(`wait-ready: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});

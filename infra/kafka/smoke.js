#!/usr/bin/env node
// Hand-run smoke check of a broker from kafka.sh with the project's client (kafkajs):
//   eval "$(infra/kafka/kafka.sh start)" && KAFKA_BROKERS=$KAFKA_BROKERS node infra/kafka/smoke.js; infra/kafka/kafka.sh stop
// Creates a 3-partition topic, produces 100 keyed messages (acks -1), consumes them in a consumer group with
// autoCommit off and explicit commitOffsets after each processed batch, checks all 100 arrived in per-key order
// and the committed offsets, then exercises the other requests the project may send (idempotent and
// transactional producers, offsets, group admin, configs, partitions, record deletion, topic deletion).
'use strict';

const { Kafka, logLevel, Partitioners } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '').split(',').filter(Boolean);
if (brokers.length === 0) {
  console.error('KAFKA_BROKERS is not set (e.g. KAFKA_BROKERS=127.0.0.1:9092)');
  process.exit(2);
}

const run = `smoke-${process.pid}-${Date.now()}`;
const kafka = new Kafka({ clientId: run, brokers, logLevel: logLevel.WARN, retry: { retries: 8, initialRetryTime: 100 } });
const N = 100;
const results = [];

async function step(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t} ms)${detail ? ': ' + detail : ''}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  const topic = `${run}-events`;
  const groupId = `${run}-group`;

  await step('describeCluster', async () => {
    const c = await admin.describeCluster();
    return `cluster ${c.clusterId}, brokers ${c.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',')}, controller ${c.controller}`;
  });

  await step('createTopics 3 partitions, waitForLeaders', async () => {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    assert(created === true, `createTopics returned ${created}`);
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const parts = md.topics[0].partitions;
    assert(parts.length === 3 && parts.every((p) => p.leader === 1), `metadata ${JSON.stringify(parts)}`);
  });

  await step(`produce ${N} keyed messages (acks -1)`, async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const messages = Array.from({ length: N }, (_, i) => ({ key: `acct-${i % 7}`, value: JSON.stringify({ seq: i }) }));
    const res = await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();
    return `partitions ${[...new Set(res.map((r) => r.partition))].sort().join(',')}`;
  });

  await step('topic offsets sum to 100', async () => {
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    assert(total === N, `high-low sum ${total}`);
    return offsets.map((o) => `${o.partition}:${o.high}`).join(' ');
  });

  await step(`consume ${N} in group, autoCommit off, commitOffsets after processing`, async () => {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen = new Map(); // key -> seqs in arrival order
    let count = 0;
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${count} of ${N} within 60 s`)), 60_000);
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            for (const m of batch.messages) {
              if (!isRunning() || isStale()) break;
              const key = m.key.toString();
              if (!seen.has(key)) seen.set(key, []);
              seen.get(key).push(JSON.parse(m.value.toString()).seq);
              count++;
              resolveOffset(m.offset);
              await heartbeat();
            }
            const last = batch.messages[batch.messages.length - 1];
            if (last) {
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
              ]);
            }
            if (count >= N) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await done;
    await consumer.disconnect();
    assert(count === N, `received ${count}`);
    for (const [key, seqs] of seen) {
      const sorted = [...seqs].sort((a, b) => a - b);
      assert(JSON.stringify(seqs) === JSON.stringify(sorted), `key ${key} out of order: ${seqs}`);
    }
    const all = [...seen.values()].flat().sort((a, b) => a - b);
    assert(all.length === N && all.every((s, i) => s === i), 'missing or duplicate sequence numbers');
    return `${count} messages, ${seen.size} keys, per-key order kept`;
  });

  await step('committed group offsets sum to 100 (admin.fetchOffsets)', async () => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = t.partitions.reduce((n, p) => n + Number(p.offset), 0);
    assert(total === N, `committed sum ${total}: ${JSON.stringify(t.partitions)}`);
  });

  await step('a restarted consumer in the group gets nothing new', async () => {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let got = 0;
    await consumer.run({ eachMessage: async () => void got++ });
    await new Promise((r) => setTimeout(r, 3000));
    await consumer.disconnect();
    assert(got === 0, `re-received ${got}`);
  });

  await step('listGroups / describeGroups', async () => {
    const { groups } = await admin.listGroups();
    assert(
      groups.some((g) => g.groupId === groupId),
      'group not listed',
    );
    const d = await admin.describeGroups([groupId]);
    return `state ${d.groups[0].state}, protocolType ${d.groups[0].protocolType}`;
  });

  await step('idempotent producer', async () => {
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await p.connect();
    await p.send({ topic, acks: -1, messages: [{ key: 'idem', value: 'x' }] });
    await p.disconnect();
  });

  await step('transactional producer with sendOffsets (commit) and abort', async () => {
    const p = kafka.producer({
      transactionalId: `${run}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await p.connect();
    const tx = await p.transaction();
    await tx.send({ topic, messages: [{ key: 'tx', value: 'committed' }] });
    await tx.sendOffsets({ consumerGroupId: `${run}-txgroup`, topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
    await tx.commit();
    const tx2 = await p.transaction();
    await tx2.send({ topic, messages: [{ key: 'tx', value: 'aborted' }] });
    await tx2.abort();
    await p.disconnect();
  });

  await step('resetOffsets / setOffsets', async () => {
    await admin.resetOffsets({ groupId, topic, earliest: true });
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
  });

  await step('describeConfigs / alterConfigs', async () => {
    await admin.alterConfigs({ resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const c = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] });
    const v = c.resources[0].configEntries.find((e) => e.configName === 'retention.ms').configValue;
    assert(v === '3600000', `retention.ms ${v}`);
  });

  await step('createPartitions', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
  });

  await step('deleteTopicRecords', async () => {
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '1' }] });
  });

  await step('deleteGroups', async () => {
    await admin.deleteGroups([groupId]);
  });

  await step('deleteTopics', async () => {
    await admin.deleteTopics({ topics: [topic] });
  });

  await admin.disconnect();
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// The kafka tier's global setup: the build, then one real broker for the whole run (unless
// KAFKA_BROKERS names one), started by the same script developers and CI use. Its address
// reaches the test workers through the environment.
const { execFileSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const buildOnce = require('./build-once');

const KAFKA_SH = path.join(__dirname, '../../infra/kafka/kafka.sh');

async function setup() {
  await buildOnce();
  if (process.env.KAFKA_BROKERS) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'capflow-test-kafka-'));
  const out = execFileSync('bash', [KAFKA_SH, 'start', '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop() ?? '';
  if (!line.startsWith('KAFKA_BROKERS=')) throw new Error(`kafka.sh start printed no address: ${out}`);
  process.env.KAFKA_BROKERS = line.slice('KAFKA_BROKERS='.length);
  process.env.CAPFLOW_TEST_KAFKA_DIR = dir;
}

async function teardown() {
  const dir = process.env.CAPFLOW_TEST_KAFKA_DIR;
  if (dir) execFileSync('bash', [KAFKA_SH, 'stop', '--dir', dir], { stdio: 'inherit' });
}

module.exports = setup;
module.exports.teardown = teardown;

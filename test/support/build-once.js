// The e2e tier runs the command line as users do, from the build: make sure it is current
// once, before parallel workers start it (the launcher builds when stale, but not in parallel).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  execFileSync(process.execPath, [path.join(__dirname, '../../apps/capflow/bin/capflow.js'), '--help'], { stdio: 'ignore' });
};

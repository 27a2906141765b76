#!/usr/bin/env node
'use strict';
// Runs the capflow command line from a fresh clone: compiles the TypeScript with swc when the
// build is missing or older than a source file (about a second), then starts it.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const lock = path.join(root, 'node_modules', '.capflow-build.lock');

function newestSource(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh() {
  try {
    const built = fs.statSync(stamp).mtimeMs;
    const config = fs.statSync(path.join(root, '.swcrc')).mtimeMs;
    return built >= Math.max(config, ...['apps', 'libs', 'test/bench'].map((d) => newestSource(path.join(root, d))));
  } catch {
    return false;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function build() {
  // Another capflow process may be building: wait for it rather than race it.
  for (let waited = 0; ; waited += 100) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (waited > 120000) fs.rmSync(lock, { recursive: true, force: true });
      sleep(100);
      if (isFresh()) return;
    }
  }
  try {
    if (isFresh()) return;
    execFileSync(process.execPath, [require.resolve('@swc/cli/bin/swc.js'), 'apps', 'libs', 'test/bench', '-d', 'dist', '--quiet'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    fs.writeFileSync(stamp, new Date().toISOString());
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

if (!isFresh()) build();
require(path.join(dist, 'apps/capflow/src/main.js'));

'use strict';
/*
 * Extra staff accounts for a running test server, with any role (the server module creates
 * agents only). Uses the shipped CLI, `loket user add`, against the server's data directory, as
 * an operator would.
 *
 * Layout:
 *   AUDITOR                     an auditor account (role auditor; never sees message text)
 *   addStaff(server, account)   creates `account` ({username, displayName, role, password})
 */

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { REPO_ROOT } = require('./server');

const LOKET_BIN = process.env.LOKET_BIN || path.join(REPO_ROOT, 'target', 'debug', 'loket');
const TIMEOUT_MS = 20000;

/** Passwords are >= 12 characters as the server demands. */
const AUDITOR = { username: 'audrey', displayName: 'Audrey', role: 'auditor', password: 'audrey-e2e-password-123' };

function addStaff(server, account) {
  const result = spawnSync(
    LOKET_BIN,
    ['user', 'add', '--data-dir', server.dataDir, '--role', account.role, '--display-name', account.displayName, '--password-stdin', '--ai-literacy', 'e2e-training', account.username],
    { input: account.password, env: { ...process.env, RUST_LOG: 'warn' }, encoding: 'utf8', timeout: TIMEOUT_MS },
  );
  if (result.status !== 0) {
    throw new Error(`loket user add ${account.username} failed (${result.status}): ${result.stderr}`);
  }
}

module.exports = { AUDITOR, addStaff };

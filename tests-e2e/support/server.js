'use strict';
/*
 * A real `loket serve --demo` process on 127.0.0.1 with a fresh data directory, for the browser
 * tests. Nothing here fakes the server: the tests talk to the binary the project ships.
 *
 * Layout:
 *   startServer(options)   creates the agent accounts, starts the server, waits for its
 *                          "Loket serves on http://127.0.0.1:PORT/" line, returns a handle.
 *   handle.api(...)        a JSON request to the customer API, for seeding conversations.
 *   handle.stop()          SIGTERM (graceful shutdown), then removes the data directory.
 *   amsterdamDate(date)    today's date (YYYY-MM-DD) in the shop's time zone, for holidays.
 *
 * The binary is $LOKET_BIN or target/debug/loket; this module never builds it.
 */

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const LOKET_BIN = process.env.LOKET_BIN || path.join(REPO_ROOT, 'target', 'debug', 'loket');
const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 10000;
const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** Agents every test server has; passwords are ≥ 12 characters as the server demands. */
const AGENTS = {
  sanne: { username: 'sanne', displayName: 'Sanne', password: 'sanne-e2e-password-123' },
  pieter: { username: 'pieter', displayName: 'Pieter', password: 'pieter-e2e-password-123' },
};

/** The calendar date in Europe/Amsterdam (the demo shop's configured zone) as YYYY-MM-DD. */
function amsterdamDate(date = new Date()) {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/**
 * Business hours that make people available all day every day, optionally with today and
 * tomorrow as holidays so that nobody is (the closed-hours state), also when the run crosses
 * midnight in Amsterdam.
 */
function hoursEnvironment({ closedToday }) {
  const env = {};
  for (const day of WEEKDAYS) env[`LOKET_HOURS__${day}`] = '00:00-24:00';
  const now = new Date();
  const tomorrow = new Date(now.getTime() + 24 * 60 * 60 * 1000);
  env.LOKET_HOURS__HOLIDAYS = closedToday ? JSON.stringify([amsterdamDate(now), amsterdamDate(tomorrow)]) : '[]';
  return env;
}

function addAgent(dataDir, agent, env) {
  const result = spawnSync(
    LOKET_BIN,
    ['user', 'add', '--data-dir', dataDir, '--role', 'agent', '--display-name', agent.displayName, '--password-stdin', '--ai-literacy', 'e2e-training', agent.username],
    { input: agent.password, env, encoding: 'utf8', timeout: START_TIMEOUT_MS },
  );
  if (result.status !== 0) {
    throw new Error(`loket user add ${agent.username} failed (${result.status}): ${result.stderr}`);
  }
}

/**
 * Starts a server. `closedToday: true` makes today a holiday (nobody available); `env` adds or
 * overrides environment variables (`auth.second_factor` is `optional` unless it says otherwise).
 */
async function startServer({ closedToday = false, env: extraEnv = {} } = {}) {
  if (!fs.existsSync(LOKET_BIN)) {
    throw new Error(`no loket binary at ${LOKET_BIN}: run \`cargo build -p loket\` or set LOKET_BIN`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loket-e2e-'));
  const env = {
    ...process.env,
    ...hoursEnvironment({ closedToday }),
    RUST_LOG: process.env.RUST_LOG || 'warn',
    // The journeys log agents in with a password; second-factor.test.js sets `required`.
    LOKET_AUTH__SECOND_FACTOR: 'optional',
    ...extraEnv,
  };
  for (const agent of Object.values(AGENTS)) addAgent(dataDir, agent, env);

  const child = spawn(LOKET_BIN, ['serve', '--demo', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // If the test process dies before `stop()`, do not leave a server behind.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`loket serve did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const match = output.match(/Loket serves on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`loket serve exited early (code ${code}, signal ${signal}):\n${output}`));
    });
  });

  let stopped = false;
  return {
    baseUrl,
    dataDir,
    agents: AGENTS,
    /** Everything the server printed so far, for failure messages. */
    output: () => output,
    /**
     * A JSON request to the customer API (`token`: a conversation's bearer token, or null);
     * throws unless the answer is 2xx, and returns the parsed body.
     */
    async api(method, path, token, body) {
      const headers = { Accept: 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(new URL(path, baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
      return response.json();
    },
    /** Graceful shutdown with SIGTERM; resolves with the exit status. */
    async stop() {
      if (stopped) return exited;
      stopped = true;
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(() => resolve(null), STOP_TIMEOUT_MS).unref());
      const status = await Promise.race([exited, timeout]);
      if (status === null) {
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      return status;
    },
  };
}

module.exports = { startServer, amsterdamDate, AGENTS, REPO_ROOT };

'use strict';
/*
 * A node:test reporter that adds to the accessibility summary (target/e2e-accessibility.json, see
 * accessibility-summary.js) which requirements the browser tests checked in this run and how they
 * ended: every test or suite names the requirement ids it checks in its title ("A11Y-03 HUM-01:
 * ..."), and each id gets the number of such tests that passed and that failed. The compliance
 * report reads it: a requirement whose browser test failed is not met, and the accessibility
 * requirements get their status from these tests.
 *
 * It runs in the test runner's own process, after every test file has ended (the event stream is
 * over), so it is the last writer of the summary. It writes nothing when no scan wrote a summary
 * (a run of a single file without axe scans, say): a partial record would mislead. Output on
 * stdout: one line with how many ids were recorded.
 */

const fs = require('node:fs');
const { SUMMARY_PATH } = require('./accessibility-summary');

const REQUIREMENT_ID = /\b(?:DIS|HUM|ACC|A11Y|PRIV|PII|RET|SEC|GOV|FIN)-\d{2}\b/g;

function tally(requirements, name, outcome) {
  for (const id of new Set(String(name).match(REQUIREMENT_ID) || [])) {
    const entry = requirements[id] || (requirements[id] = { passed: 0, failed: 0 });
    entry[outcome] += 1;
  }
}

module.exports = async function* requirementsReporter(source) {
  const requirements = {};
  for await (const event of source) {
    if (event.type === 'test:pass' && !(event.data.skip || event.data.todo)) tally(requirements, event.data.name, 'passed');
    if (event.type === 'test:fail') tally(requirements, event.data.name, 'failed');
  }
  try {
    const summary = JSON.parse(fs.readFileSync(SUMMARY_PATH, 'utf8'));
    summary.requirements = Object.fromEntries(Object.keys(requirements).sort().map((id) => [id, requirements[id]]));
    const temporary = `${SUMMARY_PATH}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(summary, null, 2)}\n`);
    fs.renameSync(temporary, SUMMARY_PATH);
    yield `requirements checked by the browser tests: ${Object.keys(requirements).length} ids, recorded in ${SUMMARY_PATH}\n`;
  } catch (error) {
    yield `requirements not recorded: ${error.message}\n`;
  }
};

'use strict';
/*
 * A small JSON summary of every axe-core scan of one browser-test run, for the compliance
 * report's accessibility section (A11Y-01, GOV-07). Written to target/e2e-accessibility.json
 * (or $LOKET_ACCESSIBILITY_SUMMARY); `loket compliance report` reads it from there, and a
 * deployment copies it to DATA_DIR/accessibility.json for the server's report.
 *
 * Shape (what loket-service's AccessibilityRun parses):
 *   {"tool","generated_at","test_files","scans","states":["file: state"],
 *    "violations":{"critical","serious","moderate","minor"},"duration_ms"}
 * Violations count violated rules per impact, over all scans.
 *
 * `node --test` runs every test file in its own process, in parallel. So each process keeps its
 * own fragment, target/e2e-accessibility.d/<runner pid>-<pid>.json, and after every scan the
 * summary is rebuilt from all fragments of the same run (same parent process: the runner),
 * written to a temporary file and renamed, so a reader never sees half a file. Fragments of
 * earlier runs are removed. Recording never fails or slows a test beyond a file write: any error
 * is reported once on stderr and otherwise ignored.
 */

const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./server');

const SUMMARY_PATH = process.env.LOKET_ACCESSIBILITY_SUMMARY || path.join(REPO_ROOT, 'target', 'e2e-accessibility.json');
const FRAGMENT_DIR = path.join(REPO_ROOT, 'target', 'e2e-accessibility.d');
const RUN_PREFIX = `${process.ppid}-`;
const FRAGMENT_PATH = path.join(FRAGMENT_DIR, `${RUN_PREFIX}${process.pid}.json`);
const IMPACTS = ['critical', 'serious', 'moderate', 'minor'];

/** This process's scans. */
const fragment = {
  file: path.basename(process.argv[1] || 'unknown'),
  tool: 'axe-core',
  scans: [],
};
let warned = false;

function emptyCounts() {
  return Object.fromEntries(IMPACTS.map((impact) => [impact, 0]));
}

function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

function readFragments() {
  const fragments = [];
  for (const name of fs.readdirSync(FRAGMENT_DIR)) {
    const file = path.join(FRAGMENT_DIR, name);
    if (!name.endsWith('.json')) continue;
    if (!name.startsWith(RUN_PREFIX)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    try {
      fragments.push(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch (_error) {
      // Being renamed into place by another process right now: it is included by its own write.
    }
  }
  return fragments;
}

/** The summary over the fragments of this run. */
function summarise(fragments) {
  const violations = emptyCounts();
  let scans = 0;
  let durationMs = 0;
  const states = [];
  let tool = 'axe-core';
  for (const part of fragments) {
    if (!part || !Array.isArray(part.scans) || part.scans.length === 0) continue;
    tool = part.tool || tool;
    for (const scan of part.scans) {
      scans += 1;
      durationMs += Number(scan.duration_ms) || 0;
      states.push(`${part.file}: ${scan.state}`);
      for (const impact of IMPACTS) violations[impact] += Number(scan.violations && scan.violations[impact]) || 0;
    }
  }
  return {
    tool,
    generated_at: new Date().toISOString(),
    test_files: fragments.filter((part) => part && Array.isArray(part.scans) && part.scans.length > 0).length,
    scans,
    states: states.sort(),
    violations,
    duration_ms: durationMs,
  };
}

/** Records one axe-core result (`stateName` as in assertNoSeriousAxeViolations). */
function recordAxeResults(stateName, results, durationMs) {
  try {
    const counts = emptyCounts();
    for (const violation of (results && results.violations) || []) {
      if (violation.impact in counts) counts[violation.impact] += 1;
    }
    if (results && results.testEngine && results.testEngine.version) fragment.tool = `axe-core ${results.testEngine.version}`;
    fragment.scans.push({ state: String(stateName), violations: counts, duration_ms: Math.max(0, Math.round(durationMs)) });
    fs.mkdirSync(FRAGMENT_DIR, { recursive: true });
    writeAtomically(FRAGMENT_PATH, JSON.stringify(fragment));
    writeAtomically(SUMMARY_PATH, `${JSON.stringify(summarise(readFragments()), null, 2)}\n`);
  } catch (error) {
    if (!warned) {
      warned = true;
      process.stderr.write(`accessibility summary not written: ${error.message}\n`);
    }
  }
}

module.exports = { recordAxeResults, summarise, SUMMARY_PATH };

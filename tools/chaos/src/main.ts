import { parseArgs } from 'node:util';
import { scenarios, type ScenarioName } from './scenarios/index.js';

/**
 * `npm run chaos -- [<name>…] [--only <name>,…] [--duration <s>] [--seed N] [--json] [--short]`
 * Runs the reliability scenarios against real Postgres (DATABASE_URL or JOBBY_TEST_DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/test). Prints one JSON line per scenario on stdout
 * (with --json, nothing else goes to stdout); exits 1 if any scenario's checks failed.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    only: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    short: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
const names = Object.keys(scenarios) as ScenarioName[];
if (values.help) {
  process.stdout.write(`Usage: npm run chaos -- [<name>…] [--only <name>,…] [--duration <s>] [--seed N] [--json] [--short]\nScenarios: ${names.join(', ')}\n`);
  process.exit(0);
}
// Scenarios named as arguments (`npm run chaos -- submit-race`) or with --only; else all of them.
const requested = [...positionals, ...(values.only ? values.only.split(',') : [])].map((name) => name.trim()).filter(Boolean);
const selected = requested.length > 0 ? requested : names;
for (const name of selected) {
  if (!(name in scenarios)) {
    process.stderr.write(`error: unknown scenario "${name}"; known: ${names.join(', ')}\n`);
    process.exit(2);
  }
}
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isInteger(seed)) {
  process.stderr.write(`error: --seed must be an integer\n`);
  process.exit(2);
}
const durationS = values.duration !== undefined ? Number(values.duration) : undefined;
const log = (message: string) => process.stderr.write(`[chaos] ${message}\n`);
log(`seed ${seed} (replay with --seed ${seed})`);
let failed = false;
for (const name of selected as ScenarioName[]) {
  log(`${name}: running`);
  let line: Record<string, unknown>;
  try {
    const result = await scenarios[name]({ seed, durationS, short: values.short, log: (message) => log(`${name}: ${message}`) });
    line = result;
    if (!result.ok) failed = true;
  } catch (error) {
    failed = true;
    line = { scenario: name, seed, ok: false, failures: [`crashed: ${(error as Error).stack ?? String(error)}`] };
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (!values.json) log(`${name}: ${line.ok ? 'ok' : `FAILED: ${(line.failures as string[]).join('; ')}`}`);
}
process.exit(failed ? 1 : 0);

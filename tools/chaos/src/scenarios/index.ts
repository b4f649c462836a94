import type { Scenario } from '../scenario.js';
import { abandonedHandler } from './abandoned-handler.js';
import { adminFuzz } from './admin-fuzz.js';
import { claimRace } from './claim-race.js';
import { conflictingRows } from './conflicting-rows.js';
import { dbDownAtBoot } from './db-down-at-boot.js';
import { fanIn } from './fan-in.js';
import { flowControl } from './flow-control.js';
import { pgRestart } from './pg-restart.js';
import { poison } from './poison.js';
import { kill9 } from './kill9.js';
import { listenerBlackhole } from './listener-blackhole.js';
import { malformedRows } from './malformed-rows.js';
import { scheduleRace } from './schedule-race.js';
import { sigterm } from './sigterm.js';
import { submitRace } from './submit-race.js';
import { uniqueRace } from './unique-race.js';

export const scenarios = {
  'claim-race': claimRace,
  'fan-in': fanIn,
  kill9,
  poison,
  'pg-restart': pgRestart,
  'db-down-at-boot': dbDownAtBoot,
  sigterm,
  'malformed-rows': malformedRows,
  'conflicting-rows': conflictingRows,
  'unique-race': uniqueRace,
  'submit-race': submitRace,
  'listener-blackhole': listenerBlackhole,
  'abandoned-handler': abandonedHandler,
  'admin-fuzz': adminFuzz,
  'flow-control': flowControl,
  'schedule-race': scheduleRace,
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof scenarios;

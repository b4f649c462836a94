/**
 * Stage 3, verify: every problem of a run, all at once. Each message names both sides (the two
 * declarations, or a declaration and its lock entry) with package and `file:line`. Plain data in,
 * diagnostics out.
 */
import { cronProblem, maxCatchUpSlots, scheduleNamePattern } from '@jobby/core/schedules';
import { createDiagnostic, createWarning, formatLocation, sortDiagnostics, type CodegenDiagnostic, type SourceLocation } from '../diagnostics.js';
import { maxLocalId } from '../model/build-model.js';
import type { IdAssignment } from '../model/assign-ids.js';
import type { LoadedLock } from '../model/lock-file.js';
import type { CodegenModel, JobTypeModel, LimitModel, LimitValue, PayloadModel, PluginModel } from '../model/model.js';

export const pluginNamePattern = /^[a-z][a-z0-9_-]{0,62}$/;

export interface VerifyParams {
  readonly model: CodegenModel;
  readonly ids: IdAssignment;
  readonly previousLock: LoadedLock;
}

function at(location: SourceLocation | undefined, packageName: string): string {
  return `${formatLocation(location)}, ${packageName}`;
}

function lockAt(lock: LoadedLock, key: string): string {
  const line = lock.lines.get(key);
  return line === undefined ? lock.file : `${lock.file}:${line}`;
}

function verifyPluginNames(model: CodegenModel, diagnostics: CodegenDiagnostic[]): void {
  const byName = new Map<string, PluginModel>();
  for (const plugin of model.plugins) {
    if (!pluginNamePattern.test(plugin.name)) {
      diagnostics.push(
        createDiagnostic('PLUGIN_NAME_INVALID', `plugin name "${plugin.name}" (${at(plugin.location, plugin.package.name)}) must match ${pluginNamePattern}`, plugin.location),
      );
    }
    const first = byName.get(plugin.name);
    if (first) {
      diagnostics.push(
        createDiagnostic(
          'DUPLICATE_PLUGIN_NAME',
          `plugin name "${plugin.name}" is declared twice: by ${first.package.name} in ${first.package.directory} (${formatLocation(first.location)}) ` +
            `and by ${plugin.package.name} in ${plugin.package.directory} (${formatLocation(plugin.location)}); plugin names must be unique`,
          plugin.location,
        ),
      );
    } else {
      byName.set(plugin.name, plugin);
    }
  }
}

function verifyEnum(plugin: PluginModel, diagnostics: CodegenDiagnostic[]): void {
  const packageName = plugin.package.name;
  const enumAt = `enum ${plugin.enumName} (${formatLocation(plugin.enumLocation)})`;
  const byValue = new Map<number, JobTypeModel>();
  const byLowerName = new Map<string, JobTypeModel>();
  for (const jobType of plugin.jobTypes) {
    const member = jobType.member;
    if (member) {
      const where = at(member.location, packageName);
      if (member.valueKind === 'missing') {
        diagnostics.push(
          createDiagnostic('ENUM_VALUE_MISSING', `${jobType.fullName} (${where}) has no explicit value; give every member of ${enumAt} an explicit numeric value 0–${maxLocalId}`, member.location),
        );
      } else if (member.valueKind === 'not-literal') {
        diagnostics.push(
          createDiagnostic(
            'ENUM_VALUE_NOT_LITERAL',
            `${jobType.fullName} = ${member.initializerText} (${where}) is not a numeric literal; members of ${enumAt} need literal values 0–${maxLocalId}`,
            member.location,
          ),
        );
      } else if (member.value !== undefined && (!Number.isInteger(member.value) || member.value < 0 || member.value > maxLocalId)) {
        diagnostics.push(
          createDiagnostic('ENUM_VALUE_OUT_OF_RANGE', `${jobType.fullName} = ${member.initializerText} (${where}) is out of range; local ids of ${enumAt} are integers 0–${maxLocalId}`, member.location),
        );
      }
      if (member.value !== undefined) {
        const first = byValue.get(member.value);
        if (first?.member) {
          diagnostics.push(
            createDiagnostic(
              'DUPLICATE_ENUM_VALUE',
              `${first.fullName} (${formatLocation(first.member.location)}) and ${jobType.fullName} (${formatLocation(member.location)}) share the value ${member.value} in ${enumAt}, ${packageName}`,
              member.location,
            ),
          );
        } else {
          byValue.set(member.value, jobType);
        }
      }
    }
    const location = member?.location ?? jobType.declaration?.location;
    const lower = jobType.name.toLowerCase();
    const sameName = byLowerName.get(lower);
    if (sameName) {
      const sameLocation = sameName.member?.location ?? sameName.declaration?.location;
      diagnostics.push(
        createDiagnostic(
          'DUPLICATE_JOB_NAME',
          `${sameName.fullName} (${formatLocation(sameLocation)}) and ${jobType.fullName} (${formatLocation(location)}) have the same job name ignoring case, ${packageName}; job names must differ by more than case`,
          location,
        ),
      );
    } else {
      byLowerName.set(lower, jobType);
    }
    if (!member && jobType.declaration) {
      diagnostics.push(
        createDiagnostic(
          'JOB_DECLARATION_INVALID',
          `${jobType.fullName} is declared in defineJobs({ types }) (${at(jobType.declaration.location, packageName)}) but is not a member of ${enumAt}`,
          jobType.declaration.location,
        ),
      );
    }
    if (member && !jobType.declaration) {
      diagnostics.push(
        createDiagnostic(
          'JOB_DECLARATION_INVALID',
          `${jobType.fullName} (${at(member.location, packageName)}) has no declaration in defineJobs({ types }) of ${plugin.exportName} (${formatLocation(plugin.location)})`,
          member.location,
        ),
      );
    }
    for (const problem of jobType.declaration?.problems ?? []) {
      diagnostics.push(
        createDiagnostic('JOB_DECLARATION_INVALID', `${jobType.fullName} (${at(jobType.declaration!.location, packageName)}): ${problem}`, jobType.declaration!.location),
      );
    }
  }
}

function verifyPayloads(plugin: PluginModel, diagnostics: CodegenDiagnostic[]): void {
  for (const jobType of plugin.jobTypes) {
    const declaration = jobType.declaration;
    if (!declaration) continue;
    const check = (key: 'input' | 'output', payload: PayloadModel): void => {
      for (const problem of payload.problems) {
        const where = problem.path === '' ? `the ${key} type ${problem.typeText}` : `${key}${problem.path}: ${problem.typeText}`;
        diagnostics.push(
          createDiagnostic(
            'PAYLOAD_NOT_JSON',
            `${jobType.fullName} ${key} (${at(declaration.location, plugin.package.name)}) cannot travel as JSON: ${where} is ${problem.reason}` +
              (problem.location ? ` (declared at ${formatLocation(problem.location)})` : ''),
            declaration.location,
          ),
        );
      }
    };
    check('input', declaration.input);
    check('output', declaration.output);
  }
}

function verifyModule(plugin: PluginModel, diagnostics: CodegenDiagnostic[]): void {
  const module = plugin.module;
  const definition = `plugin "${plugin.name}" (${plugin.exportName}, ${at(plugin.location, plugin.package.name)})`;
  if (!module.present) {
    diagnostics.push(createDiagnostic('MODULE_MISSING', `${definition} has no module class; pass definePlugin({ jobs, module: YourModule })`, plugin.location));
    return;
  }
  if (module.problems.length > 0) {
    diagnostics.push(
      createDiagnostic(
        'MODULE_INVALID',
        `module class ${module.name ?? '(anonymous)'} (${formatLocation(module.location)}) of ${definition} does not implement the module interface: it lacks ${module.problems.join(' and ')}`,
        module.location ?? plugin.location,
      ),
    );
  }
}

function verifyLock(params: VerifyParams, diagnostics: CodegenDiagnostic[]): void {
  const { model, ids, previousLock } = params;
  const lock = previousLock.lock;
  const lockLocation = (key: string): SourceLocation => ({ file: previousLock.file, line: previousLock.lines.get(key) ?? 1 });
  const byClient = new Map<number, string>();
  for (const [name, plugin] of Object.entries(lock.plugins)) {
    const first = byClient.get(plugin.clientId);
    if (first !== undefined) {
      diagnostics.push(
        createDiagnostic(
          'LOCK_INVALID',
          `client id ${plugin.clientId} is pinned to both "${first}" (${lockAt(previousLock, first)}) and "${name}" (${lockAt(previousLock, name)}); give one of them a new client id above every other`,
          lockLocation(name),
        ),
      );
    } else {
      byClient.set(plugin.clientId, name);
    }
  }
  for (const plugin of model.plugins) {
    const pinned = lock.plugins[plugin.name];
    if (!pinned) continue;
    // ids this plugin gave out before and that no current job type of the same name keeps
    const retired = new Map<number, string>();
    for (const [name, id] of Object.entries(pinned.tombstones)) retired.set(id, name);
    for (const [name, id] of Object.entries(pinned.jobTypes)) {
      if (!plugin.jobTypes.some((jobType) => jobType.name === name && jobType.member)) retired.set(id, name);
    }
    for (const jobType of plugin.jobTypes) {
      const id = ids.jobIds.get(jobType.fullName);
      if (id === undefined || !jobType.member) continue;
      const where = at(jobType.member.location, plugin.package.name);
      const pinnedId = pinned.jobTypes[jobType.name] ?? pinned.tombstones[jobType.name];
      if (pinnedId !== undefined && pinnedId !== id) {
        const key = pinned.jobTypes[jobType.name] !== undefined ? `${plugin.name}.${jobType.name}` : `${plugin.name}.~${jobType.name}`;
        diagnostics.push(
          createDiagnostic(
            'ID_CHANGED',
            `${jobType.fullName} has id ${id} (${where}) but ${lockAt(previousLock, key)} pins it to ${pinnedId}; ` +
              `restore its enum value ${pinnedId % 1000} — ids, once given, never change`,
            jobType.member.location,
          ),
        );
        continue;
      }
      const previousOwner = retired.get(id);
      if (pinnedId === undefined && previousOwner !== undefined && previousOwner !== jobType.name) {
        const key = pinned.tombstones[previousOwner] !== undefined ? `${plugin.name}.~${previousOwner}` : `${plugin.name}.${previousOwner}`;
        diagnostics.push(
          createDiagnostic(
            'TOMBSTONE_REUSED',
            `${jobType.fullName} takes id ${id} (${where}), which belonged to the removed job type ${plugin.name}.${previousOwner} (${lockAt(previousLock, key)}); ` +
              `give ${jobType.fullName} an enum value never used before`,
            jobType.member.location,
          ),
        );
      }
    }
  }
}

/** Whether the generated worker program can import each plugin (installed, declared, an entry that exists). */
function verifyImportability(plugin: PluginModel, diagnostics: CodegenDiagnostic[]): void {
  const facts = plugin.importability;
  if (!facts) return;
  const label = `${plugin.package.name} (${plugin.package.directory})`;
  const dependency = `"${plugin.package.name}": "${plugin.package.version}"`;
  const workerFile = { file: facts.workerPackageFile, line: 1 };
  if (!facts.installed) {
    diagnostics.push(
      createDiagnostic(
        'PLUGIN_NOT_INSTALLED',
        `plugin "${plugin.name}": ${label} cannot be imported by the worker program: it is not installed in node_modules. ` +
          `Add ${dependency} to "dependencies" of ${facts.workerPackageFile} and run npm install`,
        workerFile,
      ),
    );
    return;
  }
  if (!facts.source?.exists && !facts.runtime?.exists) {
    const fix =
      plugin.package.origin === 'workspace'
        ? `build it (npm run build -w ${plugin.package.name}), or export its sources under the "@jobby/source" condition (exports["."]["@jobby/source"]: "./src/index.ts"), which jobby resolves without a build`
        : `reinstall it (npm install ${plugin.package.name})`;
    diagnostics.push(
      createDiagnostic(
        'PLUGIN_NOT_BUILT',
        `plugin "${plugin.name}": ${label} cannot be imported by the worker program: its entry ${facts.runtime?.file ?? '(none in "exports")'} does not exist ` +
          `and it has no "@jobby/source" entry that does (${formatLocation(facts.exportsLocation)}). Fix: ${fix}`,
        facts.exportsLocation,
      ),
    );
  }
  if (!facts.declared) {
    diagnostics.push(
      createWarning(
        'PLUGIN_NOT_A_DEPENDENCY',
        `plugin "${plugin.name}": ${label} is imported by the generated registry but is not a dependency of ${facts.workerPackageFile} (it resolves only because npm hoisted it). ` +
          `Add ${dependency} to its "dependencies"`,
        workerFile,
      ),
    );
  }
}

/** A job type whose package never registers a handler for it, in any mode: its jobs would wait forever. */
function verifyHandlers(plugin: PluginModel, diagnostics: CodegenDiagnostic[]): void {
  const registered = plugin.registeredJobs;
  if (!registered) return;
  for (const jobType of plugin.jobTypes) {
    if (!jobType.member || registered.includes(jobType.name)) continue;
    diagnostics.push(
      createWarning(
        'HANDLER_MISSING',
        `${jobType.fullName} (${at(jobType.member.location, plugin.package.name)}) has no handler: nothing in ${plugin.package.directory} calls register(${plugin.enumName}.${jobType.name}, …), in any mode, ` +
          `so its jobs would wait forever. Register one in the workers() of ${plugin.module.name ?? 'the module class'}${plugin.module.location ? ` (${formatLocation(plugin.module.location)})` : ''}, or remove the member (its id stays retired)`,
        jobType.member.location,
      ),
    );
  }
}

/**
 * The schedules the sources declare with literal options: a cron expression and a time zone that
 * croner accepts (the worker reads them with it), a valid name and catch-up. Options written as
 * expressions, and two schedules of one name (which may sit in branches of different modes), are
 * checked by the worker at start.
 */
function verifySchedules(plugin: PluginModel, diagnostics: CodegenDiagnostic[]): void {
  for (const schedule of plugin.schedules ?? []) {
    const label = `schedule "${schedule.name ?? '?'}" of ${plugin.name}.${schedule.jobName} (${at(schedule.location, plugin.package.name)})`;
    const problems: { message: string; location: SourceLocation }[] = [];
    if (schedule.cron !== undefined) {
      const problem = cronProblem(schedule.cron, schedule.timezone ?? 'UTC');
      if (problem) problems.push({ message: problem, location: schedule.cronLocation });
    }
    if (schedule.name !== undefined && !scheduleNamePattern.test(schedule.name)) {
      problems.push({ message: `its name must be 1–100 letters, digits, "-", "_" or "."`, location: schedule.location });
    }
    const upTo = schedule.catchUp?.startsWith('up-to-') ? Number(schedule.catchUp.slice('up-to-'.length)) : undefined;
    if (schedule.catchUp?.startsWith('invalid') || (upTo !== undefined && !(Number.isInteger(upTo) && upTo >= 1 && upTo <= maxCatchUpSlots))) {
      problems.push({ message: `catchUp must be 'none', 'last' or { upTo: N } with N from 1 to ${maxCatchUpSlots}`, location: schedule.location });
    }
    for (const problem of problems) diagnostics.push(createDiagnostic('SCHEDULE_INVALID', `${label}: ${problem.message}`, problem.location));
  }
}

/**
 * The limits the sources declare (issue 19): each limit written as a literal must be an integer in
 * its range (the store's: 1–1,000,000 running or starts, an interval of 1 ms to a day), a rate needs
 * both its limit and its interval, and a job type is limited by one call. Limits written as
 * expressions are checked by the worker at start.
 */
function verifyLimits(plugin: PluginModel, diagnostics: CodegenDiagnostic[]): void {
  const seen = new Map<string, LimitModel>();
  for (const limit of plugin.limits ?? []) {
    const label = `limit of ${plugin.name}.${limit.jobName} (${at(limit.location, plugin.package.name)})`;
    const report = (message: string, location: SourceLocation) => diagnostics.push(createDiagnostic('LIMIT_INVALID', `${label}: ${message}`, location));
    const earlier = seen.get(limit.jobName);
    if (earlier) report(`${plugin.name}.${limit.jobName} is already limited at ${formatLocation(earlier.location)}; give all its limits in one limit() call`, limit.location);
    seen.set(limit.jobName, limit);
    if (!limit.literal) continue;
    if (limit.unknownFields.length > 0) report(`unknown option ${limit.unknownFields.join(', ')} (known: concurrency, rate, group)`, limit.location);
    const inRange = (value: LimitValue | undefined, name: string, max: number, unit: string) => {
      if (value?.value !== undefined && !(Number.isInteger(value.value) && value.value >= 1 && value.value <= max)) {
        report(`${name} must be an integer from 1 to ${max.toLocaleString('en-US')} ${unit}, got ${value.value}`, value.location);
      }
    };
    inRange(limit.concurrency, 'concurrency', 1_000_000, 'running jobs');
    inRange(limit.rateLimit, 'rate.limit', 1_000_000, 'starts per interval');
    inRange(limit.rateIntervalMs, 'rate.intervalMs', 86_400_000, 'milliseconds');
    inRange(limit.groupConcurrency, 'group.concurrency', 1_000_000, 'running jobs per group key');
    if (limit.hasRate && (!limit.rateLimit || !limit.rateIntervalMs)) report('rate needs both limit and intervalMs', limit.location);
    if (limit.hasGroup && !limit.groupConcurrency) report('group needs concurrency', limit.location);
    if (!limit.concurrency && !limit.hasRate && !limit.hasGroup && limit.unknownFields.length === 0) report('it declares no limit: give concurrency, rate or group', limit.location);
  }
}

/** Plugins depend only on the core: never on another plugin's package, by dependency or import. */
function verifyPluginDependencies(model: CodegenModel, diagnostics: CodegenDiagnostic[]): void {
  const byPackage = new Map(model.plugins.map((plugin) => [plugin.package.name, plugin]));
  for (const plugin of model.plugins) {
    for (const reference of plugin.references ?? []) {
      const other = byPackage.get(reference.name);
      if (!other || other === plugin) continue;
      const how = reference.how === 'import' ? `imports the plugin ${other.package.name} at ${formatLocation(reference.location)}` : `depends on the plugin ${other.package.name} in its ${reference.how} (${formatLocation(reference.location)})`;
      const example = other.jobTypes.find((jobType) => jobType.member)?.fullName ?? `${other.name}.Job`;
      diagnostics.push(
        createDiagnostic(
          'PLUGIN_DEPENDS_ON_PLUGIN',
          `plugin "${plugin.name}" (${plugin.package.name}) ${how} ("${other.name}", ${other.package.directory}); plugins depend only on @jobby/core. ` +
            `Remove it, and name that plugin's job types with a handle of your own: defineExternalJob({ name: '${example}', output: payload<YourView>() })`,
          reference.location,
        ),
      );
    }
  }
}

/** Verifies a run; an empty result means the output may be written. */
export function verify(params: VerifyParams): CodegenDiagnostic[] {
  const diagnostics: CodegenDiagnostic[] = [];
  verifyPluginNames(params.model, diagnostics);
  for (const plugin of params.model.plugins) {
    verifyEnum(plugin, diagnostics);
    verifyModule(plugin, diagnostics);
    verifyPayloads(plugin, diagnostics);
    verifyImportability(plugin, diagnostics);
    verifyHandlers(plugin, diagnostics);
    verifySchedules(plugin, diagnostics);
    verifyLimits(plugin, diagnostics);
  }
  verifyPluginDependencies(params.model, diagnostics);
  verifyLock(params, diagnostics);
  return sortDiagnostics(diagnostics);
}

import { JobbyError, isJobbyError } from '@jobby/core';
import { CodegenError } from '@jobby/codegen';
import { describe, expect, it } from 'vitest';
import { CliError, exitCodeOf, exitCodes, oneLine } from './cli-error.js';
import { jsonOption } from './options.js';

describe('CliError', () => {
  it('is a JobbyError whose code follows from its exit code', () => {
    const usage = new CliError('--limit must be an integer from 1 to 1000, got "0"');
    const failed = new CliError('job steam.FetchAppList:k does not exist', exitCodes.failed);
    expect(usage).toBeInstanceOf(JobbyError);
    expect(usage).toMatchObject({ name: 'CliError', code: 'USAGE_INVALID', exitCode: 2 });
    expect(failed).toMatchObject({ name: 'CliError', code: 'COMMAND_FAILED', exitCode: 1 });
    expect(isJobbyError(usage, 'USAGE_INVALID')).toBe(true);
    expect(isJobbyError(failed, ['USAGE_INVALID', 'COMMAND_FAILED'])).toBe(true);
  });

  it('keeps what it wraps as its cause, with the message users see unchanged', () => {
    let thrown: unknown;
    try {
      jsonOption('--input', '{"url":');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message).toMatch(/^--input is not valid JSON: /);
    expect((thrown as CliError).cause).toBeInstanceOf(SyntaxError);
    expect(exitCodeOf(thrown)).toBe(exitCodes.usage);
  });
});

describe('exit codes', () => {
  it('are 2 for bad input (a CliError by default, the core’s input codes), 1 for every other failure', () => {
    expect(exitCodeOf(new CliError('bad flag'))).toBe(2);
    expect(exitCodeOf(new CliError('database unreachable', exitCodes.failed))).toBe(1);
    for (const code of ['INVALID_ARGUMENT', 'UNKNOWN_JOB_TYPE', 'PAYLOAD_INVALID', 'PAYLOAD_TOO_LARGE', 'DEPENDENCY_MISSING', 'REGISTRY_CONFLICT'] as const) {
      expect(exitCodeOf(new JobbyError(code, 'refused')), code).toBe(2);
    }
    expect(exitCodeOf(new JobbyError('JOB_NOT_FOUND', 'no such job'))).toBe(1);
    expect(exitCodeOf(new JobbyError('DATABASE_UNAVAILABLE', 'no database'))).toBe(1);
    expect(exitCodeOf(new CodegenError('ROOT_NOT_FOUND', 'no package.json'))).toBe(1);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });

  it('come from the error’s class, never from the shape of its code', () => {
    // A driver error or a plain object with a code that looks like one of ours is not bad input.
    expect(exitCodeOf(Object.assign(new Error('invalid input syntax'), { code: 'PAYLOAD_INVALID' }))).toBe(1);
    expect(exitCodeOf({ code: 'INVALID_ARGUMENT', message: 'a plain object' })).toBe(1);
  });
});

describe('oneLine', () => {
  it('joins a multi-line message into one line', () => {
    expect(oneLine(new JobbyError('REGISTRY_INVALID', 'two problems:\n  - first\n  - second\n'))).toBe('two problems: - first - second');
    expect(oneLine(new CliError('--state must be one of queued, waiting'))).toBe('--state must be one of queued, waiting');
  });
});

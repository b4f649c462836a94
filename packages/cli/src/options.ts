import { isJobState, type JobState } from '@jobby/core/store';
import { CliError, exitCodes } from './cli-error.js';

/** Flag value parsers: each throws a {@link CliError} (exit 2) naming the flag and the value. */

export function integerOption(flag: string, value: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || number < minimum || number > maximum) {
    throw new CliError(`${flag} must be an integer from ${minimum} to ${maximum}, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function portOption(flag: string, value: string): number {
  return integerOption(flag, value, 0, 65_535);
}

/** An address to listen on: an IPv4 or IPv6 address or a host name, without a port. */
export function hostOption(flag: string, value: string): string {
  if (!/^(?:[A-Za-z0-9.-]{1,253}|\[?[0-9A-Fa-f:.]{2,45}\]?)$/.test(value)) {
    throw new CliError(`${flag} must be an address to listen on such as 127.0.0.1, 0.0.0.0 or ::, got ${JSON.stringify(value)}`);
  }
  return value.replace(/^\[(.*)\]$/, '$1');
}

export function jobTypeArgument(what: string, value: string): string {
  if (!/^[a-z][a-z0-9_-]*\.[A-Za-z_$][\w$]*$/.test(value)) throw new CliError(`${what} must be a job type written plugin.Job (e.g. steam.FetchAppList), got ${JSON.stringify(value)}`);
  return value;
}

export function stateOption(value: string): JobState {
  if (!isJobState(value)) throw new CliError(`--state must be one of queued, waiting, running, succeeded, failed, cancelled; got ${JSON.stringify(value)}`);
  return value;
}

/** `--depends-on plugin.Job:key`: the first colon separates the type from the key (keys may hold colons). */
export function dependencyOption(value: string): { type: string; key: string } {
  const colon = value.indexOf(':');
  if (colon < 0 || colon === value.length - 1) throw new CliError(`--depends-on must be plugin.Job:key, got ${JSON.stringify(value)}`);
  return { type: jobTypeArgument('--depends-on', value.slice(0, colon)), key: value.slice(colon + 1) };
}

export function isoDateOption(flag: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(date.getTime())) {
    throw new CliError(`${flag} must be an ISO 8601 time such as 2030-01-01T09:00:00Z, got ${JSON.stringify(value)}`);
  }
  return date;
}

export function jsonOption(flag: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new CliError(`${flag} is not valid JSON: ${(error as Error).message}`, exitCodes.usage, { cause: error });
  }
}

import { defineJobs, payload } from '@jobby/core';

/**
 * The steam plugin's job types. Values are the local IDs: never renumber a member, and never
 * reuse the value of a removed one (codegen refuses an ID that changed against jobby.lock.json).
 */
export enum SteamJob {
  FetchAppList = 0,
  ProcessAppList = 1,
}

export interface FetchAppListInput {
  /**
   * Where to fetch the app list from: `http(s)://…` (fetched with the job's AbortSignal) or
   * `file://…`. Unset: the sample list shipped with this package, so the demo needs no internet.
   */
  url?: string;
}

/** One app as this plugin keeps it (the Steam API calls the id `appid`). */
export interface SteamApp {
  id: number;
  name: string;
}

export interface FetchAppListOutput {
  apps: SteamApp[];
  /** ISO timestamp of the fetch. */
  fetchedAt: string;
  /** The URL the list came from (`file://…/data/app-list.json` for the shipped sample). */
  source: string;
}

export interface ProcessAppListInput {
  /** How many of the most frequent words in app names to report. Default 5. */
  topWords?: number;
}

export interface WordCount {
  word: string;
  count: number;
}

export interface ProcessAppListOutput {
  /** Entries in the fetched list. */
  total: number;
  /** Distinct app ids. */
  unique: number;
  /** Entries whose app id appeared earlier in the list. */
  duplicates: number;
  /** Distinct apps whose name is blank. */
  unnamed: number;
  /** The distinct app with the longest name (first in id order on a tie); null for an empty list. */
  longestName: SteamApp | null;
  topWords: WordCount[];
  source: string;
  fetchedAt: string;
}

/**
 * The steam job types: `FetchAppList` fetches a Steam-like app list; `ProcessAppList` depends on it
 * and derives statistics from its typed output.
 */
export const steamJobs = defineJobs({
  plugin: 'steam',
  enum: SteamJob,
  types: {
    FetchAppList: {
      input: payload<FetchAppListInput>(),
      output: payload<FetchAppListOutput>(),
      submittable: true,
      description: 'Fetches a Steam-like app list (the shipped sample list unless a url is given).',
    },
    ProcessAppList: {
      input: payload<ProcessAppListInput>(),
      output: payload<ProcessAppListOutput>(),
      submittable: true,
      description: 'Derives statistics from the app list of the FetchAppList job it depends on.',
    },
  },
});

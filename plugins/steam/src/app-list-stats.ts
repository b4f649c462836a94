import type { FetchAppListOutput, ProcessAppListOutput, SteamApp, WordCount } from './jobs.js';

/** What `ProcessAppList` derives from a fetched list. Pure and deterministic. */
export function appListStats(list: FetchAppListOutput, topWords = 5): ProcessAppListOutput {
  const distinct = new Map<number, SteamApp>();
  for (const app of list.apps) if (!distinct.has(app.id)) distinct.set(app.id, app);
  const apps = [...distinct.values()].sort((a, b) => a.id - b.id);
  let longestName: SteamApp | null = null;
  const words = new Map<string, number>();
  let unnamed = 0;
  for (const app of apps) {
    const name = app.name.trim();
    if (name === '') {
      unnamed++;
      continue;
    }
    if (!longestName || name.length > longestName.name.length) longestName = { id: app.id, name };
    for (const word of name.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
      if (word.length > 1) words.set(word, (words.get(word) ?? 0) + 1);
    }
  }
  const ranked: WordCount[] = [...words.entries()]
    .map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word))
    .slice(0, Math.max(0, topWords));
  return {
    total: list.apps.length,
    unique: apps.length,
    duplicates: list.apps.length - apps.length,
    unnamed,
    longestName,
    topWords: ranked,
    source: list.source,
    fetchedAt: list.fetchedAt,
  };
}

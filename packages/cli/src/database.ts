import { databaseOptionsFromEnv, openDatabase, type JobbyDatabase } from '@jobby/core';

/** Opens the database from the environment (`DATABASE_URL`, else the embedded one), runs `use`, closes it. */
export async function withDatabase<T>(use: (database: JobbyDatabase) => Promise<T>, options: { schema?: string; poolSize?: number } = {}): Promise<T> {
  const database = await openDatabase({
    ...databaseOptionsFromEnv(),
    ...(options.schema ? { schema: options.schema } : {}),
    poolSize: options.poolSize ?? 2,
    applicationName: 'jobby-cli',
  });
  try {
    return await use(database);
  } finally {
    await database.close();
  }
}

import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkerArguments, readPluginConfig } from './worker-program.js';

describe('worker program flags and configuration', () => {
  it('parses every flag', () => {
    const parsed = parseWorkerArguments([
      '--concurrency', '4', '--prefetch', '20', '--plugins', 'steam, email', '--workers-mode', 'local', '--jobs-mode', 'none',
      '--lease-seconds', '10', '--grace-ms', '500', '--metrics-port', '0', '--schema', 'custom', '--config', 'x.json', '--data-dir', 'd', '--skip-migrate',
    ]);
    expect(parsed).toMatchObject({
      concurrency: 4, prefetch: 20, plugins: ['steam', 'email'], workersMode: 'local', jobsMode: 'none', leaseSeconds: 10,
      shutdownGraceMs: 500, metricsPort: 0, configFile: 'x.json', dataDirectory: 'd', skipMigrate: true,
    });
    expect(parsed.database?.schema).toBe('custom');
  });

  it('refuses bad flags with one line naming the flag', () => {
    expect(() => parseWorkerArguments(['--concurrency', 'ten'])).toThrow('--concurrency must be an integer ≥ 1, got "ten"');
    expect(() => parseWorkerArguments(['--jobs-mode', 'sometimes'])).toThrow('--jobs-mode must be none, local or production, got "sometimes"');
    expect(() => parseWorkerArguments(['--nope'])).toThrow(/Unknown option '--nope'/);
  });

  it('reads plugin configuration, and names the file when it is wrong', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'jobby-config-'));
    const good = path.join(directory, 'good.json');
    await writeFile(good, JSON.stringify({ plugins: { email: { from: 'noreply@example.test' } } }));
    expect(await readPluginConfig(good)).toEqual({ email: { from: 'noreply@example.test' } });
    const broken = path.join(directory, 'broken.json');
    await writeFile(broken, '{ plugins: ');
    await expect(readPluginConfig(broken)).rejects.toMatchObject({ code: 'CONFIGURATION_INVALID', message: expect.stringContaining(`config file ${broken} is not valid JSON`) });
    const wrongShape = path.join(directory, 'wrong.json');
    await writeFile(wrongShape, JSON.stringify({ plugins: { email: 'yes' } }));
    await expect(readPluginConfig(wrongShape)).rejects.toThrow('"plugins" must map plugin names to objects');
    await expect(readPluginConfig(path.join(directory, 'missing.json'))).rejects.toThrow('cannot read config file');
  });
});

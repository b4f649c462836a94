import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPluginConfig } from './run-worker.js';

describe('runWorker: plugin configuration', () => {
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

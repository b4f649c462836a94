import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { createJobAdmin, type JobAdmin } from './job-admin.js';

/**
 * The whole workflow around a job (workflowGraph) against its lineage (jobGraph). On Postgres
 * only: the walk is plain SQL that the embedded backend runs alike (checked when it was written),
 * and a PGlite start would add ~10 s to CI for this file.
 */

const Root = 1500;
const Page = 1501;
const Join = 1502;

describe('admin workflow graph', () => {
  let database: TestDatabase;
  let store: JobStore;
  let admin: JobAdmin;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    store = createJobStore(database, { describeType: (id) => `type ${id}` });
    admin = createJobAdmin(database);
    await store.jobTypeSync([
      { id: Root, name: 'test.Root' },
      { id: Page, name: 'test.Page' },
      { id: Join, name: 'test.Join' },
    ]);
    // Two roots, three pages each; one join waits on a page of each root; an unrelated job.
    const pages = (root: string) => [1, 2, 3].map((page) => ({ typeId: Page, key: `${root}-p${page}`, inputJson: '{}', dependsOn: [{ typeId: Root, key: root }] }));
    const results = await store.jobEnqueueMany([
      { typeId: Root, key: 'r1', inputJson: '{}' },
      { typeId: Root, key: 'r2', inputJson: '{}' },
      { typeId: Root, key: 'alone', inputJson: '{}' },
      ...pages('r1'),
      ...pages('r2'),
      { typeId: Join, key: 'join', inputJson: '{}', dependsOn: [{ typeId: Page, key: 'r1-p1' }, { typeId: Page, key: 'r2-p3' }] },
    ]);
    for (const result of results) ids.set(result.key, result.id);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  const roles = (graph: { nodes: { key: string; role: string }[] }) => Object.fromEntries(graph.nodes.map((node) => [node.key, node.role]));

  it('walks every job connected to the one asked about, both ways, where the lineage stops at its own ancestors and descendants', async () => {
    const lineage = await admin.jobGraph({ jobId: ids.get('r1-p2')!, limit: 100 });
    expect(Object.keys(roles(lineage!)).sort()).toEqual(['r1', 'r1-p2']);

    const workflow = await admin.workflowGraph({ jobId: ids.get('r1-p1')!, limit: 100 });
    expect(workflow!.truncated).toBe(false);
    expect(roles(workflow!)).toEqual({
      r1: 'ancestor',
      r2: 'related',
      'r1-p1': 'root',
      'r1-p2': 'related',
      'r1-p3': 'related',
      'r2-p1': 'related',
      'r2-p2': 'related',
      'r2-p3': 'related',
      join: 'descendant',
    });
    expect(workflow!.edges).toHaveLength(8);
    expect(workflow!.edges).toContainEqual({ from: ids.get('r2-p3'), to: ids.get('join') });
    // The same workflow from its other root.
    const fromOtherRoot = await admin.workflowGraph({ jobId: ids.get('r2')!, limit: 100 });
    expect(fromOtherRoot!.nodes.map((node) => node.id)).toEqual(workflow!.nodes.map((node) => node.id));
    expect(roles(fromOtherRoot!)).toMatchObject({ r2: 'root', 'r2-p1': 'descendant', join: 'descendant', r1: 'related' });
    expect(await admin.workflowGraph({ jobId: ids.get('alone')!, limit: 100 })).toMatchObject({ nodes: [{ key: 'alone', role: 'root' }], edges: [], truncated: false });
    expect(await admin.workflowGraph({ jobId: '987654321', limit: 100 })).toBeUndefined();
  });

  it('stops at the cap and keeps the jobs nearest to the one asked about', async () => {
    const capped = await admin.workflowGraph({ jobId: ids.get('r2')!, limit: 4 });
    expect(capped!.truncated).toBe(true);
    expect(capped!.nodes.map((node) => node.key).sort()).toEqual(['r2', 'r2-p1', 'r2-p2', 'r2-p3']);
    expect(capped!.edges).toHaveLength(3);
    const exact = await admin.workflowGraph({ jobId: ids.get('r2')!, limit: 9 });
    expect(exact!.truncated).toBe(false);
    expect(exact!.nodes).toHaveLength(9);
  });
});

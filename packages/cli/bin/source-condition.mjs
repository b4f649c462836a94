// A module resolution hook (registered by bin/jobby.js with node:module's register()). Workspace
// packages export their TypeScript sources under the `@jobby/source` condition: a bare import
// resolves to them when the file exists, else as usual (a published package ships no src/, and a
// plugin of a monorepo need not be built). So the worker runs what the sources say, never a
// dist/ folder left behind by an earlier build.
const condition = '@jobby/source';

export async function resolve(specifier, context, nextResolve) {
  const bare = !/^(\.|\/|[a-z]+:)/i.test(specifier) && !specifier.startsWith('#');
  if (!bare || context.conditions.includes(condition)) return nextResolve(specifier, context);
  // Node merges the context a hook passes into the one it was given (the same object): keep the
  // original conditions apart for the fallback.
  const conditions = [...context.conditions];
  try {
    return await nextResolve(specifier, { ...context, conditions: [condition, ...conditions] });
  } catch {
    return nextResolve(specifier, { ...context, conditions });
  }
}

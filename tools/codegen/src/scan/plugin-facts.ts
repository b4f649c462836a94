/**
 * Facts about a plugin package beyond its definition, for verify to judge: which enum members its
 * sources register a handler for, which packages it names (dependencies and imports), and whether
 * the generated worker program can import it at run time. Reading only: no judgement here.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { SourceLocation } from '../diagnostics.js';
import type { ImportabilityModel, PackageReferenceModel, PluginPackage } from '../model/model.js';
import { relativeToRoot, type ProjectRoot } from './project-root.js';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function realpath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** The 1-based line of the first line of `text` matching `pattern`, else 1. */
function lineOf(text: string, pattern: RegExp): number {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  return index < 0 ? 1 : index + 1;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The source files of the program that belong to the package (not `.d.ts`, not its node_modules). */
export function packageSourceFiles(program: ts.Program, packageDirectory: string): ts.SourceFile[] {
  const prefix = `${realpath(packageDirectory)}${path.sep}`;
  return program.getSourceFiles().filter((file) => {
    if (file.isDeclarationFile) return false;
    const real = realpath(file.fileName);
    return real.startsWith(prefix) && !real.slice(prefix.length).split(path.sep).includes('node_modules');
  });
}

/**
 * The enum members the package's sources pass to a `register(member, name, handler…)` call, in any
 * branch (so in any mode). Undefined when some call passes a value whose member cannot be told
 * (a variable of the enum's type): then nothing can be concluded.
 */
export function readRegisteredJobs(params: {
  program: ts.Program;
  packageDirectory: string;
  enumLocation: SourceLocation | undefined;
  locate: (node: ts.Node) => SourceLocation;
}): string[] | undefined {
  const { program, enumLocation, locate } = params;
  if (!enumLocation) return undefined;
  const checker = program.getTypeChecker();
  const isOurEnum = (symbol: ts.Symbol | undefined): boolean => {
    const declaration = symbol?.declarations?.find(ts.isEnumDeclaration);
    if (!declaration) return false;
    const location = locate(declaration);
    return location.file === enumLocation.file && location.line === enumLocation.line;
  };
  const registered = new Set<string>();
  let undecidable = false;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'register' && node.arguments.length >= 3) {
      const type = checker.getTypeAtLocation(node.arguments[0]!);
      const members = type.isUnion() ? type.types : [type];
      for (const member of members) {
        const symbol = member.getSymbol();
        const parent = (symbol as (ts.Symbol & { parent?: ts.Symbol }) | undefined)?.parent;
        if (member.flags & ts.TypeFlags.EnumLiteral && symbol && isOurEnum(parent)) registered.add(symbol.getName());
        else if (member.flags & ts.TypeFlags.EnumLiteral && isOurEnum(symbol)) undecidable = true;
        else if (member.flags & (ts.TypeFlags.Number | ts.TypeFlags.Any)) undecidable = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of packageSourceFiles(program, params.packageDirectory)) visit(file);
  return undecidable ? undefined : [...registered].sort();
}

const dependencyFields = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** The packages the plugin's package.json depends on and its sources import (bare specifiers). */
export function readPackageReferences(params: { program: ts.Program; root: ProjectRoot; package: PluginPackage; locate: (node: ts.Node) => SourceLocation }): PackageReferenceModel[] {
  const { root, locate } = params;
  const directory = path.join(root.directory, params.package.directory);
  const packageFile = path.join(directory, 'package.json');
  const references: PackageReferenceModel[] = [];
  let text: string;
  try {
    text = readFileSync(packageFile, 'utf8');
  } catch {
    return references;
  }
  const packageJson = JSON.parse(text) as Json;
  const file = relativeToRoot(root.directory, realpath(packageFile));
  for (const field of dependencyFields) {
    for (const name of Object.keys(asObject(packageJson[field]) ?? {})) {
      references.push({ name, how: field, location: { file, line: lineOf(text, new RegExp(`^\\s*"${escape(name)}"\\s*:`)) } });
    }
  }
  for (const sourceFile of packageSourceFiles(params.program, directory)) {
    for (const statement of sourceFile.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (!specifier || specifier.startsWith('.') || specifier.startsWith('node:') || path.isAbsolute(specifier)) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      references.push({ name, how: 'import', location: locate(statement) });
    }
  }
  return references;
}

/** The directory holding the generated files' package: the nearest package.json from the output directory up. */
export function workerPackageDirectory(root: ProjectRoot): string {
  for (let directory = root.outDir; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    if (directory === root.directory || path.dirname(directory) === directory) return root.directory;
  }
}

/** `node_modules/<name>` as Node looks for it from `from` up, or undefined. */
function findInstalled(from: string, name: string): string | undefined {
  for (let directory = from; ; directory = path.dirname(directory)) {
    if (path.basename(directory) !== 'node_modules') {
      const candidate = path.join(directory, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    }
    if (path.dirname(directory) === directory) return undefined;
  }
}

/** The target of a condition in an `exports` value (first match in the object's own key order, as Node picks). */
function exportTarget(value: unknown, conditions: readonly string[]): string | undefined {
  if (typeof value === 'string') return value;
  const object = asObject(value);
  if (!object) return undefined;
  for (const [key, target] of Object.entries(object)) {
    if (!conditions.includes(key)) continue;
    const found = exportTarget(target, conditions);
    if (found) return found;
  }
  return undefined;
}

/**
 * Whether the generated worker program can import the plugin: installed where Node looks from the
 * output directory, a dependency of the worker's package, and an entry that exists, either the
 * sources (`@jobby/source`, which `jobby` resolves when the file is there) or the runtime entry.
 */
export function readImportability(root: ProjectRoot, pluginPackage: PluginPackage): ImportabilityModel {
  const workerDirectory = workerPackageDirectory(root);
  const workerPackageFile = path.join(workerDirectory, 'package.json');
  const workerPackage = existsSync(workerPackageFile) ? (JSON.parse(readFileSync(workerPackageFile, 'utf8')) as Json) : {};
  const pluginDirectory = path.join(root.directory, pluginPackage.directory);
  const declared =
    realpath(pluginDirectory) === realpath(workerDirectory) || dependencyFields.some((field) => Object.hasOwn(asObject(workerPackage[field]) ?? {}, pluginPackage.name));
  const packageFile = path.join(pluginDirectory, 'package.json');
  const text = readFileSync(packageFile, 'utf8');
  const packageJson = JSON.parse(text) as Json;
  const exportsLocation = { file: relativeToRoot(root.directory, realpath(packageFile)), line: lineOf(text, /^\s*"(exports|main)"\s*:/) };
  const installed = findInstalled(root.outDir, pluginPackage.name);
  const base = { workerPackageFile: relativeToRoot(root.directory, workerPackageFile), declared, exportsLocation };
  if (!installed) return { ...base, installed: false };
  const exportsField = packageJson['exports'];
  const dot = asObject(exportsField) && '.' in (exportsField as Json) ? (exportsField as Json)['.'] : exportsField;
  const entry = (target: string | undefined) =>
    target === undefined ? undefined : { file: relativeToRoot(root.directory, path.join(realpath(installed), target)), exists: existsSync(path.join(installed, target)) };
  const source = asObject(dot) && '@jobby/source' in (dot as Json) ? entry(exportTarget((dot as Json)['@jobby/source'], ['@jobby/source'])) : undefined;
  const runtimeTarget = dot === undefined ? (typeof packageJson['main'] === 'string' ? (packageJson['main'] as string) : 'index.js') : exportTarget(dot, ['node', 'import', 'default']);
  return { ...base, installed: true, ...(source ? { source } : {}), ...(runtimeTarget ? { runtime: entry(runtimeTarget) } : {}) };
}

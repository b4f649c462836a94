/**
 * Stage 1, scan: discover plugin packages and read each through one ts-morph Project (one program,
 * one type checker for the whole run). The result is plain data.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { createDiagnostic, type CodegenDiagnostic, type SourceLocation } from '../diagnostics.js';
import type { PluginModel, PluginPackage } from '../model/model.js';
import { discoverPackages } from './discover-packages.js';
import { relativeToRoot, type ProjectRoot } from './project-root.js';
import { readImportability, readPackageReferences, readRegisteredJobs } from './plugin-facts.js';
import { readPlugin } from './read-plugin.js';
import { readLimits } from './read-limits.js';
import { readSchedules } from './read-schedules.js';

export interface ScanResult {
  readonly packages: readonly PluginPackage[];
  /** One per package whose definition could be read, in package directory order. */
  readonly plugins: readonly PluginModel[];
  readonly diagnostics: readonly CodegenDiagnostic[];
}

/** Compiler options for reading plugins: NodeNext resolution with the workspace source condition. */
export const scanCompilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  customConditions: ['@jobby/source'],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  allowJs: false,
  types: [],
};

/**
 * One ts-morph Project per process, reused by later runs (tests, a long-lived dev process): files
 * that did not change keep their parsed and bound syntax trees, so a second run only re-reads
 * what changed. Every run refreshes each file of the previous program from disk first.
 */
let sharedProject: Project | undefined;
let previousProgram: ts.Program | undefined;

function loadProgram(entryFiles: readonly string[]): ts.Program {
  sharedProject ??= new Project({
    compilerOptions: scanCompilerOptions,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: false,
  });
  const project = sharedProject;
  const wanted = new Set(entryFiles);
  for (const sourceFile of project.getSourceFiles()) {
    if (!wanted.has(sourceFile.getFilePath())) project.removeSourceFile(sourceFile);
  }
  if (previousProgram) {
    for (const file of previousProgram.getSourceFiles()) {
      if (previousProgram.isSourceFileDefaultLibrary(file)) continue;
      const wrapper = project.getSourceFile(file.fileName);
      if (!wrapper) continue;
      if (!existsSync(file.fileName)) project.removeSourceFile(wrapper);
      else wrapper.refreshFromFileSystemSync();
    }
  }
  for (const entry of entryFiles) {
    const existing = project.getSourceFile(entry);
    if (existing) existing.refreshFromFileSystemSync();
    else project.addSourceFileAtPath(entry);
  }
  previousProgram = project.getProgram().compilerObject;
  return previousProgram;
}

/** Scans the project for plugins. */
export function scan(root: ProjectRoot): ScanResult {
  const discovered = discoverPackages(root);
  const diagnostics: CodegenDiagnostic[] = [...discovered.diagnostics];
  const withEntries = discovered.packages.filter((candidate) => candidate.entryFile !== undefined);
  const program = loadProgram(withEntries.map((candidate) => candidate.entryFile!));
  const checker = program.getTypeChecker();
  const lineCache = new Map<string, string>();
  const locate = (node: ts.Node): SourceLocation => {
    const sourceFile = node.getSourceFile();
    let file = lineCache.get(sourceFile.fileName);
    if (file === undefined) {
      let real = sourceFile.fileName;
      try {
        real = realpathSync(real);
      } catch {
        // keep the program's name
      }
      file = relativeToRoot(root.directory, real);
      lineCache.set(sourceFile.fileName, file);
    }
    const start = node.kind === ts.SyntaxKind.SourceFile ? 0 : node.getStart(sourceFile);
    return { file, line: sourceFile.getLineAndCharacterOfPosition(start).line + 1 };
  };
  const plugins: PluginModel[] = [];
  for (const candidate of withEntries) {
    const sourceFile = program.getSourceFile(candidate.entryFile!) ?? program.getSourceFile(realpathSync(candidate.entryFile!));
    if (!sourceFile) {
      diagnostics.push(createDiagnostic('PLUGIN_ENTRY_MISSING', `${candidate.name} (${candidate.directory}): ${candidate.entryFile} could not be loaded`));
      continue;
    }
    const result = readPlugin({ checker, sourceFile, package: candidate, locate });
    diagnostics.push(...result.diagnostics);
    if (!result.plugin) continue;
    const packageDirectory = path.join(root.directory, candidate.directory);
    const registeredJobs = candidate.origin === 'workspace' ? readRegisteredJobs({ program, packageDirectory, enumLocation: result.plugin.enumLocation, locate }) : undefined;
    const schedules = candidate.origin === 'workspace' ? readSchedules({ program, packageDirectory, enumLocation: result.plugin.enumLocation, locate }) : [];
    const limits = candidate.origin === 'workspace' ? readLimits({ program, packageDirectory, enumLocation: result.plugin.enumLocation, locate }) : [];
    plugins.push({
      ...result.plugin,
      ...(registeredJobs ? { registeredJobs } : {}),
      ...(schedules.length > 0 ? { schedules } : {}),
      ...(limits.length > 0 ? { limits } : {}),
      references: readPackageReferences({ program, root, package: candidate, locate }),
      importability: readImportability(root, candidate),
    });
  }
  return { packages: discovered.packages, plugins, diagnostics };
}

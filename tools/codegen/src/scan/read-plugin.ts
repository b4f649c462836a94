/**
 * Reads one plugin package through the type checker. The package entry exports a value whose type
 * is `PluginDefinition` from `@jobby/core` (recognised structurally by `kind: 'jobby.plugin'`, so a
 * duplicate install of the core still matches). Everything codegen needs survives in `.d.ts`
 * files as literal types, so sources and published packages are read the same way.
 */
import { ts } from 'ts-morph';
import { createDiagnostic, formatLocation, type CodegenDiagnostic, type SourceLocation } from '../diagnostics.js';
import type {
  EnumMemberModel,
  JobDeclarationModel,
  JobTypeModel,
  ModuleModel,
  PayloadModel,
  PluginModel,
  PluginPackage,
} from '../model/model.js';
import { typeToSchema } from './type-to-schema.js';

export interface ReadPluginParams {
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  readonly package: PluginPackage;
  readonly locate: (node: ts.Node) => SourceLocation;
}

export interface ReadPluginResult {
  readonly plugin: PluginModel | undefined;
  readonly diagnostics: CodegenDiagnostic[];
}

function literalValue(type: ts.Type | undefined): string | number | boolean | undefined {
  if (!type) return undefined;
  if (type.flags & ts.TypeFlags.StringLiteral) return (type as ts.StringLiteralType).value;
  if (type.flags & ts.TypeFlags.NumberLiteral) return (type as ts.NumberLiteralType).value;
  if (type.flags & ts.TypeFlags.BooleanLiteral) return (type as { intrinsicName?: string }).intrinsicName === 'true';
  return undefined;
}

function propertyType(checker: ts.TypeChecker, type: ts.Type, name: string, node: ts.Node): ts.Type | undefined {
  const property = checker.getPropertyOfType(type, name);
  return property ? checker.getTypeOfSymbolAtLocation(property, node) : undefined;
}

/** True when the type is a `PluginDefinition` (`kind: 'jobby.plugin'`). */
export function isPluginDefinitionType(checker: ts.TypeChecker, type: ts.Type, node: ts.Node): boolean {
  return literalValue(propertyType(checker, type, 'kind', node)) === 'jobby.plugin';
}

/** The `T` of a `Payload<T>` marker. */
function payloadArgument(checker: ts.TypeChecker, type: ts.Type, node: ts.Node): ts.Type | undefined {
  const nonNullable = checker.getNonNullableType(type);
  if (nonNullable.flags & ts.TypeFlags.Object && (nonNullable as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
    const symbol = nonNullable.getSymbol();
    const argument = checker.getTypeArguments(nonNullable as ts.TypeReference)[0];
    if (symbol?.getName() === 'Payload' && argument) return argument;
  }
  // fallback: the phantom property keyed by the `payloadType` unique symbol
  for (const property of checker.getPropertiesOfType(nonNullable)) {
    if (property.getName().startsWith('__@payloadType')) {
      return checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(property, node));
    }
  }
  return undefined;
}

function readEnumMembers(checker: ts.TypeChecker, enumType: ts.Type, locate: ReadPluginParams['locate']): {
  enumName: string;
  enumLocation: SourceLocation | undefined;
  members: EnumMemberModel[] | undefined;
} {
  const symbol = enumType.getSymbol();
  const declaration = symbol?.declarations?.find(ts.isEnumDeclaration);
  if (!symbol || !declaration) return { enumName: symbol?.getName() ?? '?', enumLocation: undefined, members: undefined };
  const members: EnumMemberModel[] = [];
  for (const enumDeclaration of symbol.declarations!.filter(ts.isEnumDeclaration)) {
    for (const member of enumDeclaration.members) {
      const name = member.name.getText();
      const location = locate(member);
      const initializer = member.initializer;
      if (!initializer) {
        members.push({ name, value: undefined, valueKind: 'missing', location });
        continue;
      }
      let value: number | undefined;
      if (ts.isNumericLiteral(initializer)) value = Number(initializer.text);
      else if (
        ts.isPrefixUnaryExpression(initializer) &&
        initializer.operator === ts.SyntaxKind.MinusToken &&
        ts.isNumericLiteral(initializer.operand)
      ) {
        value = -Number(initializer.operand.text);
      }
      members.push(
        value === undefined
          ? { name, value: undefined, valueKind: 'not-literal', initializerText: initializer.getText(), location }
          : { name, value, valueKind: 'literal', initializerText: initializer.getText(), location },
      );
    }
  }
  return { enumName: symbol.getName(), enumLocation: locate(declaration), members };
}

function readModule(checker: ts.TypeChecker, moduleType: ts.Type | undefined, node: ts.Node, locate: ReadPluginParams['locate']): ModuleModel {
  if (!moduleType || moduleType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Never)) {
    return { name: undefined, location: undefined, problems: [], present: false };
  }
  const symbol = moduleType.getSymbol();
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  const name = symbol && !symbol.getName().startsWith('__') ? symbol.getName() : undefined;
  const problems: string[] = [];
  const initialize = propertyType(checker, moduleType, 'initialize', node);
  if (!initialize || initialize.getCallSignatures().length === 0) problems.push('a static initialize(context) method');
  // the instance: what the class constructs, else what initialize returns
  const constructed = moduleType.getConstructSignatures()[0]?.getReturnType();
  let instance = constructed;
  if (!instance && initialize) {
    const returned = initialize.getCallSignatures()[0]?.getReturnType();
    instance = returned ? (checker.getAwaitedType(returned) ?? returned) : undefined;
  }
  for (const method of ['workers', 'jobs']) {
    const methodType = instance ? propertyType(checker, instance, method, node) : undefined;
    if (!methodType || checker.getNonNullableType(methodType).getCallSignatures().length === 0) {
      problems.push(`an instance method ${method}(registry, mode)`);
    }
  }
  return { name, location: declaration ? locate(declaration) : undefined, problems, present: true };
}

/** Reads the plugin a package's entry exports. */
export function readPlugin(params: ReadPluginParams): ReadPluginResult {
  const { checker, sourceFile, locate } = params;
  const pluginPackage = params.package;
  const diagnostics: CodegenDiagnostic[] = [];
  const packageLabel = `${pluginPackage.name} (${pluginPackage.directory})`;
  const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
  const candidates: { exportName: string; type: ts.Type; node: ts.Node }[] = [];
  for (const exported of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(target.flags & ts.SymbolFlags.Variable)) continue;
    const node = target.valueDeclaration ?? target.declarations?.[0];
    if (!node) continue;
    const type = checker.getTypeOfSymbolAtLocation(target, node);
    if (isPluginDefinitionType(checker, type, node)) candidates.push({ exportName: exported.getName(), type, node });
  }
  const entryLocation: SourceLocation = { ...locate(sourceFile), line: 1 };
  if (candidates.length === 0) {
    diagnostics.push(
      createDiagnostic(
        'PLUGIN_DEFINITION_MISSING',
        `${packageLabel} declares jobby plugin "${pluginPackage.declaredPlugin}" but its entry ${formatLocation(entryLocation)} exports no definePlugin() result`,
        entryLocation,
      ),
    );
    return { plugin: undefined, diagnostics };
  }
  if (candidates.length > 1) {
    const names = candidates.map((candidate) => `${candidate.exportName} (${formatLocation(locate(candidate.node))})`).join(' and ');
    diagnostics.push(createDiagnostic('PLUGIN_DEFINITION_AMBIGUOUS', `${packageLabel} exports several plugin definitions: ${names}; export exactly one`, locate(candidates[0]!.node)));
    return { plugin: undefined, diagnostics };
  }
  const { exportName, type: definitionType, node } = candidates[0]!;
  const location = locate(node);
  const nameValue = literalValue(propertyType(checker, definitionType, 'name', node));
  let name = pluginPackage.declaredPlugin;
  if (typeof nameValue !== 'string') {
    diagnostics.push(
      createDiagnostic('PLUGIN_NAME_INVALID', `${packageLabel}: the plugin name of ${exportName} (${formatLocation(location)}) is not a string literal type`, location),
    );
  } else {
    name = nameValue;
    if (nameValue !== pluginPackage.declaredPlugin) {
      diagnostics.push(
        createDiagnostic(
          'PLUGIN_NAME_MISMATCH',
          `${packageLabel}: package.json declares plugin "${pluginPackage.declaredPlugin}" (${pluginPackage.directory}/package.json) but ${exportName} is named "${nameValue}" (${formatLocation(location)})`,
          location,
        ),
      );
    }
  }
  const jobsType = propertyType(checker, definitionType, 'jobs', node);
  const enumType = jobsType ? propertyType(checker, jobsType, 'enum', node) : undefined;
  const typesType = jobsType ? propertyType(checker, jobsType, 'types', node) : undefined;
  const { enumName, enumLocation, members } = enumType ? readEnumMembers(checker, enumType, locate) : { enumName: '?', enumLocation: undefined, members: undefined };
  if (!members) {
    diagnostics.push(
      createDiagnostic('PLUGIN_ENUM_INVALID', `plugin "${name}" (${packageLabel}, ${formatLocation(location)}): defineJobs({ enum }) is not a TypeScript enum declaration`, location),
    );
  }

  const declarations = new Map<string, JobDeclarationModel>();
  for (const property of typesType ? checker.getPropertiesOfType(typesType) : []) {
    const declarationNode = property.valueDeclaration ?? property.declarations?.[0] ?? node;
    const declarationType = checker.getTypeOfSymbolAtLocation(property, declarationNode);
    const problems: string[] = [];
    const readPayload = (key: 'input' | 'output'): PayloadModel => {
      const markerType = propertyType(checker, declarationType, key, declarationNode);
      if (!markerType) {
        if (key === 'output') return { typeText: 'null', schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'null' }, problems: [] };
        problems.push('it has no input: payload<T>()');
        return { typeText: 'unknown', schema: {}, problems: [] };
      }
      const argument = payloadArgument(checker, markerType, declarationNode);
      if (!argument) {
        problems.push(`its ${key} is not a payload<T>() marker`);
        return { typeText: 'unknown', schema: {}, problems: [] };
      }
      return typeToSchema(argument, { checker, locate, topLevelVoidIsNull: key === 'output' });
    };
    const input = readPayload('input');
    const output = readPayload('output');
    const submittableType = propertyType(checker, declarationType, 'submittable', declarationNode);
    let submittable = false;
    if (submittableType) {
      const value = literalValue(checker.getNonNullableType(submittableType));
      if (typeof value === 'boolean') submittable = value;
      else problems.push('its submittable is not a literal true or false');
    }
    const descriptionType = propertyType(checker, declarationType, 'description', declarationNode);
    let description: string | undefined;
    if (descriptionType) {
      const value = literalValue(checker.getNonNullableType(descriptionType));
      if (typeof value === 'string') description = value;
      else problems.push('its description is not a string literal');
    }
    declarations.set(property.getName(), {
      input,
      output,
      submittable,
      ...(description === undefined ? {} : { description }),
      problems,
      location: locate(declarationNode),
    });
  }

  const jobTypes: JobTypeModel[] = [];
  for (const member of members ?? []) {
    jobTypes.push({ name: member.name, fullName: `${name}.${member.name}`, member, declaration: declarations.get(member.name) });
  }
  for (const [declared, declaration] of declarations) {
    if (!members?.some((member) => member.name === declared)) {
      jobTypes.push({ name: declared, fullName: `${name}.${declared}`, member: undefined, declaration });
    }
  }
  const moduleNode = node;
  const module = readModule(checker, propertyType(checker, definitionType, 'module', moduleNode), moduleNode, locate);
  return {
    plugin: { name, package: pluginPackage, exportName, location, enumName, enumLocation, jobTypes, module },
    diagnostics,
  };
}

/**
 * Converts a checker type into a JSON Schema (draft 2020-12, ajv-compatible) and lists every part
 * of it that cannot travel as JSON. Named object types (interfaces, object type aliases) go into
 * `$defs`, which also handles recursive types; anonymous object types are inlined. Closed object
 * types get `additionalProperties: false`; index signatures become `additionalProperties: <schema>`.
 */
import { ts } from 'ts-morph';
import type { SourceLocation } from '../diagnostics.js';
import type { JsonProblem, JsonSchema, PayloadModel } from '../model/model.js';

export const jsonSchemaDialect = 'https://json-schema.org/draft/2020-12/schema';

/** Built-in object types that JSON.stringify does not round-trip. */
const nonJsonBuiltins = new Set([
  'Date', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'RegExp', 'Promise', 'Error', 'ArrayBuffer', 'SharedArrayBuffer',
  'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Buffer', 'URL', 'Blob', 'ReadableStream',
]);

export interface TypeToSchemaParams {
  readonly checker: ts.TypeChecker;
  /** Maps a declaration to a location relative to the project root. */
  readonly locate: (node: ts.Node) => SourceLocation;
  /** `void`/`undefined` at the top level mean "no value" (an output): emitted as `null`. */
  readonly topLevelVoidIsNull: boolean;
}

function sanitizeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'Type';
}

function isPrimitiveLike(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)) !== 0;
}

/** True for symbols declared by TypeScript's own lib files (`Record`, `Partial`…): inlined, not named. */
function isLibraryDeclaration(symbol: ts.Symbol): boolean {
  const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
  return /[\\/]typescript[\\/]lib[\\/]lib\.[^\\/]*\.d\.ts$/.test(file);
}

/** Converts one payload type. Deterministic for a given program. */
export function typeToSchema(type: ts.Type, params: TypeToSchemaParams): PayloadModel {
  const { checker, locate } = params;
  const problems: JsonProblem[] = [];
  const defs = new Map<string, JsonSchema>();
  const defNames = new Map<ts.Type, string>();
  const usedNames = new Set<string>();

  const print = (t: ts.Type): string => checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType);
  const shortPrint = (t: ts.Type): string => checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation);
  const declarationOf = (t: ts.Type): ts.Declaration | undefined => (t.aliasSymbol ?? t.getSymbol())?.declarations?.[0];
  const problem = (pathText: string, t: ts.Type, reason: string, node?: ts.Node): JsonSchema => {
    const declaration = node ?? declarationOf(t);
    problems.push({ path: pathText, typeText: shortPrint(t), reason, ...(declaration ? { location: locate(declaration) } : {}) });
    return false;
  };

  /** A name for `$defs` when the type is a named object type, else undefined. */
  const nameOf = (t: ts.Type): string | undefined => {
    if (t.aliasSymbol && !isLibraryDeclaration(t.aliasSymbol)) {
      const args = t.aliasTypeArguments?.map((argument) => shortPrint(argument)) ?? [];
      return sanitizeName([t.aliasSymbol.getName(), ...args].join('_'));
    }
    const symbol = t.getSymbol();
    if (symbol && (symbol.flags & ts.SymbolFlags.Interface) !== 0) return sanitizeName(shortPrint(t));
    return undefined;
  };

  /** Converts `t`; with `withoutUndefined`, an `undefined` member of a union is left out (optional properties). */
  const convert = (t: ts.Type, pathText: string, topLevel: boolean, withoutUndefined = false): JsonSchema => {
    const flags = t.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (flags & ts.TypeFlags.Never) return false;
    if (flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) {
      if (topLevel && params.topLevelVoidIsNull) return { type: 'null' };
      return problem(pathText, t, 'undefined, which JSON drops (make the property optional instead)');
    }
    if (flags & ts.TypeFlags.Null) return { type: 'null' };
    if (flags & ts.TypeFlags.StringLiteral) return { const: (t as ts.StringLiteralType).value };
    if (flags & ts.TypeFlags.NumberLiteral) return { const: (t as ts.NumberLiteralType).value };
    if (flags & ts.TypeFlags.BooleanLiteral) return { const: print(t) === 'true' };
    if (flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) return { type: 'string' };
    if (flags & ts.TypeFlags.Number) return { type: 'number' };
    if (flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (flags & ts.TypeFlags.BigIntLike) return problem(pathText, t, 'a bigint, which JSON.stringify rejects');
    if (flags & ts.TypeFlags.ESSymbolLike) return problem(pathText, t, 'a symbol, which JSON drops');
    if (flags & ts.TypeFlags.TypeParameter) {
      const constraint = checker.getBaseConstraintOfType(t);
      return constraint && constraint !== t ? convert(constraint, pathText, topLevel) : {};
    }
    if (flags & ts.TypeFlags.Union) return convertUnion(t as ts.UnionType, pathText, topLevel, withoutUndefined);
    if (flags & ts.TypeFlags.Intersection) {
      const parts = (t as ts.IntersectionType).types;
      const primitive = parts.find(isPrimitiveLike);
      if (primitive) return convert(primitive, pathText, topLevel); // a branded primitive
      return convertObject(t, pathText);
    }
    if (flags & ts.TypeFlags.NonPrimitive) return { type: 'object' };
    if (flags & ts.TypeFlags.Object) return convertObjectOrNamed(t as ts.ObjectType, pathText);
    return problem(pathText, t, 'a type codegen cannot express in JSON Schema');
  };

  const convertUnion = (t: ts.UnionType, pathText: string, topLevel: boolean, withoutUndefined: boolean): JsonSchema => {
    let members = withoutUndefined ? t.types.filter((m) => !(m.flags & ts.TypeFlags.Undefined)) : t.types;
    if (members.length === 1) return convert(members[0]!, pathText, topLevel);
    // `boolean` is `true | false` in a union.
    const hasTrue = members.some((m) => m.flags & ts.TypeFlags.BooleanLiteral && print(m) === 'true');
    const hasFalse = members.some((m) => m.flags & ts.TypeFlags.BooleanLiteral && print(m) === 'false');
    const schemas: JsonSchema[] = [];
    if (hasTrue && hasFalse) {
      members = members.filter((m) => !(m.flags & ts.TypeFlags.BooleanLiteral));
      schemas.push({ type: 'boolean' });
    }
    const literals = members.filter((m) => m.flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral));
    const others = members.filter((m) => !literals.includes(m));
    if (literals.length > 0) {
      const values = literals.map((m) =>
        m.flags & ts.TypeFlags.BooleanLiteral ? print(m) === 'true' : (m as ts.StringLiteralType | ts.NumberLiteralType).value,
      );
      schemas.push(values.length === 1 ? { const: values[0] } : { enum: values });
    }
    for (const member of others) schemas.push(convert(member, pathText, topLevel));
    // a nullable enum keeps the literal list and adds null
    const onlyNullBesides = others.length === 1 && others[0]!.flags & ts.TypeFlags.Null && literals.length > 0;
    if (onlyNullBesides && schemas.length === 2 && typeof schemas[0] === 'object' && 'enum' in schemas[0]) {
      return { enum: [...(schemas[0]['enum'] as unknown[]), null] };
    }
    return schemas.length === 1 ? schemas[0]! : { anyOf: schemas };
  };

  const convertObjectOrNamed = (t: ts.ObjectType, pathText: string): JsonSchema => {
    if (checker.isTupleType(t)) return convertTuple(t as ts.TupleTypeReference, pathText);
    if (checker.isArrayType(t)) {
      const element = checker.getTypeArguments(t as ts.TypeReference)[0];
      return { type: 'array', items: element ? convert(element, `${pathText}[]`, false) : {} };
    }
    const symbol = t.getSymbol();
    if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) {
      return problem(pathText, t, 'a function, which JSON drops');
    }
    if (symbol && nonJsonBuiltins.has(symbol.getName()) && !t.aliasSymbol) {
      return problem(pathText, t, `a ${symbol.getName()}, which does not survive JSON.stringify → JSON.parse`);
    }
    if (symbol && (symbol.flags & ts.SymbolFlags.Class) !== 0) {
      return problem(pathText, t, `an instance of class ${symbol.getName()}, which JSON turns into a plain object`);
    }
    const name = nameOf(t);
    if (name === undefined) return convertObject(t, pathText);
    const existing = defNames.get(t);
    if (existing !== undefined) return { $ref: `#/$defs/${existing}` };
    let unique = name;
    for (let index = 2; usedNames.has(unique); index++) unique = `${name}_${index}`;
    usedNames.add(unique);
    defNames.set(t, unique);
    defs.set(unique, true); // placeholder keeps $defs order = first encounter
    defs.set(unique, convertObject(t, pathText));
    return { $ref: `#/$defs/${unique}` };
  };

  const convertTuple = (t: ts.TupleTypeReference, pathText: string): JsonSchema => {
    const target = t.target;
    const elements = checker.getTypeArguments(t);
    const prefixItems: JsonSchema[] = [];
    let rest: JsonSchema | undefined;
    let minItems = 0;
    elements.forEach((element, index) => {
      const elementFlags = target.elementFlags[index] ?? ts.ElementFlags.Required;
      const schema = convert(element, `${pathText}[${index}]`, false, (elementFlags & ts.ElementFlags.Optional) !== 0);
      if (elementFlags & ts.ElementFlags.Rest || elementFlags & ts.ElementFlags.Variadic) rest = schema;
      else {
        prefixItems.push(schema);
        if (elementFlags & ts.ElementFlags.Required) minItems = index + 1;
      }
    });
    const schema: { [keyword: string]: unknown } = { type: 'array', prefixItems, items: rest ?? false, minItems };
    if (rest === undefined) schema['maxItems'] = prefixItems.length;
    return schema;
  };

  const convertObject = (t: ts.Type, pathText: string): JsonSchema => {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const property of checker.getPropertiesOfType(t)) {
      const name = property.getName();
      const propertyPath = `${pathText}.${name}`;
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (name.startsWith('__@')) {
        problems.push({ path: propertyPath, typeText: name, reason: 'a symbol-keyed property, which JSON drops', ...(declaration ? { location: locate(declaration) } : {}) });
        continue;
      }
      const propertyType = declaration ? checker.getTypeOfSymbolAtLocation(property, declaration) : checker.getTypeOfSymbol(property);
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      if (property.flags & ts.SymbolFlags.Method) {
        problems.push({ path: propertyPath, typeText: shortPrint(propertyType), reason: 'a function, which JSON drops', ...(declaration ? { location: locate(declaration) } : {}) });
        continue;
      }
      const before = problems.length;
      properties[name] = convert(propertyType, propertyPath, false, optional);
      // a problem found directly at a property is located at the property (not at, say, lib.d.ts's Date)
      for (let index = before; index < problems.length; index++) {
        const found = problems[index]!;
        if (found.path === propertyPath && declaration) problems[index] = { ...found, location: locate(declaration) };
      }
      if (!optional) required.push(name);
    }
    const schema: { [keyword: string]: unknown } = { type: 'object' };
    if (Object.keys(properties).length > 0) schema['properties'] = properties;
    if (required.length > 0) schema['required'] = required;
    const stringIndex = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    const numberIndex = checker.getIndexInfoOfType(t, ts.IndexKind.Number);
    const index = stringIndex ?? numberIndex;
    schema['additionalProperties'] = index ? convert(index.type, `${pathText}[string]`, false, true) : false;
    return schema;
  };

  const root = convert(type, '', true);
  const schema: { [keyword: string]: unknown } = { $schema: jsonSchemaDialect };
  if (typeof root === 'boolean') {
    if (!root) schema['not'] = {};
  } else {
    Object.assign(schema, root);
  }
  if (defs.size > 0) schema['$defs'] = Object.fromEntries(defs);
  return { typeText: shortPrint(type), schema, problems };
}

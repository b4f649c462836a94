/**
 * The limits a plugin's sources declare: every `<registry>.limit(<Enum>.<Member>, { … })` call
 * whose first argument is a member of the plugin's own enum, with each limit as written (a numeric
 * literal, or an expression the worker checks at start). Reading only: verify judges them.
 */
import { ts } from 'ts-morph';
import type { SourceLocation } from '../diagnostics.js';
import type { LimitModel, LimitValue } from '../model/model.js';
import { packageSourceFiles } from './plugin-facts.js';

function property(options: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return options.properties.find((candidate): candidate is ts.PropertyAssignment => ts.isPropertyAssignment(candidate) && candidate.name.getText() === name);
}

/** A numeric literal (`3`, `1_000`, `-1`), else undefined (an expression). */
function numberOf(expression: ts.Expression): number | undefined {
  if (ts.isNumericLiteral(expression)) return Number(expression.text.replace(/_/g, ''));
  if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(expression.operand)) {
    return -Number(expression.operand.text.replace(/_/g, ''));
  }
  return undefined;
}

export function readLimits(params: {
  program: ts.Program;
  packageDirectory: string;
  enumLocation: SourceLocation | undefined;
  locate: (node: ts.Node) => SourceLocation;
}): LimitModel[] {
  const { program, enumLocation, locate } = params;
  if (!enumLocation) return [];
  const checker = program.getTypeChecker();
  const limits: LimitModel[] = [];
  const valueOf = (options: ts.ObjectLiteralExpression | undefined, name: string): LimitValue | undefined => {
    const found = options && property(options, name);
    return found ? { value: numberOf(found.initializer), location: locate(found) } : undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'limit' && node.arguments.length === 2) {
      const type = checker.getTypeAtLocation(node.arguments[0]!);
      const symbol = type.getSymbol() as (ts.Symbol & { parent?: ts.Symbol }) | undefined;
      const enumDeclaration = symbol?.parent?.declarations?.find(ts.isEnumDeclaration);
      const enumAt = enumDeclaration ? locate(enumDeclaration) : undefined;
      if (type.flags & ts.TypeFlags.EnumLiteral && symbol && enumAt?.file === enumLocation.file && enumAt.line === enumLocation.line) {
        const options = node.arguments[1]!;
        const location = locate(node);
        if (!ts.isObjectLiteralExpression(options)) {
          limits.push({ jobName: symbol.getName(), literal: false, unknownFields: [], location });
        } else {
          const rate = property(options, 'rate')?.initializer;
          const group = property(options, 'group')?.initializer;
          const names = options.properties.map((candidate) => (candidate.name ? candidate.name.getText() : '...'));
          limits.push({
            jobName: symbol.getName(),
            literal: options.properties.every(ts.isPropertyAssignment) && (!rate || ts.isObjectLiteralExpression(rate)) && (!group || ts.isObjectLiteralExpression(group)),
            concurrency: valueOf(options, 'concurrency'),
            rateLimit: rate && ts.isObjectLiteralExpression(rate) ? valueOf(rate, 'limit') : undefined,
            rateIntervalMs: rate && ts.isObjectLiteralExpression(rate) ? valueOf(rate, 'intervalMs') : undefined,
            hasRate: rate !== undefined,
            groupConcurrency: group && ts.isObjectLiteralExpression(group) ? valueOf(group, 'concurrency') : undefined,
            hasGroup: group !== undefined,
            unknownFields: names.filter((name) => !['concurrency', 'rate', 'group'].includes(name)),
            location,
          });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of packageSourceFiles(program, params.packageDirectory)) visit(file);
  return limits;
}

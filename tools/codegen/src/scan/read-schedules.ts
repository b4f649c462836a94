/**
 * The schedules a plugin's sources declare: every `<registry>.schedule(<Enum>.<Member>, { … })`
 * call whose first argument is a member of the plugin's own enum, with the options written as
 * literals (cron, time zone, name, catch-up). Reading only: verify judges them. Options written as
 * expressions (a variable, a config value) are left undefined: the worker checks them at start.
 */
import { ts } from 'ts-morph';
import type { SourceLocation } from '../diagnostics.js';
import type { ScheduleModel } from '../model/model.js';
import { packageSourceFiles } from './plugin-facts.js';

type Literal = { value: string } | { value: undefined; written: boolean };

function stringLiteral(expression: ts.Expression | undefined): Literal {
  if (!expression) return { value: undefined, written: false };
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return { value: expression.text };
  return { value: undefined, written: true };
}

function property(options: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return options.properties.find((candidate): candidate is ts.PropertyAssignment => ts.isPropertyAssignment(candidate) && candidate.name.getText() === name);
}

/** `none`, `last`, `up-to-N`, an `invalid: …` message, or undefined when written as an expression. */
function catchUpOf(expression: ts.Expression | undefined): string | undefined {
  if (!expression) return 'last';
  if (ts.isStringLiteral(expression)) return expression.text === 'none' || expression.text === 'last' ? expression.text : `invalid: '${expression.text}'`;
  if (ts.isObjectLiteralExpression(expression)) {
    const upTo = property(expression, 'upTo')?.initializer;
    if (upTo && ts.isNumericLiteral(upTo)) return `up-to-${upTo.text}`;
  }
  return undefined;
}

export function readSchedules(params: {
  program: ts.Program;
  packageDirectory: string;
  enumLocation: SourceLocation | undefined;
  locate: (node: ts.Node) => SourceLocation;
}): ScheduleModel[] {
  const { program, enumLocation, locate } = params;
  if (!enumLocation) return [];
  const checker = program.getTypeChecker();
  const schedules: ScheduleModel[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'schedule' && node.arguments.length === 2) {
      const type = checker.getTypeAtLocation(node.arguments[0]!);
      const symbol = type.getSymbol() as (ts.Symbol & { parent?: ts.Symbol }) | undefined;
      const enumDeclaration = symbol?.parent?.declarations?.find(ts.isEnumDeclaration);
      const enumAt = enumDeclaration ? locate(enumDeclaration) : undefined;
      if (type.flags & ts.TypeFlags.EnumLiteral && symbol && enumAt?.file === enumLocation.file && enumAt.line === enumLocation.line) {
        const options = node.arguments[1]!;
        const location = locate(node);
        if (!ts.isObjectLiteralExpression(options)) {
          schedules.push({ jobName: symbol.getName(), name: undefined, cron: undefined, timezone: undefined, catchUp: undefined, location, cronLocation: location });
        } else {
          const cronProperty = property(options, 'cron');
          const timezone = stringLiteral(property(options, 'timezone')?.initializer);
          const name = stringLiteral(property(options, 'name')?.initializer);
          const catchUpProperty = property(options, 'catchUp');
          schedules.push({
            jobName: symbol.getName(),
            name: name.value ?? (name.written ? undefined : 'default'),
            cron: stringLiteral(cronProperty?.initializer).value,
            timezone: timezone.value ?? (timezone.written ? undefined : 'UTC'),
            catchUp: catchUpProperty ? catchUpOf(catchUpProperty.initializer) : 'last',
            location,
            cronLocation: cronProperty ? locate(cronProperty) : location,
          });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of packageSourceFiles(program, params.packageDirectory)) visit(file);
  return schedules;
}

/**
 * Orders strings by UTF-16 code units. Generated output must not depend on the machine's locale,
 * which `localeCompare` does.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

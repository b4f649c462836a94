/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. Job inputs and outputs are these. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * A JSON Schema document (draft 2020-12 subset) as emitted by `jobby codegen` for each job type's
 * input and output.
 */
export type JsonSchema = { [keyword: string]: unknown } | boolean;

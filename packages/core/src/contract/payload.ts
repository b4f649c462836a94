/**
 * Phantom markers that carry a job type's input and output types through `defineJobs`.
 * They exist at runtime only as empty tags; `jobby codegen` reads the type argument through the
 * type checker (from sources and from published `.d.ts` files alike) to emit the JSON Schema.
 */
declare const payloadType: unique symbol;

export interface Payload<T> {
  readonly kind: 'jobby.payload';
  /** Type-level only: never set at runtime. */
  readonly [payloadType]?: T;
}

/** The TypeScript type a {@link Payload} marker carries. */
export type PayloadType<P> = P extends Payload<infer T> ? T : never;

/**
 * Declares the type of a job's input or output.
 *
 * @example
 * ```ts
 * FetchAppList: { input: payload<{ url: string }>(), output: payload<{ count: number }>() }
 * ```
 */
export function payload<T>(): Payload<T> {
  return { kind: 'jobby.payload' };
}

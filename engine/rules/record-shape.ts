/**
 * A factory of objects with a fixed set of keys, all created in the same order so V8 gives every
 * one the same hidden class. `evaluate` returns a record of up to hundreds of segment keys on every
 * call; built key by key on `{}` such a record falls into slow dictionary mode, and building it
 * costs three times more. Keys are segment slugs (checked by the compiler) and are embedded with
 * `JSON.stringify`, so the generated constructor cannot contain anything but property stores.
 */
export function recordFactory<T>(keys: ReadonlyArray<string>): () => Record<string, T> {
  const body = keys.map((key) => `this[${JSON.stringify(key)}] = undefined;`).join('\n');
  const Shape = new Function(body) as unknown as new () => Record<string, T>;
  return () => new Shape();
}

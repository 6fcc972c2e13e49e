/**
 * Listener sets keyed by a name (a profile id, a topic), reporting when a key gains its first
 * listener or loses its last one: the hooks where a bus subscribes and unsubscribes its channel.
 */
export class ListenerRegistry<T> {
  private readonly byKey = new Map<string, Set<(value: T) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; returns true when it is the key's first. */
  add(key: string, listener: (value: T) => void): boolean {
    let set = this.byKey.get(key);
    const first = set === undefined;
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(listener);
    return first;
  }

  /** Removes a listener; returns true when the key has none left. */
  remove(key: string, listener: (value: T) => void): boolean {
    const set = this.byKey.get(key);
    if (!set?.delete(listener)) return false;
    if (set.size > 0) return false;
    this.byKey.delete(key);
    return true;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /** Calls every listener of `key`; one failing listener neither stops the others nor the bus. */
  emit(key: string, value: T): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

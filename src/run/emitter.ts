/**
 * A typed event with listeners that can be removed: what the run offers the views that attach to it.
 * One listener that throws never keeps the others from hearing the event: each is called, and the
 * failures are reported after (to `onListenerError`, by default as an uncaught error once all ran).
 */
export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();

  constructor(private readonly onListenerError: (error: unknown) => void = (e) => { queueMicrotask(() => { throw e; }); }) {}

  /** Listens; the returned object stops listening. */
  on(listener: (value: T) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => { this.listeners.delete(listener); } };
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

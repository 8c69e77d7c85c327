/** A typed event with listeners that can be removed: what the run offers the views that attach to it. */
export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();

  /** Listens; the returned object stops listening. */
  on(listener: (value: T) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => { this.listeners.delete(listener); } };
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/**
 * One owner for everything that must be undone when a long-lived object goes away: timers,
 * intervals, event listeners, subscriptions. Freeing each by hand (and remembering all of them
 * in the one place that ends the object) is how a timer survives its owner; here `dispose()`
 * frees them all, once, and anything added afterwards is freed at once.
 */
export class Disposables {
  private readonly cleanups = new Set<() => void>();
  private disposed = false;

  /**
   * Owns `cleanup`; returns a function that runs it early (and forgets it).
   * @example const stop = owner.add(signal.subscribe(render)); … stop();
   */
  add(cleanup: () => void): () => void {
    if (this.disposed) {
      cleanup();
      return () => {};
    }
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.cleanups.delete(run);
      cleanup();
    };
    this.cleanups.add(run);
    return run;
  }

  /** A timeout owned here; returns its cancel. It forgets itself once it has fired. */
  timeout(callback: () => void, ms: number): () => void {
    const timer = setTimeout(() => {
      cancel();
      callback();
    }, ms);
    const cancel = this.add(() => clearTimeout(timer));
    return cancel;
  }

  /** An interval owned here; returns its cancel. */
  interval(callback: () => void, ms: number): () => void {
    const timer = setInterval(callback, ms);
    return this.add(() => clearInterval(timer));
  }

  /** An event listener owned here; returns its removal. */
  listen<K extends keyof WindowEventMap>(target: Window, type: K, listener: (event: WindowEventMap[K]) => void): () => void;
  listen<K extends keyof DocumentEventMap>(target: Document, type: K, listener: (event: DocumentEventMap[K]) => void): () => void;
  listen(target: EventTarget, type: string, listener: (event: Event) => void): () => void {
    target.addEventListener(type, listener);
    return this.add(() => target.removeEventListener(type, listener));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees everything owned, newest first; later calls do nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const cleanup of [...this.cleanups].reverse()) cleanup();
    this.cleanups.clear();
  }
}

/**
 * The room's one alarm serves several parts (the D1 copy, orphan uploads, pushes, stats):
 * each asks for it to fire at some time or earlier. Requests run one after another, because
 * two interleaved read-then-set pairs could let a later time overwrite an earlier one.
 */
export class AlarmClock {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly storage: Pick<DurableObjectStorage, "getAlarm" | "setAlarm">) {}

  /** Makes sure the alarm fires at `at` or earlier. */
  ensure(at: number): Promise<void> {
    const next = this.queue.then(async () => {
      const current = await this.storage.getAlarm();
      if (current === null || current > at) await this.storage.setAlarm(at);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

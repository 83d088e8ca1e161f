/**
 * Watches the dashboard through a raid as an operator's browser does: the first account is
 * created on the fresh server (POST /api/setup, from this machine), then the live event stream
 * (/api/events) is read and the day's count of calls and texts noted at each update. Compared with
 * the times the webhooks were answered 200, it says how far behind the screen was at worst.
 */

export interface DashboardUpdate {
  /** performance.now() when the update arrived. */
  at: number;
  contacts: number;
}

export class DashboardWatch {
  readonly updates: DashboardUpdate[] = [];
  readonly #abort = new AbortController();

  private constructor() {}

  /** Creates the first account on `url` (a server with none yet) and opens its live stream. */
  static async open(url: string): Promise<DashboardWatch> {
    const setup = await fetch(`${url}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ username: 'bench', password: 'a long enough bench passphrase' }),
    });
    const cookie = setup.headers.get('set-cookie')?.split(';')[0];
    if (!setup.ok || !cookie)
      throw new Error(`dashboard setup failed (${setup.status}): ${await setup.text()}`);
    const watch = new DashboardWatch();
    const stream = await fetch(`${url}/api/events`, {
      headers: { cookie },
      signal: watch.#abort.signal,
    });
    if (!stream.ok || !stream.body) throw new Error(`live stream refused (${stream.status})`);
    void watch.#read(stream.body);
    // The stream sends the overview at once: wait for it, so the baseline is known.
    for (let i = 0; i < 100 && watch.updates.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return watch;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!event.startsWith('event: overview')) continue;
          const data = event.slice(event.indexOf('data: ') + 6);
          const overview = JSON.parse(data) as { today: { contacts: number } };
          this.updates.push({ at: performance.now(), contacts: overview.today.contacts });
        }
      }
    } catch {
      // Closed, or the server went away: the updates stop here, and `lag` counts the screen as
      // behind from then on.
    }
  }

  close(): void {
    this.#abort.abort();
  }

  /**
   * How stale the screen was while `answeredAt` (the times of the 200s, in order) came in after
   * `startedAt`: for each update, from the moment one more webhook had been answered than it showed
   * until the next update; and how long after the last 200 the screen showed them all.
   */
  lag(startedAt: number, answeredAt: readonly number[]): { worstMs: number; allShownMs: number } {
    const baseline = this.updates.filter((u) => u.at < startedAt).at(-1)?.contacts ?? 0;
    const during = this.updates.filter((u) => u.at >= startedAt);
    const last = answeredAt.at(-1) ?? startedAt;
    // Until the first update, the screen shows what it showed before the raid.
    let worstMs = answeredAt.length ? (during[0]?.at ?? performance.now()) - answeredAt[0]! : 0;
    let allShownMs = answeredAt.length ? Number.POSITIVE_INFINITY : 0;
    for (let k = 0; k < during.length; k++) {
      const shown = during[k]!.contacts - baseline;
      if (shown >= answeredAt.length) {
        allShownMs = Math.max(0, during[k]!.at - last);
        break;
      }
      // The screen is behind from the (shown + 1)-th answer on, until the next update.
      const behindSince = answeredAt[shown]!;
      const until = during[k + 1]?.at ?? performance.now();
      worstMs = Math.max(worstMs, until - behindSince);
    }
    return { worstMs, allShownMs };
  }
}

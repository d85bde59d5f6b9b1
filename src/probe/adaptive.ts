// RTT-adaptive connect deadlines per host, as nmap times out its probes (`--adaptive`, off by
// default). A DROP rule answers nothing, so without adaptation a dropped row costs its whole
// timeout; with it, a host that has already answered other rows (an accept, a refusal) shows how
// long an answer takes there, and a connection attempt silent for much longer than that is cut.
//
// Bounds, so that a slow but working path is never called filtered because of this:
// - a host is never cut early before it has answered MIN_SAMPLES rows (one quick answer, from a
//   port served nearby while the others sit behind a far DNAT, says little about the path);
// - the cut is never before MIN_ADAPTIVE_MS, 2x the slowest answer seen from that host, nor
//   srtt + 4 rttvar (RFC 6298's retransmission timeout), and never after the row's own timeout;
// - only the connection attempt is cut: once connected, the row's own timeout applies;
// - a cut attempt is retried with RETRY_FACTOR times the window before the row is "filtered"
//   (by then the path has had 1 + RETRY_FACTOR windows to answer one SYN or the other).
export const MIN_ADAPTIVE_MS = 100;
export const MIN_SAMPLES = 3;
export const RETRY_FACTOR = 3;

interface Watched {
  start: number;
  factor: number;
  cut(windowMs: number): void;
}

interface Host {
  srtt: number;
  rttvar: number;
  maxRtt: number;
  samples: number;
  inflight: Set<Watched>;
  timer?: NodeJS.Timeout | undefined;
  timerAt: number;
}

export interface AdaptiveDeadlines {
  /** The connect window this host's answers justify (before the attempt's factor), if any. */
  windowMs(address: string): number | undefined;
  /** Records how long the host took to answer a connection attempt (SYN-ACK, RST, ICMP). */
  sample(address: string, rttMs: number): void;
  /**
   * Watches one connection attempt started at `start` (performance.now()): `cut(windowMs)` is
   * called once the host's window times `factor` has passed without an answer. Returns the
   * function that stops watching (call it at connect, or when the attempt ends).
   */
  watch(address: string, start: number, factor: number, cut: (windowMs: number) => void): () => void;
  /** Stops every timer (end of the run). */
  close(): void;
}

export function adaptiveDeadlines(now: () => number): AdaptiveDeadlines {
  const hosts = new Map<string, Host>();

  const host = (address: string): Host => {
    let h = hosts.get(address);
    if (!h) {
      h = { srtt: 0, rttvar: 0, maxRtt: 0, samples: 0, inflight: new Set(), timerAt: Infinity };
      hosts.set(address, h);
    }
    return h;
  };

  const windowOf = (h: Host): number | undefined =>
    h.samples < MIN_SAMPLES ? undefined : Math.max(MIN_ADAPTIVE_MS, h.srtt + 4 * h.rttvar, 2 * h.maxRtt);

  // One timer per host, at the earliest cut among its attempts in flight: thousands of rows do
  // not mean thousands of re-armed timers each time an answer comes in.
  const sweep = (h: Host): void => {
    if (h.timer) clearTimeout(h.timer);
    h.timer = undefined;
    h.timerAt = Infinity;
    const window = windowOf(h);
    if (window === undefined) return;
    const t = now();
    let next = Infinity;
    for (const w of h.inflight) {
      const at = w.start + window * w.factor;
      if (at <= t) {
        h.inflight.delete(w);
        w.cut(window * w.factor);
      } else if (at < next) next = at;
    }
    if (next < Infinity) {
      h.timerAt = next;
      h.timer = setTimeout(() => sweep(h), Math.max(1, Math.ceil(next - t)));
    }
  };

  return {
    windowMs: (address) => {
      const h = hosts.get(address);
      return h && windowOf(h);
    },
    sample(address, rttMs) {
      const h = host(address);
      const before = windowOf(h);
      if (h.samples === 0) {
        h.srtt = rttMs;
        h.rttvar = rttMs / 2;
      } else {
        h.rttvar = 0.75 * h.rttvar + 0.25 * Math.abs(h.srtt - rttMs);
        h.srtt = 0.875 * h.srtt + 0.125 * rttMs;
      }
      h.maxRtt = Math.max(h.maxRtt, rttMs);
      h.samples++;
      const after = windowOf(h)!;
      // A longer window only makes the pending timer early (its sweep re-arms); a shorter or a
      // first one may bring a cut forward.
      if (h.inflight.size > 0 && (before === undefined || after < before)) sweep(h);
    },
    watch(address, start, factor, cut) {
      const h = host(address);
      const w: Watched = { start, factor, cut };
      h.inflight.add(w);
      const window = windowOf(h);
      if (window !== undefined && start + window * factor < h.timerAt) sweep(h);
      return () => {
        h.inflight.delete(w);
      };
    },
    close() {
      for (const h of hosts.values()) {
        if (h.timer) clearTimeout(h.timer);
        h.inflight.clear();
      }
    },
  };
}

// What the TLS probers say: tls:// (tls.ts) and the verdict after every TLS handshake
// (tls-verdict.ts, shared by tls, https, mqtts, mqtt+wss and grpcs). The rule (src/messages.ts):
// each prober's sentences in one table beside it.
export const SAY = {
  alpnMismatch: (picked: string, offered: string[]) => `the TLS server picked ${picked}, not ${offered.join(' or ')}`,
  handshakeOk: (summary: string) => `TLS handshake OK: ${summary}`,
  validUntil: (day: string, days: number | undefined) => `, valid until ${day} (${days} days)`,
  expiresSoon: (day: string, days: number, minDaysValid: number) =>
    `the server certificate expires on ${day}, in ${days} days ` +
    `(fewer than the ${minDaysValid} required by with.minDaysValid)`,
  /** Appended to a tls:// pass: what the handshake says about client certificates. */
  certRequestUnknown:
    '; whether the server asked for a client certificate is unknown, ' +
    'so this pass does not prove that an mTLS service accepts this client',
  certNotRequested: '; no client certificate asked for',
  certRequestedOursTaken:
    '; the server asked for a client certificate and completed the handshake with ours ' +
    '(it may still refuse it at the application layer)',
  /** Appended to a pass over an application exchange (ssl_verify_client optional). */
  certRequestedNoneOffered: ' (the server asked for a client certificate; none was offered)',
  tolerated: (problem: string) => ` — but ${problem} (ignored: with.insecure)`,
  noClientCert: (summary: string, soon: string | undefined, tolerated: string) =>
    `TLS handshake completed (${summary}); ` +
    'the server asked for a client certificate and none was offered: ' +
    `it may refuse this client at the application layer (give with.cert and with.key)${soon ? `; ${soon}` : ''}` +
    tolerated,
};

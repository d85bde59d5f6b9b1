// The one verdict after a TLS handshake that worked, for every TLS scheme (tls, https, mqtts,
// mqtt+wss, grpcs): a certificate that expires within with.minDaysValid turns a pass into a
// warning, a certificate problem tolerated by with.insecure is named, and what the handshake says
// about client certificates is told. startTls() has already put the facts in `facts.tls`.
import type { ProbeFacts, TlsFacts } from '../facts.js';
import type { Check, Observation } from '../types.js';
import { describeVerifyError, type TlsClientOpts } from '../net/tls.js';
import { SAY } from './tls-text.js';

/** "TLSv1.3, certificate CN=web.test from CN=Example CA, valid until 2027-01-31 (400 days)". */
export function tlsSummary(f: TlsFacts): string {
  const from = f.issuer && f.issuer !== f.subject ? ` from ${f.issuer}` : '';
  const who = f.subject ? `certificate ${f.subject}${from}` : 'no certificate';
  let until = '';
  if (f.notAfter) {
    const day = f.notAfter.slice(0, 10);
    until = (f.daysToExpiry ?? 0) < 0 ? `, expired ${day}` : SAY.validUntil(day, f.daysToExpiry);
  }
  return `${f.protocol ?? 'TLS'}, ${who}${until}${f.alpn ? `, ALPN ${f.alpn}` : ''}`;
}

/** The warning text when the certificate expires within `minDaysValid` days, else undefined. */
function expiryWarning(
  facts: Pick<TlsFacts, 'daysToExpiry' | 'notAfter'>,
  minDaysValid: number | undefined,
): string | undefined {
  if (minDaysValid === undefined || facts.daysToExpiry === undefined) return undefined;
  if (facts.daysToExpiry >= minDaysValid) return undefined;
  return SAY.expiresSoon(facts.notAfter?.slice(0, 10) ?? '?', facts.daysToExpiry, minDaysValid);
}

/** What a handshake on its own (tls://) says, and does not say, about client certificates. */
function handshakeCertNote(f: TlsFacts): string {
  if (f.clientCertRequested === 'unknown') return SAY.certRequestUnknown;
  if (!f.clientCertRequested) return SAY.certNotRequested;
  // Offered: a server that checks it after the handshake (nginx http) has not judged it yet.
  return SAY.certRequestedOursTaken;
}

/** After an application answer, only an unanswered request is worth saying (ssl_verify_client optional). */
function exchangeCertNote(f: TlsFacts): string {
  return f.clientCertRequested === true && !f.clientCertOffered ? SAY.certRequestedNoneOffered : '';
}

export interface TlsVerdictOptions {
  /** tls://: the handshake is the whole exchange, so a certificate asked for and not given is no pass. */
  handshakeOnly?: boolean;
}

/**
 * The verdict on a row whose exchange over TLS went through: `obs` is what the prober saw over
 * the TLS socket. Only a pass is changed (a failure stays the failure it is): to `expiring` when
 * the certificate expires within with.minDaysValid, with a tolerated verification failure named
 * and kept as the code; for tls:// alone, a client certificate asked for and not offered is
 * auth-rejected (nginx asks, completes the handshake, and refuses only in HTTP).
 */
export function tlsVerdict<F extends ProbeFacts>(
  obs: Observation<F>,
  tls: TlsFacts,
  check: Check,
  opts: TlsClientOpts,
  o: TlsVerdictOptions = {},
): Observation<F> {
  if (obs.reason !== 'ok') return obs;
  const name = opts.servername ?? check.target.host;
  const tolerated = tls.verifyError
    ? SAY.tolerated(describeVerifyError(tls.verifyError, tls, name, opts.ca !== undefined))
    : '';
  const soon = expiryWarning(tls, opts.minDaysValid);
  const code = obs.code ?? tls.verifyError;
  const withCode = code !== undefined ? { code } : {};
  if (o.handshakeOnly && tls.clientCertRequested === true && !tls.clientCertOffered) {
    return {
      ...obs,
      reason: 'auth-rejected',
      code: 'CLIENT_CERT_REQUESTED',
      detail: SAY.noClientCert(tlsSummary(tls), soon, tolerated),
    };
  }
  const note = o.handshakeOnly ? handshakeCertNote(tls) : exchangeCertNote(tls);
  if (soon) return { ...obs, ...withCode, reason: 'expiring', detail: `${obs.detail}${note}, but ${soon}${tolerated}` };
  return { ...obs, ...withCode, detail: `${obs.detail}${note}${tolerated}` };
}

// tls:// — a TLS handshake and the server certificate's verdict, with no application protocol on
// top. Proves a path, a TLS listener, and (unless `insecure`) a certificate this machine trusts.
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import { dialTcp } from '../probe/socket.js';
import { describeVerifyError, expiryWarning, startTls, tlsClientOptionShape, type TlsFacts } from '../probe/tls.js';
import type { Check, Prober } from '../types.js';

export const tlsOptions = z.strictObject({
  ...tlsClientOptionShape,
  alpn: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional()
    .describe('application protocols to offer (ALPN), as a list or "h2,http/1.1"; the server must pick one of them'),
});

/**
 * `with:` as the prober needs it: validated strictly at load time already (with the keys the
 * runner handles, such as `proxy`), parsed again here for coercions, ignoring those other keys.
 */
export function parseWith<T extends z.ZodObject>(schema: T, check: Check): z.output<T> {
  const parsed = z.object(schema.shape).safeParse(check.with) as z.ZodSafeParseResult<z.output<T>>;
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ProbeError('error', `with.${issue.path.join('.')}: ${issue.message}`);
}

export function alpnList(alpn: string | string[] | undefined): string[] | undefined {
  if (alpn === undefined) return undefined;
  return (Array.isArray(alpn) ? alpn : alpn.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** "TLSv1.3, certificate CN=web.test from CN=Example CA, valid until 2027-01-31 (400 days)". */
export function tlsSummary(f: TlsFacts): string {
  const who = f.subject ? `certificate ${f.subject}${f.issuer && f.issuer !== f.subject ? ` from ${f.issuer}` : ''}` : 'no certificate';
  const until = !f.notAfter ? '' : (f.daysToExpiry ?? 0) < 0 ? `, expired ${f.notAfter.slice(0, 10)}` : `, valid until ${f.notAfter.slice(0, 10)} (${f.daysToExpiry} days)`;
  return `${f.protocol ?? 'TLS'}, ${who}${until}${f.alpn ? `, ALPN ${f.alpn}` : ''}`;
}

/** What a passing handshake says, and does not say, about client certificates. */
function clientCertNote(f: TlsFacts): string {
  if (f.clientCertRequested === 'unknown') {
    return '; whether the server asked for a client certificate is unknown, '
      + 'so this pass does not prove that an mTLS service accepts this client';
  }
  if (!f.clientCertRequested) return '; no client certificate asked for';
  // Offered: a server that checks it after the handshake (nginx http) has not judged it yet.
  return '; the server asked for a client certificate and completed the handshake with ours '
    + '(it may still refuse it at the application layer)';
}

export const probeTls: Prober = async (check, ctx) => {
  const opts = parseWith(tlsOptions, check);
  const alpn = alpnList(opts.alpn);
  const raw = await dialTcp(check.target.port, ctx);
  const { socket, facts } = await startTls(raw, check, ctx, { ...opts, alpn });
  socket.destroy();
  const name = opts.servername ?? check.target.host;

  if (alpn && (!facts.alpn || !alpn.includes(facts.alpn))) {
    throw new ProbeError('wrong-protocol', `the TLS server picked ${facts.alpn ? `ALPN ${facts.alpn}` : 'no application protocol'}, not ${alpn.join(' or ')}`, { code: 'ALPN_MISMATCH', facts: { ...facts } });
  }
  const timings = { totalMs: 0 };
  const tolerated = facts.verifyError ? ` — but ${describeVerifyError(facts.verifyError, facts, name, opts.ca !== undefined)} (ignored: with.insecure)` : '';
  const soon = expiryWarning(facts, opts.minDaysValid);
  if (facts.clientCertRequested === true && !facts.clientCertOffered) {
    // nginx (http) asks, completes the handshake without a certificate, and refuses only in HTTP
    // (400 "No required SSL certificate was sent"): a handshake alone is no pass for such a server.
    return {
      state: 'open', reason: 'auth-rejected', code: 'CLIENT_CERT_REQUESTED', facts: { ...facts }, timings,
      detail: `TLS handshake completed (${tlsSummary(facts)}); `
        + 'the server asked for a client certificate and none was offered: '
        + `it may refuse this client at the application layer (give with.cert and with.key)${soon ? `; ${soon}` : ''}`
        + tolerated,
    };
  }
  if (soon) {
    return { state: 'open', reason: 'expiring', detail: `TLS works, but ${soon}`, facts: { ...facts }, timings, ...(facts.verifyError !== undefined && { code: facts.verifyError }) };
  }
  return {
    state: 'open', reason: 'ok', facts: { ...facts }, timings,
    detail: `TLS handshake OK: ${tlsSummary(facts)}${clientCertNote(facts)}${tolerated}`,
    ...(facts.verifyError !== undefined && { code: facts.verifyError }),
  };
};

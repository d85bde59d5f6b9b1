// tls:// — a TLS handshake and the server certificate's verdict, with no application protocol on
// top. Proves a path, a TLS listener, and (unless `insecure`) a certificate this machine trusts.
import { ProbeError } from '../errors.js';
import { dialTcp } from '../net/socket.js';
import { readTlsFiles, startTls } from '../net/tls.js';
import { SAY } from './tls-text.js';
import { tlsSummary, tlsVerdict } from './tls-verdict.js';
import type { TlsCarrier } from '../facts.js';
import type { Observation, Prober } from '../types.js';
import type { SchemeOptions } from './options.js';

export { tlsOptions } from './options/tls.js';

function alpnList(alpn: string | string[] | undefined): string[] | undefined {
  if (alpn === undefined) return undefined;
  return (Array.isArray(alpn) ? alpn : alpn.split(',')).map((s) => s.trim()).filter(Boolean);
}

export const probeTls: Prober<TlsCarrier, SchemeOptions['tls']> = async (check, ctx, opts) => {
  const alpn = alpnList(opts.alpn);
  const files = await readTlsFiles(opts);
  const raw = await dialTcp(check.target.port, ctx);
  const facts: TlsCarrier = {};
  const { socket, facts: tls } = await startTls(raw, check, ctx, { ...opts, alpn }, { files, facts });
  socket.destroy();

  if (alpn && (!tls.alpn || !alpn.includes(tls.alpn))) {
    const picked = tls.alpn ? `ALPN ${tls.alpn}` : 'no application protocol';
    throw new ProbeError<TlsCarrier>('wrong-protocol', SAY.alpnMismatch(picked, alpn), {
      code: 'ALPN_MISMATCH',
      facts,
    });
  }
  const detail = SAY.handshakeOk(tlsSummary(tls));
  const obs: Observation<TlsCarrier> = { state: 'open', reason: 'ok', detail, facts };
  return tlsVerdict(obs, tls, check, opts, { handshakeOnly: true });
};

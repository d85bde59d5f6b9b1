// What the shared TLS client step (tls.ts) says, for every TLS scheme. The rule (src/messages.ts):
// each prober's sentences in one table beside it; this one sits with the transport, which imports
// nothing from the probers.
export const SAY = {
  // with.ca, with.cert, with.key
  unreadablePem: (what: string, file: string, why: string) => `cannot read the with.${what} file "${file}" (${why})`,
  keyWithoutCert: 'with.key needs with.cert (the client certificate)',
  noPrivateKey: (cert: string) => `with.cert "${cert}" holds no usable private key: give it with with.key`,
  unusableFiles: 'the with.ca, with.cert or with.key file cannot be used',
  // The server certificate does not verify
  caFile: 'the with.ca file',
  caStore: "this machine's CA store (give the CA with with.ca)",
  expired: (day: string, daysAgo: number) => `the server certificate expired on ${day} ` + `(${daysAgo} days ago)`,
  notYetValid: (day: string) => `the server certificate is not valid before ${day} (check this ` + `machine's clock)`,
  selfSigned: (subject: string, trust: string) =>
    `the server certificate is self-signed (${subject}), not issued by a CA in ${trust}`,
  selfSignedInChain: (trust: string) => `the certificate chain ends in a self-signed CA that is not in ${trust}`,
  unknownIssuer: (issuer: string, trust: string) =>
    `the certificate's issuer ${issuer} is not in ${trust}, or the server does not send its intermediate ` +
    `certificate`,
  wrongName: (names: string, name: string) =>
    `the server certificate is for ` +
    `${names}, ` +
    `not for ${name} (set with.servername if the service has another name)`,
  revoked: 'the server certificate has been revoked',
  untrusted: (code: string) => `the server certificate is not trusted (${code})`,
  doesNotVerify: (code: string) => `the server certificate does not verify (${code})`,
  // The handshake failed
  plaintext: (how: string) => `the port speaks plain text, not TLS (${how})`,
  notTlsRecord: 'its answer to our ClientHello is not a TLS record',
  closedOnHello: 'it closed the connection on our TLS ClientHello; or a firewall inspecting TLS cut it',
  certificateRequired: (giveOne: string) =>
    `the server requires a client certificate (TLS alert 116 certificate_required); ${giveOne}`,
  giveOne: 'give one with with.cert and with.key',
  askedRefusedOurs: 'the server asked for a client certificate and refused ours (TLS alert 40 handshake_failure)',
  askedEndedWithout: (giveOne: string) =>
    'the server asked for a client certificate and ended the handshake without one ' +
    `(TLS alert 40 handshake_failure); ${giveOne}`,
  noCommonAlgorithm:
    'the server refused the handshake (TLS alert 40 handshake_failure) ' +
    'without asking for a client certificate: no cipher, group or signature algorithm in common',
  refusedOursOrCipher:
    'the server refused the handshake (TLS alert 40 handshake_failure): our client certificate was not ' +
    'accepted, or no shared cipher',
  requiresCertOrCipher:
    'the server refused the handshake (TLS alert 40 handshake_failure): it requires a client certificate, or ' +
    'no shared cipher',
  rejectedOurs: (alert: string | undefined) => `the server rejected our client certificate (TLS alert ${alert})`,
  endedWithAlert: (alert: string | undefined) => `the server ended the handshake with TLS alert ${alert}`,
  noAlpnInCommon: (offered: string) =>
    `the server speaks none of the application protocols we offered (ALPN ${offered}; TLS ` +
    `alert 120 no_application_protocol)`,
  noVersionInCommon: 'no TLS version in common with the server (Node speaks TLS 1.2 and 1.3 only)',
  unrecognizedName: (servername: string) =>
    `the server does not serve the name ` + `${servername} (TLS alert 112 unrecognized_name)`,
  handshakeFailed: (why: string) => `the TLS handshake failed: ${why}`,
  cutAfterHandshake: 'the server cut the connection right after the TLS handshake',
  trickle: (came: number, ms: number) =>
    `connected, then ${came} byte${came === 1 ? '' : 's'} within ${ms} ms, ` +
    'but the TLS handshake did not complete (a TLS server sends its first flight at once)',
  closedDuringHandshake: 'the connection closed during the TLS handshake',
  // Closed right after the handshake
  closedAfterHandshake: (why: string) => `the server closed the connection right after the TLS handshake: ${why}`,
  askedRefusedOursLikely: 'it asked for a client certificate and most likely refused ours',
  askedNoneOffered: 'it asked for a client certificate and none was offered (give with.cert and with.key)',
  proxyNoBackend: 'a TLS proxy could not reach its backend',
  notAskedSoProxy: (proxy: string) => `it did not ask for a client certificate, so most likely ${proxy}`,
  mayHaveRejectedOurs: (proxy: string) => `it may have rejected our client certificate, or ${proxy}`,
  mayRequireCert: (proxy: string) => `it may require a client certificate (give with.cert and with.key), or ${proxy}`,
};

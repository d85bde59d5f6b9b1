// What `code` on an observation and a result means: the machine-readable name of what went wrong,
// beside the reason. Either the code the OS, Node or OpenSSL gave (kept as it was said, so that an
// operator can search for it), or a code of fedprobe's own for a finding of a protocol (a status
// that came back, an answer that was missing). The union is closed over what fedprobe produces;
// a code from below that fedprobe does not know (a rare errno) is still kept, as OtherCode, made
// only by errorCodeOf().

/** Errno and resolver codes that classify() or a prober gives a meaning of its own. */
type ErrnoCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'EPIPE'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'EACCES'
  | 'EPERM'
  | 'EADDRNOTAVAIL'
  | 'EAFNOSUPPORT'
  | 'EINVAL'
  | 'ENOENT'
  | 'ENOTFOUND'
  | 'EAI_AGAIN'
  | 'EAI_FAIL'
  | 'EAI_NONAME'
  | 'ENODATA'
  | 'ESERVFAIL'
  | 'ENONAME'
  /** c-ares: the DNS server did not answer in time (net/resolve.ts). */
  | 'ETIMEOUT';

/** OpenSSL's certificate verification results as Node names them (TlsFacts.verifyError). */
type VerifyCode =
  | 'CERT_HAS_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'DEPTH_ZERO_SELF_SIGNED_CERT'
  | 'SELF_SIGNED_CERT_IN_CHAIN'
  | 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  | 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  | 'UNABLE_TO_GET_ISSUER_CERT'
  | 'CERT_REVOKED'
  | 'CERT_SIGNATURE_FAILURE'
  | 'CERT_UNTRUSTED'
  | 'CERT_REJECTED'
  | 'NO_PEER_CERTIFICATE';

/** Families of Node's own codes, kept as Node said them: TLS, HTTP parser, HTTP/2, WebSocket (ws). */
type NodeCode =
  | `ERR_SSL_${string}`
  | `ERR_TLS_${string}`
  | `ERR_HTTP2_${string}`
  | `HPE_${string}`
  | `WS_ERR_${string}`;

/** fedprobe's own codes: what a protocol answered (a status, a return code) or failed to. */
type FindingCode =
  | `HTTP_${number}`
  | `PROXY_${number}`
  | `CONNACK_${number}`
  | `WS_CLOSE_${number}`
  | `GRPC_${number}`
  | `HEALTH_${string}`
  | 'ALPN_MISMATCH'
  | 'CLIENT_CERT_REQUESTED'
  | 'EOF_AFTER_HANDSHAKE'
  | 'BODY_LIMIT'
  | 'ERR_SESSION_CLOSED'
  | 'MQTT_CLOSED_WITHOUT_ANSWER'
  | 'MQTT_MALFORMED_CONNACK'
  | 'MQTT_ANSWER_TOO_LONG'
  | 'WG_PSK_MISMATCH';

declare const other: unique symbol;
/** A code from the OS or Node that fedprobe has no name for, kept as it was said. */
type OtherCode = string & { readonly [other]: true };

export type ErrorCode = ErrnoCode | VerifyCode | NodeCode | FindingCode | OtherCode;

/** The one way in for a code read off an error (see errorCode() in net/error-kind.ts). */
export function errorCodeOf(raw: string): ErrorCode {
  // A brand, not a check: any string is a code someone below us gave. The named members are what
  // fedprobe itself may write: a code literal outside them (a typo) does not compile.
  return raw as OtherCode;
}

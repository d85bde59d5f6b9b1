// What each prober records beside its verdict (`facts` on an Observation and on every result),
// one type per scheme. The JSON report carries facts as they are, without a scheme tag, so the
// union is told apart by its keys: each key has one meaning whichever scheme records it, and
// `facts.tls` (present) narrows to the TLS schemes, `facts.listeningOn` to listen://. A type lists
// every shape a row of its scheme can carry, its failures included (a failed handshake keeps what
// it saw), hence the many optional keys.
import type { ErrorCode } from './error-code.js';
import type { ProbeScheme } from './types.js';

/** An HTTP CONNECT proxy failed or refused the tunnel: any TCP scheme (net/proxy.ts). */
export type ProxyFacts = {
  via: string;
  proxyStatus?: number;
};

/** What a peer sent instead of the expected answer (first-bytes.ts). */
type FirstBytesFacts = {
  firstBytes?: string;
  firstText?: string;
};

/**
 * What startTls() records for every TLS scheme: the certificate and handshake under `tls` (a
 * handshake that failed keeps what it had seen, hence Partial), and `credentialsGiven` when a
 * client certificate was offered (it is this row's credential).
 */
export type TlsCarrier = {
  tls?: TlsFacts | Partial<TlsFacts>;
  credentialsGiven?: boolean;
};

export type TcpFacts = {
  localAddress: string | undefined;
  localPort: number | undefined;
};

export type UdpFacts = {
  /** Absent when nothing came back (open|filtered). */
  replyBytes?: number;
};

/** `listeningOn` as `0.0.0.0:8484`, `[::1]:9094`; a planned row (check --all) has `localOnly` only. */
export type ListenFacts = {
  listeningOn?: string[];
  localOnly: boolean;
};

export type HttpFacts = TlsCarrier &
  FirstBytesFacts & {
    status?: number;
    statusText?: string;
    httpVersion?: string;
    /** As the Server header came (node:http's type allows a repeated header's list). */
    server?: string | string[];
    location?: string;
  };

export type MqttFacts = TlsCarrier &
  FirstBytesFacts & {
    /** The version of the CONNECT that got the last answer. */
    protocolVersion: '3.1.1' | '5.0';
    /** The scheme: mqtt, mqtts, mqtt+ws or mqtt+wss. */
    transport: ProbeScheme;
    /** A user name, a password or a client certificate was given. */
    credentialsGiven: boolean;
    /** How an MQTT 5 CONNECT ended before the 3.1.1 retry. */
    mqtt5Attempt?: string;
    returnCode?: number;
    sessionPresent?: boolean;
    reasonString?: string;
    serverReference?: string;
    webSocketClose?: { code: number; reason: string };
  };

/** One call tried while proving a framework's gRPC service (fingerprints.ts). */
type FingerprintTry = {
  method: string;
  grpcStatus: number;
  grpcMessage: string;
  finding: string;
};

export type GrpcFacts = TlsCarrier & {
  transport: 'h2 over TLS' | 'h2c (plaintext)';
  /** The :status header (node:http2 types it as any header; it is a number). */
  httpStatus?: number | string | string[];
  bodyBytesRead?: number;
  method?: string;
  grpcStatus?: number;
  grpcMessage?: string;
  servingStatus?: string;
  fingerprint?: { expected: string; tried: FingerprintTry[] };
  /** The framework services that answered instead of the expected one. */
  answeredBy?: string[];
};

export type WireguardFacts = {
  /** `probe peer`: with.privateKey and with.peerPublicKey given; `none`: a keyless initiation. */
  keys: 'probe peer' | 'none';
  cookieReply?: true;
  handshake?: 'verified';
};

export type Discv4Facts = {
  /** Absent when no PONG came. */
  nodeId?: string;
  /** The node record's sequence number, in decimal (it may not fit a JSON number). */
  enrSeq?: string;
};

export type RlpxFacts = FirstBytesFacts & {
  /** How far the node was proven: a silent listener, its ack (the key), its HELLO. */
  proof?: 'tcp-only' | 'rlpx-ack' | 'rlpx-hello';
  nodeId?: string;
  expectedNodeId?: string;
  disconnect?: string;
  clientId?: string;
  protocolVersion?: number;
  capabilities?: string[];
  listenPort?: number;
  helloNodeId?: string;
};

/** Each built-in scheme's facts. A scheme without an entry here is a compile error (registry.ts). */
export type SchemeFacts = {
  tcp: TcpFacts | ProxyFacts;
  udp: UdpFacts;
  listen: ListenFacts;
  tls: TlsCarrier | ProxyFacts;
  http: HttpFacts | ProxyFacts;
  https: HttpFacts | ProxyFacts;
  mqtt: MqttFacts | ProxyFacts;
  mqtts: MqttFacts | ProxyFacts;
  'mqtt+ws': MqttFacts | ProxyFacts;
  'mqtt+wss': MqttFacts | ProxyFacts;
  grpc: GrpcFacts | ProxyFacts;
  grpcs: GrpcFacts | ProxyFacts;
  wireguard: WireguardFacts;
  discv4: Discv4Facts;
  rlpx: RlpxFacts | ProxyFacts;
};

/**
 * Facts of a prober registered from outside (registerProber): its own keys, none of those that
 * fedprobe reads with a meaning of its own. `credentialsGiven: true` says the row's credentials
 * were given, as for the built-in schemes.
 */
type ForeignFacts = { readonly [key: string]: unknown } & {
  credentialsGiven?: boolean;
  tls?: never;
  listeningOn?: never;
  localOnly?: never;
};

type Builtin = SchemeFacts[keyof SchemeFacts];
type KeysOf<U> = U extends unknown ? keyof U : never;
/** Each member declares the other members' keys as absent, so that `facts.tls` can be read (and
 * narrows) on the whole union, not only after `'tls' in facts`. */
type Exclusive<U> = U extends unknown ? U & { [K in Exclude<KeysOf<Builtin>, keyof U>]?: never } : never;

/** Nothing learned: the name did not resolve, the runner's own deadline, a planned row. */
export type NoFacts = Exclusive<Record<never, never>>;

/** The facts of any result: one built-in scheme's, nothing, or a registered prober's. */
export type ProbeFacts = Exclusive<Builtin> | NoFacts | ForeignFacts;

export interface TlsFacts {
  /** `TLSv1.3`, `TLSv1.2`. */
  protocol: string | null;
  /** OpenSSL's cipher name, e.g. `TLS_AES_256_GCM_SHA384`, `ECDHE-ECDSA-AES128-GCM-SHA256`. */
  cipher: string | null;
  /** The application protocol the server picked (ALPN), or null for none. */
  alpn: string | null;
  /** The application protocols we offered (ALPN), when we offered any. */
  alpnOffered?: string[];
  subject?: string;
  issuer?: string;
  subjectAltNames?: string[];
  /** ISO 8601. */
  notBefore?: string;
  notAfter?: string;
  /** Whole days until notAfter; negative once expired. */
  daysToExpiry?: number;
  /** Chain and name both verified against the trusted CAs and the expected name. */
  authorized: boolean;
  /** The first verification failure (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID ...). */
  verifyError?: ErrorCode;
  /** The SNI sent; absent when the target is an IP address and no servername was given. */
  servername?: string;
  /**
   * The server asked for a client certificate (a CertificateRequest in the handshake), in TLS 1.2
   * and 1.3 alike; 'unknown' only where this Node cannot say (see certRequested()).
   */
  clientCertRequested: boolean | 'unknown';
  /** We had a client certificate to give (with.cert). */
  clientCertOffered: boolean;
}

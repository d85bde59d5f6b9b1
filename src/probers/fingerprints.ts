// Which framework service answers a gRPC port, proven without running any of its handlers.
//
// Flower and Fed-BioMed serve their APIs with Python grpcio. The probe calls a real unary method
// of the expected service with a request body that no protobuf decoder accepts. grpcio first
// looks the method up (through the server's interceptors): an unregistered method is
// UNIMPLEMENTED "Method not found!". A registered one is decoded before any handler (or an
// interceptor's wrapper around it) runs, and the decoding fails: INTERNAL "Exception
// deserializing request!" (grpc.server, Flower) or UNKNOWN "Unexpected <class '…DecodeError'>…"
// (grpc.aio, Fed-BioMed). So the answer proves the method is registered, and nothing ran.
//
// Interceptors answer before the method table. Flower's Fleet node-authentication interceptor
// refuses every /flwr.proto.Fleet/ call without a signed timestamp, so Fleet probes carry one,
// signed with a throwaway key: Flower ≥ 1.23 accepts any key that signs correctly, then decodes.
// Before 1.23 (node auth opt-in) only listed keys pass; its refusal still names the Fleet server.
// Flower's Control API interceptor (always on since 1.23) breaks on a method it does not know
// (UNKNOWN "Error in service handler!"), and lets a known one on to decoding.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { ProbeError } from '../errors.js';
import type { GrpcFacts } from '../facts.js';
import type { Observation } from '../types.js';
import { SAY } from './grpc-text.js';
import { codeName } from './grpc-wire.js';

interface ProbeMethod {
  path: string;
  /** What a registered method proves, when it is not the fingerprint's own label. */
  label?: string;
}

interface Fingerprint {
  service: string;
  label: string;
  /** Tried in order while the server says "not registered": newest name first. Each one only
   * reads state, should a handler ever run (none does: the request cannot be decoded). */
  methods: readonly ProbeMethod[];
}

const FINGERPRINTS = {
  'flower-fleet': {
    service: 'flwr.proto.Fleet',
    label: 'Flower Fleet API',
    methods: [{ path: '/flwr.proto.Fleet/GetRun' }],
  },
  'flower-control': {
    service: 'flwr.proto.Control',
    label: 'Flower Control API',
    methods: [
      { path: '/flwr.proto.Control/ListRuns' },
      { path: '/flwr.proto.Exec/ListRuns', label: 'Flower Exec API (the Control API before Flower 1.21)' },
    ],
  },
  'flower-serverappio': {
    service: 'flwr.proto.ServerAppIo',
    label: 'Flower ServerAppIo API',
    methods: [{ path: '/flwr.proto.ServerAppIo/GetRun' }],
  },
  'flower-clientappio': {
    service: 'flwr.proto.ClientAppIo',
    label: 'Flower ClientAppIo API',
    // GetRun since Flower 1.20; GetToken in 1.13-1.19.
    methods: [{ path: '/flwr.proto.ClientAppIo/GetRun' }, { path: '/flwr.proto.ClientAppIo/GetToken' }],
  },
  'fedbiomed-researcher': {
    service: 'researcher.ResearcherService',
    label: 'Fed-BioMed researcher gRPC server',
    methods: [{ path: '/researcher.ResearcherService/Feedback' }],
  },
} as const satisfies Record<string, Fingerprint>;

export type FingerprintName = keyof typeof FINGERPRINTS;
export const FINGERPRINT_NAMES = Object.keys(FINGERPRINTS) as FingerprintName[];

/** Field 1 with wire type 7, which does not exist: every protobuf decoder rejects it. */
const UNDECODABLE = Buffer.from([0x0f]);

/** What one gRPC call answered. */
export interface Reply {
  status: number;
  message: string;
}

/** Calls `path` with `body` and extra request headers; throws a ProbeError for a non-gRPC answer. */
export type Caller = (path: string, body: Buffer, headers: Record<string, string>) => Promise<Reply>;

type Finding = 'registered' | 'node-auth' | 'absent' | 'other';

/** grpcio's own messages, matched byte for byte. */
const GRPCIO_MESSAGES = {
  undecodable: 'Exception deserializing request!',
  notFound: 'Method not found!',
  /** Flower's Control API interceptor, on a method its service does not have. */
  handlerError: 'Error in service handler!',
};

/** What Flower's Fleet node-auth interceptor (1.9 and later) answers before the method table. */
const NODE_AUTH_REFUSALS = [
  'Missing authentication metadata',
  'Public key not recognized',
  'Invalid signature',
  'Invalid timestamp',
  'Invalid node ID',
];

function read(path: string, r: Reply): Finding {
  if (r.status === 13 && r.message === GRPCIO_MESSAGES.undecodable) return 'registered';
  if (r.status === 2 && /^Unexpected <class '[\w.]*DecodeError'>/.test(r.message)) return 'registered';
  const fleet = path.startsWith('/flwr.proto.Fleet/');
  if (r.status === 16 && fleet && NODE_AUTH_REFUSALS.includes(r.message)) return 'node-auth';
  if (r.status === 12 && r.message === GRPCIO_MESSAGES.notFound) return 'absent';
  // An interceptor that wraps every method of its service breaks on one that is not registered.
  if (r.status === 2 && r.message === GRPCIO_MESSAGES.handlerError) return 'absent';
  return 'other';
}

export function said(r: Reply): string {
  return `grpc-status ${r.status} ${codeName(r.status)}${r.message ? ` "${r.message}"` : ''}`;
}

let nodeKey: { key: KeyObject; pem: string } | undefined;

/** Flower's node-auth metadata: a PEM public key, an ISO 8601 timestamp and its ECDSA/SHA-256
 * signature, from a key made for this process (it registers nothing and is never kept). */
function nodeAuthHeaders(now: Date): Record<string, string> {
  if (!nodeKey) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    nodeKey = { key: pair.privateKey, pem: String(pair.publicKey.export({ format: 'pem', type: 'spki' })) };
  }
  // Python's datetime.isoformat(): microseconds and "+00:00", which every Python fromisoformat reads.
  const timestamp = now.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
  return {
    'flwr-public-key-bin': Buffer.from(nodeKey.pem).toString('base64'),
    'flwr-timestamp': timestamp,
    'flwr-signature-bin': sign('sha256', Buffer.from(timestamp, 'ascii'), nodeKey.key).toString('base64'),
  };
}

interface Tried {
  method: ProbeMethod;
  reply: Reply;
  finding: Finding;
}

async function tryFingerprint(name: FingerprintName, call: Caller): Promise<Tried[]> {
  const tried: Tried[] = [];
  for (const method of FINGERPRINTS[name].methods) {
    const headers = method.path.startsWith('/flwr.proto.Fleet/') ? nodeAuthHeaders(new Date()) : {};
    const reply = await call(method.path, UNDECODABLE, headers);
    tried.push({ method, reply, finding: read(method.path, reply) });
    if (tried.at(-1)!.finding !== 'absent') break;
  }
  return tried;
}

const proof = (t: Tried[]) => t.find((x) => x.finding === 'registered' || x.finding === 'node-auth');

/** Which of the other known services this server proves to serve (errors count as none). */
async function answeredBy(expected: FingerprintName, call: Caller): Promise<string[]> {
  const others = FINGERPRINT_NAMES.filter((n) => n !== expected);
  const found = await Promise.all(
    others.map(async (n) => {
      // A non-gRPC answer proves nothing; a dead session or the deadline ends the whole probe.
      const p = proof(
        await tryFingerprint(n, call).catch((e: unknown) => {
          if (e instanceof ProbeError) return [];
          throw e;
        }),
      );
      return p ? (p.method.label ?? FINGERPRINTS[n].label) : undefined;
    }),
  );
  return found.filter((l): l is string => l !== undefined);
}

function describe(t: Tried[]): string {
  const first = t[0]!;
  const same = t.every((x) => said(x.reply) === said(first.reply));
  const answers = same
    ? `${t.map((x) => x.method.path).join(', ')} → ${said(first.reply)}`
    : t.map((x) => `${x.method.path} → ${said(x.reply)}`).join('; ');
  const what = t.at(-1)!.finding === 'absent' ? SAY.notRegistered : SAY.notRegisteredAnswer;
  return `${answers} (${what})`;
}

/** Proves that `expected` is served, or throws wrong-identity naming what answered instead. */
export async function proveService(
  expected: FingerprintName,
  call: Caller,
  facts: GrpcFacts,
): Promise<Pick<Observation, 'state' | 'reason' | 'detail'>> {
  const fp = FINGERPRINTS[expected];
  const tried = await tryFingerprint(expected, call);
  const last = tried.at(-1)!;
  const p = proof(tried);
  Object.assign(facts, {
    method: (p ?? tried[0]!).method.path,
    grpcStatus: (p ?? last).reply.status,
    grpcMessage: (p ?? last).reply.message,
    fingerprint: {
      expected: fp.service,
      tried: tried.map((t) => ({
        method: t.method.path,
        grpcStatus: t.reply.status,
        grpcMessage: t.reply.message,
        finding: t.finding,
      })),
    },
  });
  if (p) {
    const label = p.method.label ?? fp.label;
    if (p.finding === 'registered') {
      const how = SAY.undecodableRefused(said(p.reply));
      return { state: 'open', reason: 'ok', detail: SAY.registered(label, p.method.path, how) };
    }
    if (p.reply.message === 'Invalid timestamp') {
      const detail = SAY.clockRefused(label, said(p.reply));
      throw new ProbeError<GrpcFacts>('auth-rejected', detail, { code: 'GRPC_16', facts });
    }
    const detail = SAY.nodeAuthGuards(label, p.method.path, said(p.reply));
    return { state: 'open', reason: 'ok', detail };
  }
  if (last.reply.status === 14) {
    const detail = SAY.noHealthyUpstream(said(last.reply));
    throw new ProbeError<GrpcFacts>('not-serving', detail, { code: 'GRPC_14', facts });
  }
  const instead = await answeredBy(expected, call);
  facts.answeredBy = instead;
  if (instead.length === 0 && (last.reply.status === 16 || last.reply.status === 7)) {
    const detail = SAY.refusedBeforeLookup(last.method.path, said(last.reply), fp.label);
    throw new ProbeError<GrpcFacts>('auth-rejected', detail, { code: `GRPC_${last.reply.status}`, facts });
  }
  const there = instead.length ? SAY.servesInstead(instead) : SAY.noKnownApi;
  const detail = SAY.wrongService(fp.label, describe(tried), there);
  throw new ProbeError<GrpcFacts>('wrong-identity', detail, { code: `GRPC_${last.reply.status}`, facts });
}

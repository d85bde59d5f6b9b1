// Which framework service answers a gRPC port. Every probe here calls a method that no server
// registers, so nothing changes on the server (never Flower's PullMessages or GetLoginDetails,
// never Fed-BioMed's GetTaskUnary or Feedback, which register nodes or start logins); what the
// server says about that method, and how it says it, is the fingerprint.

export const FINGERPRINTS = {
  'flower-fleet': { service: 'flwr.proto.Fleet', label: 'Flower Fleet API' },
  'flower-control': { service: 'flwr.proto.Control', label: 'Flower Control (Exec) API' },
  'flower-serverappio': { service: 'flwr.proto.ServerAppIo', label: 'Flower ServerAppIo API' },
  'flower-clientappio': { service: 'flwr.proto.ClientAppIo', label: 'Flower ClientAppIo API' },
  'fedbiomed-researcher': { service: 'researcher.ResearcherService', label: 'Fed-BioMed researcher gRPC server' },
} as const;

export type FingerprintName = keyof typeof FINGERPRINTS;
export const FINGERPRINT_NAMES = Object.keys(FINGERPRINTS) as FingerprintName[];

export function probeMethod(name: FingerprintName): string {
  return `/${FINGERPRINTS[name].service}/FedprobeProbe`;
}

export interface Verdict {
  proven: boolean;
  /** What the answer shows, in words for the report. */
  says: string;
}

/** Python's grpcio (which Flower and Fed-BioMed run) answers an unknown method with exactly this. */
const GRPCIO_UNKNOWN_METHOD = 'Method not found!';

export function judgeFingerprint(name: FingerprintName, grpcStatus: number, grpcMessage: string): Verdict {
  const label = FINGERPRINTS[name].label;
  if (name === 'flower-fleet' && grpcStatus === 16 && /authentication metadata/i.test(grpcMessage)) {
    return { proven: true, says: `${label} (Flower ≥ 1.23: its node-authentication interceptor answered "${grpcMessage}")` };
  }
  if (grpcStatus === 12 && grpcMessage === GRPCIO_UNKNOWN_METHOD) {
    return { proven: true, says: `a Python grpcio server, as ${label} runs (the method-level answer cannot name the service itself)` };
  }
  return { proven: false, says: `a gRPC server answered ${grpcStatus} "${grpcMessage}", which is not how ${label} (Python grpcio) answers` };
}

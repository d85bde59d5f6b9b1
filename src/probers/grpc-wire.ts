// gRPC on the wire, by hand: the 5-byte message framing, the one-field HealthCheckRequest and
// HealthCheckResponse protobufs, and the status code names. A probe needs nothing more, and a
// client library would turn HTTP errors into gRPC codes that prove nothing.
import { SAY } from './grpc-text.js';

/** Length-prefixed message: 1 byte "compressed" flag (0), 4 bytes big-endian length, payload. */
export function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** HealthCheckRequest{service: name}: field 1, wire type 2. An empty name encodes to nothing. */
export function healthRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  if (s.length > 127) throw new Error(SAY.serviceNameTooLong);
  return Buffer.concat([Buffer.from([0x0a, s.length]), s]);
}

export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** HealthCheckResponse{status: enum field 1}; a missing field is 0 (UNKNOWN). */
export function decodeHealthResponse(body: Buffer): (typeof SERVING_STATUS)[number] | `status ${number}` {
  if (body.length < 5) return 'UNKNOWN';
  const len = body.readUInt32BE(1);
  const msg = body.subarray(5, 5 + len);
  for (let i = 0; i + 1 < msg.length; ) {
    const key = msg[i]!;
    if (key === 0x08) {
      const v = msg[i + 1]!;
      return SERVING_STATUS[v] ?? `status ${v}`;
    }
    break;
  }
  return 'UNKNOWN';
}

const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export function codeName(code: number): string {
  return GRPC_CODES[code] ?? `code ${code}`;
}

/** grpc-message is percent-encoded on the wire. */
export function decodeGrpcMessage(raw: string | undefined): string {
  if (!raw) return '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

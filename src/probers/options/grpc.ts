// grpc(s):// `with:` options, apart from the prober so that loading a profile does not load it.
import { z } from 'zod';
import { tlsClientOptionShape } from '../../net/tls.js';
import { FINGERPRINT_NAMES, type FingerprintName } from '../fingerprints.js';

export const grpcOptions = z.strictObject({
  ...tlsClientOptionShape,
  service: z
    .string()
    .optional()
    .describe('service name for grpc.health.v1.Health/Check (default "": the whole server)'),
  method: z
    .string()
    .regex(/^\/[^/]+\/[^/]+$/)
    .optional()
    .describe('call this full method path (/package.Service/Method) with an empty message instead of the health check'),
  expectService: z
    .enum(FINGERPRINT_NAMES as [FingerprintName, ...FingerprintName[]])
    .optional()
    .describe(
      `prove that this framework service is served: ${FINGERPRINT_NAMES.join(', ')} (calls one of its real ` +
        'methods with a request that cannot be decoded, so no handler runs; takes precedence over method)',
    ),
});

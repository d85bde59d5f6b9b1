// tls:// `with:` options, apart from the prober so that loading a profile does not load it.
import { z } from 'zod';
import { tlsClientOptionShape } from '../../net/tls.js';

export const tlsOptions = z.strictObject({
  ...tlsClientOptionShape,
  alpn: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('application protocols to offer (ALPN), as a list or "h2,http/1.1"; the server must pick one of them'),
});

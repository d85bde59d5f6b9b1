// PLACEHOLDER while a helper writes the real prober: replaced before any commit.
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import type { Prober } from '../types.js';

export const grpcOptions = z.strictObject({});
export const probeGrpc: Prober = async () => {
  throw new ProbeError('error', 'placeholder');
};

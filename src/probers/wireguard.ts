// PLACEHOLDER while a helper writes the real prober: replaced before any commit.
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import type { Prober } from '../types.js';

export const wireguardOptions = z.strictObject({});
export const probeWireguard: Prober = async () => {
  throw new ProbeError('error', 'placeholder');
};

// PLACEHOLDER while a helper writes the real prober: replaced before any commit.
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import type { Prober } from '../types.js';

export const discv4Options = z.strictObject({});
export const rlpxOptions = z.strictObject({});
export const probeDiscv4: Prober = async () => {
  throw new ProbeError('error', 'placeholder');
};
export const probeRlpx: Prober = async () => {
  throw new ProbeError('error', 'placeholder');
};

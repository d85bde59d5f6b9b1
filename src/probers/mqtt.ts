// PLACEHOLDER while a helper writes the real prober: replaced before any commit.
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import type { Prober } from '../types.js';

export const mqttOptions = z.strictObject({});
export const probeMqtt: Prober = async () => {
  throw new ProbeError('error', 'placeholder');
};

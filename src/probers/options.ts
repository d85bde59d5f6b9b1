// The `with:` options each prober accepts, validated strictly at load time so that a typo in a
// profile is an error naming its path, not an option silently ignored at probe time.
import { z } from 'zod';
import type { ProbeScheme } from '../types.js';

export const proberOptions = {
  tcp: z.strictObject({}),
  udp: z.strictObject({
    payload: z.string().optional().describe('datagram to send, as text; hex when written hex:0a0b...'),
  }),
  listen: z.strictObject({
    localOnly: z.boolean().optional().describe('the service must be bound to loopback only'),
  }),
} satisfies { [S in ProbeScheme]: z.ZodObject };

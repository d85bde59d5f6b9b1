// wireguard:// `with:` options, apart from the prober so that loading a profile does not load it.
import { z } from 'zod';

export const wireguardOptions = z.strictObject({
  config: z
    .string()
    .optional()
    .describe(
      'wg-quick style file of a dedicated probe peer: [Interface] PrivateKey, [Peer] PublicKey (the server) and ' +
        'PresharedKey',
    ),
  privateKeyFile: z.string().optional().describe("file holding the probe peer's private key (base64)"),
  privateKeyEnv: z.string().optional().describe("environment variable holding the probe peer's private key"),
  publicKey: z.string().optional().describe("the server's public key (base64; not a secret)"),
  presharedKeyFile: z.string().optional().describe('file holding the preshared key, if the peer has one'),
  presharedKeyEnv: z.string().optional().describe('environment variable holding the preshared key'),
});

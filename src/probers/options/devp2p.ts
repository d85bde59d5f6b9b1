// discv4:// and rlpx:// `with:` options, apart from the probers so that loading a profile does not load them.
import { z } from 'zod';

const nodeIdOption = {
  nodeId: z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{128}$/, 'a node id: 128 hex digits (the public key in the enode URL)')
    .optional()
    .describe('the node id expected to answer (from its enode://<id>@host:port URL)'),
  enode: z
    .string()
    .regex(/^enode:\/\/[0-9a-fA-F]{128}@/, 'an enode://<128 hex digits>@host:port URL')
    .optional()
    .describe("the node's enode URL; its id is the one expected"),
};

export const discv4Options = z.strictObject({ ...nodeIdOption });
export const rlpxOptions = z.strictObject({ ...nodeIdOption });

// Flower's SuperNode and SuperLink command lines → profile variables.
// Options as flwr defines them (adap/flower main fdef7afb1d):
// - flower-supernode: framework/py/flwr/supernode/cli/flower_supernode.py l.116-121
//   (--clientappio-api-address, default 0.0.0.0:9094), l.140-182 (--insecure, --grpc-rere |
//   --grpc-adapter | --rest, --root-certificates, --superlink default 0.0.0.0:9092).
//   Without --insecure and --root-certificates the system's root CAs are used.
// - flower-superlink: framework/py/flwr/server/app.py l.693-711 (--ssl-certfile, --ssl-keyfile,
//   --ssl-ca-certfile), l.769 (--serverappio-api-address), l.800 (--fleet-api-address), l.192-193
//   (--control-api-address, formerly --exec-api-address); constants in common/constant.py l.33-57.
import { parseArgs, type ArgValue, type ArgWord } from './argv.js';
import { fitFacts, splitHostPort, type Facts, type Found } from './found.js';

export const FLOWER_PROGRAMS = ['flower-supernode', 'flower-superlink'] as const;

const SUPERNODE_DEFAULT_SUPERLINK = '0.0.0.0:9092';
const CLIENTAPPIO_DEFAULT = '0.0.0.0:9094';

function defaultedNote(v: ArgValue, flag: string): string[] {
  return v.defaulted?.length
    ? [`${flag} ${v.value} (${v.source}) uses the default of unset ${v.defaulted.map((d) => `$${d}`).join(', ')}`]
    : [];
}

/** `--fleet-api-address 0.0.0.0:9192` → fleet_api_port (the profile's variable) and fleet_api_host
 * (a note when it is not the default: the listen:// row reads the real binding anyway). */
function addressFacts(facts: Facts, v: ArgValue, name: string, usual: string, what: string): void {
  const { host, port } = splitHostPort(v.value, v.source);
  const def = splitHostPort(usual, usual);
  facts[`${name}_host`] = { value: host, source: v.source, usual: def.host, what: `${what} bind address` };
  if (port !== undefined) {
    facts[`${name}_port`] = { value: port, source: v.source, usual: def.port!, what: `${what} port` };
  }
}

export async function supernodeFromArgs(args: readonly ArgWord[], where: string): Promise<Found> {
  const a = parseArgs(args, {
    valued: [
      '--superlink',
      '--root-certificates',
      '--clientappio-api-address',
      '--isolation',
      '--auth-supernode-private-key',
    ],
    flags: ['--insecure', '--rest', '--grpc-adapter', '--grpc-rere'],
  });
  const notes: string[] = [];
  const superlink: ArgValue = a['--superlink'] ?? {
    value: SUPERNODE_DEFAULT_SUPERLINK,
    source: `${where} (no --superlink: flower-supernode's default)`,
  };
  if (!a['--superlink'])
    notes.push(
      `no --superlink in ${where}: flower-supernode dials its default ${SUPERNODE_DEFAULT_SUPERLINK}, i.e. this ` +
        `machine`,
    );
  notes.push(...defaultedNote(superlink, '--superlink'));
  // The REST transport takes a URL (http[s]://host:port); gRPC takes host:port.
  const restUrl = /^(https?):\/\/([^/]+)/.exec(superlink.value);
  const { host, port } = splitHostPort(restUrl ? restUrl[2]! : superlink.value, superlink.source);
  const facts: Facts = {
    superlink_host: { value: host, source: superlink.source },
    ...(port !== undefined && {
      superlink_port: { value: port, source: superlink.source, usual: '9092', what: 'SuperLink Fleet API port' },
    }),
  };
  if (a['--rest'])
    notes.push(
      `--rest (${a['--rest'].source}): the REST Fleet API (9095 since Flower 1.13), not the gRPC one this ` +
        `profile checks`,
    );
  if (a['--grpc-adapter'])
    notes.push(`--grpc-adapter (${a['--grpc-adapter'].source}): the Fleet API through flwr.proto.GrpcAdapter`);
  const ca = a['--root-certificates'];
  if (ca) facts.superlink_ca = { value: ca.value, source: ca.source, what: "SuperLink's CA (--root-certificates)" };
  const key = a['--auth-supernode-private-key'];
  if (key)
    facts.supernode_auth_key = {
      value: key.value,
      source: key.source,
      secret: true,
      what: 'SuperNode authentication key (used by path only)',
    };
  const appio = a['--clientappio-api-address'];
  if (appio) addressFacts(facts, appio, 'clientappio_api', CLIENTAPPIO_DEFAULT, 'ClientAppIo API');
  const insecure = a['--insecure'];
  if (insecure && ca)
    notes.push(
      `both --insecure (${insecure.source}) and --root-certificates (${ca.source}): flower-supernode runs without TLS`,
    );
  if (!insecure && !ca)
    notes.push(`TLS without --root-certificates (${where}): flower-supernode trusts the system's root CAs`);
  return fitFacts(insecure ? 'flower/supernode-insecure' : 'flower/supernode', facts, notes);
}

export async function superlinkFromArgs(args: readonly ArgWord[], where: string): Promise<Found> {
  const a = parseArgs(args, {
    valued: [
      '--fleet-api-address',
      '--control-api-address',
      '--exec-api-address',
      '--serverappio-api-address',
      '--simulationio-api-address',
      '--ssl-certfile',
      '--ssl-keyfile',
      '--ssl-ca-certfile',
      '--fleet-api-type',
      '--isolation',
    ],
    flags: ['--insecure', '--enable-supernode-auth'],
  });
  const facts: Facts = {};
  const notes: string[] = [];
  const addr = (flag: string, name: string, usual: string, what: string) => {
    const v = a[flag];
    if (v) addressFacts(facts, v, name, usual, what);
  };
  addr('--fleet-api-address', 'fleet_api', '0.0.0.0:9092', 'Fleet API');
  addr('--control-api-address', 'control_api', '0.0.0.0:9093', 'Control API');
  addr('--exec-api-address', 'control_api', '0.0.0.0:9093', 'Control API (--exec-api-address)');
  addr('--serverappio-api-address', 'serverappio_api', '0.0.0.0:9091', 'ServerAppIo API');
  addr('--simulationio-api-address', 'serverappio_api', '0.0.0.0:9091', 'ServerAppIo API');
  const cert = a['--ssl-certfile'];
  if (cert) facts.ssl_certfile = { value: cert.value, source: cert.source, what: 'server certificate' };
  const ca = a['--ssl-ca-certfile'];
  if (ca) facts.ssl_ca_certfile = { value: ca.value, source: ca.source, what: 'CA certificate' };
  const key = a['--ssl-keyfile'];
  if (key)
    facts.ssl_keyfile = {
      value: key.value,
      source: key.source,
      secret: true,
      what: 'server private key (used by path only)',
    };
  const type = a['--fleet-api-type'];
  if (type && type.value !== 'grpc-rere') notes.push(`--fleet-api-type ${type.value} (${type.source})`);
  if (a['--insecure'])
    notes.push(
      `--insecure (${a['--insecure'].source}): the Fleet and Control APIs are plaintext; SuperNodes and the flwr ` +
        `CLI must use flower/supernode-insecure and flower/cli-insecure`,
    );
  else if (!cert || !key || !ca)
    notes.push(
      `neither --insecure nor all three --ssl-* options (${where}): flower-superlink refuses to start ` +
        `("Certificates are required unless running in insecure mode")`,
    );
  return fitFacts('flower/superlink', facts, notes);
}

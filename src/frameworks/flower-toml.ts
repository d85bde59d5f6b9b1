// The flwr CLI's SuperLink connections → profile variables, from either place Flower keeps them:
// - a project's pyproject.toml, `[tool.flwr.federations]` `default = "<name>"` and
//   `[tool.flwr.federations.<name>]` address / root-certificates / insecure (older Flower; adap/flower
//   main framework/py/flwr/cli/config_migration.py l.121-141 reads them, and resolves a relative
//   root-certificates against the project directory, l.128-132);
// - the user-level $FLWR_HOME/config.toml (default ~/.flwr/config.toml: supercore/utils.py
//   get_flwr_home l.70-78, cli/constant.py FLOWER_CONFIG_FILE l.104), `[superlink]` `default = "<name>"`
//   and `[superlink.<name>]` with the keys of cli/constant.py l.50-59, parsed by cli/flower_config.py
//   parse_superlink_connection l.172-208. There root-certificates must be absolute (cli/typing.py
//   l.166-173), and the address ":local:" means flwr's own managed SuperLink (cli/constant.py l.95-98).
// TOML is parsed by smol-toml; the lines for sources are found by tomlLine() below.
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { UsageError } from '../errors.js';
import { fitFacts, splitHostPort, type Facts, type Found } from './found.js';

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

function parseToml(text: string, file: string): Table {
  try {
    return parse(text) as Table;
  } catch (e) {
    if (e instanceof TomlError) throw new UsageError(`${file}:${e.line}: not valid TOML: ${e.message.split('\n')[0]}`);
    throw e;
  }
}

/** `a.b."c d"` → ['a', 'b', 'c d']. */
function keyPath(text: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (!m) break;
    out.push(m[1] ?? m[2] ?? m[3]!);
  }
  return out;
}

/** The line of `key` in table `table` (headers and dotted keys both count), or undefined. */
function tomlLine(text: string, table: readonly string[], key: string): number | undefined {
  const want = [...table, key].join('\u0000');
  let current: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    const header = /^\[\[?([^\]]+)\]\]?/.exec(l);
    if (header) {
      current = keyPath(header[1]!);
      continue;
    }
    const kv = /^((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\s-])+?)\s*=/.exec(l);
    if (kv && [...current, ...keyPath(kv[1]!)].join('\u0000') === want) return i + 1;
  }
  return undefined;
}

interface Pick {
  name: string;
  conn: Table;
  table: string[];
}

function pickConnection(
  file: string,
  tables: Table,
  tablePath: string[],
  selector: string | undefined,
  where: string,
): Pick {
  const def = tables.default;
  const names = Object.keys(tables).filter((k) => isTable(tables[k]));
  const name = selector ?? (typeof def === 'string' ? def : names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    const several = `several connections (${names.join(', ')}) and no default: pick one with --from ${file}#NAME`;
    throw new UsageError(`${file}: ${where} has ${names.length ? several : 'no connection'}`);
  }
  const conn = tables[name];
  if (!isTable(conn)) throw new UsageError(`${file}: no ${where}.${name} (connections: ${names.join(', ') || 'none'})`);
  return { name, conn, table: [...tablePath, name] };
}

async function fromConnection(file: string, text: string, pick: Pick, relativeTo: string | undefined): Promise<Found> {
  const at = (key: string) => {
    const line = tomlLine(text, pick.table, key);
    return line ? `${file}:${line}` : `${file} [${pick.table.join('.')}] ${key}`;
  };
  const { address, insecure } = pick.conn;
  const rootCerts = pick.conn['root-certificates'];
  if (address === undefined) {
    throw new UsageError(
      `${file}: connection "${pick.name}" has no ` +
        `address${pick.conn.options ? ' (a simulation: options only)' : ''}: nothing on the network to check`,
    );
  }
  if (typeof address !== 'string') throw new UsageError(`${at('address')}: address must be a string`);
  if (address.startsWith(':local')) {
    throw new UsageError(
      `${at('address')}: connection "${pick.name}" is flwr's own managed local SuperLink (${address}), started ` +
        `by flwr on this machine; pick a remote one with --from ${file}#NAME`,
    );
  }
  if (insecure !== undefined && typeof insecure !== 'boolean')
    throw new UsageError(`${at('insecure')}: insecure must be true or false`);
  if (rootCerts !== undefined && typeof rootCerts !== 'string')
    throw new UsageError(`${at('root-certificates')}: root-certificates must be a path`);
  const { host, port } = splitHostPort(address, at('address'));
  const facts: Facts = {
    superlink_host: { value: host, source: at('address') },
    ...(port !== undefined && {
      superlink_port: { value: port, source: at('address'), usual: '9093', what: 'SuperLink Control API port' },
    }),
  };
  const notes = [`connection "${pick.name}" (${file})`];
  if (rootCerts) {
    const path = relativeTo && !isAbsolute(rootCerts) ? resolve(relativeTo, rootCerts) : rootCerts;
    facts.superlink_ca = {
      value: path,
      source: at('root-certificates'),
      what: "SuperLink's CA (root-certificates)",
    };
  }
  if (insecure === true && rootCerts)
    notes.push(
      `both insecure = true and root-certificates: flwr refuses this connection ("root-certificates were ` +
        `provided but the insecure parameter is set to True")`,
    );
  if (insecure !== true && !rootCerts) notes.push(`TLS without root-certificates: flwr trusts the system's root CAs`);
  return fitFacts(insecure === true ? 'flower/cli-insecure' : 'flower/cli', facts, notes);
}

export function looksLikeFlowerToml(text: string): boolean {
  return /^\s*\[tool\.flwr\b/m.test(text) || /^\s*\[superlink[\].]/m.test(text);
}

/** `selector` is the connection name after `#` in --from PATH#NAME. */
export async function readFlowerToml(file: string, text: string, selector?: string): Promise<Found> {
  const doc = parseToml(text, file);
  const tool = isTable(doc.tool) ? doc.tool : undefined;
  const flwr = tool && isTable(tool.flwr) ? tool.flwr : undefined;
  if (flwr) {
    const feds = flwr.federations;
    if (!isTable(feds))
      throw new UsageError(
        `${file}: a Flower project without [tool.flwr.federations]: its connections are in ` +
          `$FLWR_HOME/config.toml (~/.flwr/config.toml)`,
      );
    const pick = pickConnection(file, feds, ['tool', 'flwr', 'federations'], selector, '[tool.flwr.federations]');
    return fromConnection(file, text, pick, dirname(resolve(file)));
  }
  const superlink = doc.superlink;
  if (isTable(superlink))
    return fromConnection(
      file,
      text,
      pickConnection(file, superlink, ['superlink'], selector, '[superlink]'),
      undefined,
    );
  throw new UsageError(
    `${file}: neither [tool.flwr.federations] (pyproject.toml) nor [superlink] (~/.flwr/config.toml)`,
  );
}

// The one validation path for a row, shared by load (with each variable's default, or a
// placeholder of the right kind) and expand (with the operator's values): what `validate` and a
// daemon reload accept, `check` accepts too, and a value is checked for the part it fills.
import { isIP } from 'node:net';
import { quote } from '../errors.js';
import { optionsFor } from '../probers/options.js';
import type { ProbeTarget, Row, VarDef } from '../types.js';
import { credentialProblem, proxyProblem } from './credentials.js';
import { hostProblem, portProblem } from './host.js';
import { joinProbe, splitProbe } from './probe-url.js';
import { didYouMean } from './suggest.js';
import { parseTarget } from './target.js';
import { own, refSyntaxProblem, substitute, varRefs } from './vars.js';

/** A problem in a row; `path` is under the row (`probe`, `with.proxy`); `variable` when a value caused it. */
export class RowProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}

/** Which part of the probe a variable fills decides what its value may be. */
type Part = 'host' | 'port' | 'path' | 'with';

/** A value for a variable, or undefined to leave `${name}` as written (load time, no default). */
export type Lookup = (name: string, part: Part) => string | undefined;

function strings(value: unknown, path: string, out: [string, string][] = [], depth = 0): [string, string][] {
  if (depth > 32) throw new RowProblem(path, 'nested deeper than 32 levels');
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) strings(v, `${path}[${i}]`, out, depth + 1);
  } else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out, depth + 1);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function substituteDeep(value: unknown, subst: (s: string) => string): unknown {
  if (typeof value === 'string') return subst(value);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, subst));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, subst)]));
  return value;
}

/** Everything about a row that does not depend on values: reference syntax, declared names, the
 * URL's form, no credentials or secrets in the URL, credentials only from secret variables. */
export function checkRowForm(row: Row, defs: Record<string, VarDef>): void {
  const port = portTemplate(row);
  const texts: [string, string][] = [['probe', row.probe], ['port', port], ...strings(row.with ?? {}, 'with')];
  for (const [path, text] of texts) {
    const bad = refSyntaxProblem(text);
    if (bad) throw new RowProblem(path, bad);
    for (const name of varRefs(text)) {
      if (own(defs, name) === undefined) {
        const hint = didYouMean(name, Object.keys(defs));
        throw new RowProblem(path, `undefined variable \${${name}}; declare it under vars:${hint ? ` (${hint})` : ''}`);
      }
    }
  }
  try {
    splitProbe(row.probe);
  } catch (e) {
    throw new RowProblem('probe', (e as Error).message);
  }
  for (const name of varRefs(port)) {
    const def = own(defs, name)!;
    if (def.secret) throw new RowProblem('port', `the secret \${${name}} cannot be a port`);
    // The port column is the matrix's documented port: show, respond and demo print it as it is.
    if (def.default === undefined) {
      const why = 'a variable in the port column needs one (the port the framework documents)';
      throw new RowProblem('port', `\${${name}} has no default: ${why}`);
    }
  }
  const secret = varRefs(row.probe).find((n) => own(defs, n)?.secret);
  if (secret)
    throw new RowProblem(
      'probe',
      `the secret \${${secret}} cannot be part of the probe URL (it would be printed and sent as an address); use ` +
        `it under with:`,
    );
  const cred = credentialProblem(row.with ?? {}, defs);
  if (cred) throw new RowProblem(cred.path, cred.message);
}

function valueProblem(what: 'host' | 'port', template: string, value: string, why: string): RowProblem {
  const names = varRefs(template);
  const kind = what === 'host' ? 'a host name or IP address' : 'a port number';
  if (names.length === 1 && template === `\${${names[0]}}`) {
    return new RowProblem('probe', `variable ${names[0]}=${quote(value)} is not ${kind}: it ${why}`, names[0]);
  }
  const from = names.length ? ` (made from ${names.map((n) => `\${${n}}`).join(', ')})` : '';
  return new RowProblem('probe', `the ${what} ${quote(value)}${from} ${why}`, names[0]);
}

/**
 * The port column as written (`tcp/${restful_port}`), kept beside a loaded row whose own `port`
 * holds the documented default (load.ts): whatever reads a loaded profile (show, respond, demo, a
 * firewall request) sees a real port, and only expand() fills in the operator's value. A copy of a
 * row made elsewhere (demo's stand-in rows) keeps the default port, as it should.
 */
const PORT_TEMPLATES = new WeakMap<Row, string>();

export function rememberPortTemplate(row: Row, template: string): void {
  PORT_TEMPLATES.set(row, template);
}

export function portTemplate(row: Row): string {
  return PORT_TEMPLATES.get(row) ?? row.port;
}

export interface ResolvedRow {
  url: string;
  /** The port column with its value: `tcp/8844`. */
  port: string;
  target: ProbeTarget;
  with: Record<string, unknown>;
  /** The secret variables this row's options use, by name. */
  secretNames: string[];
}

/** Fills the port column (`tcp/${restful_port}`) and checks the port it names. */
function resolvePortColumn(template: string, fill: (text: string, part: Part) => string): string {
  const names = varRefs(template);
  // A port written in the column was checked by the schema (and an ad-hoc row's by its URL).
  if (names.length === 0) return template;
  const column = fill(template, 'port');
  const port = column.slice(column.indexOf('/') + 1);
  const bad = portProblem(port);
  if (bad) {
    throw new RowProblem('port', `variable ${names[0]}=${quote(port)} is not a port number: it ${bad}`, names[0]);
  }
  return column;
}

/**
 * Puts values into a row whose form `checkRowForm` accepted, checking each for the part it fills.
 * `overrides` are the operator's row options (overrides.ts), put over the row's own once its
 * variables are filled in: their values are taken as written and checked by the same schema.
 */
export function resolveRow(
  row: Row,
  defs: Record<string, VarDef>,
  lookup: Lookup,
  overrides?: Record<string, unknown>,
): ResolvedRow {
  const plain = overrides === undefined || Object.keys(overrides).length === 0;
  const known = plain ? PLAIN_ROWS.get(row) : undefined;
  if (known) return known;
  let used = false;
  const look: Lookup = (name, part) => {
    used = true;
    return lookup(name, part);
  };
  const resolved = resolveWith(row, defs, look, overrides);
  if (plain && !used) PLAIN_ROWS.set(row, resolved);
  return resolved;
}

/**
 * A row with no variable anywhere resolves to the same thing whatever the values: load resolves it
 * once and expand (each `check`, each daemon run) takes that result, the same objects (no reader
 * changes a check's target or options). 10,000 plain rows: one resolution each instead of two.
 */
const PLAIN_ROWS = new WeakMap<Row, ResolvedRow>();

function resolveWith(
  row: Row,
  defs: Record<string, VarDef>,
  lookup: Lookup,
  overrides: Record<string, unknown> | undefined,
): ResolvedRow {
  const t = splitProbe(row.probe);
  const fill = (text: string, part: Part) => substitute(text, (name) => lookup(name, part) ?? `\${${name}}`);
  const portColumn = resolvePortColumn(portTemplate(row), fill);
  let host = fill(t.host, 'host');
  let bracketed = t.bracketed;
  if (t.scheme !== 'listen') {
    // An IPv6 literal given for a host variable goes in brackets, once, whoever wrote them.
    const inner = /^\[(.*)\]$/.exec(host)?.[1];
    if (inner !== undefined) [host, bracketed] = [inner, true];
    else if (isIP(host) === 6) bracketed = true;
    const bad =
      hostProblem(host) ?? (bracketed && isIP(host) !== 6 ? 'is in brackets but is not an IPv6 address' : undefined);
    if (bad) throw valueProblem('host', t.host, host, bad);
  }
  let port: string | undefined;
  if (t.port !== undefined) {
    port = fill(t.port, 'port');
    const bad = portProblem(port);
    if (bad) throw valueProblem('port', t.port, port, bad);
  }
  const url = joinProbe({ scheme: t.scheme, host, bracketed, port, rest: fill(t.rest, 'path') });
  let target: ProbeTarget;
  try {
    target = parseTarget(url, portColumn);
  } catch (e) {
    throw new RowProblem('probe', (e as Error).message, t.scheme === 'listen' ? varRefs(t.rest)[0] : undefined);
  }

  const secretNames = new Set<string>();
  const withOpts = substituteDeep(row.with ?? {}, (s) =>
    substitute(s, (name) => {
      if (own(defs, name)?.secret) secretNames.add(name);
      return lookup(name, 'with') ?? `\${${name}}`;
    }),
  ) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides ?? {})) {
    const rows = withOpts[key];
    if (value === undefined) delete withOpts[key];
    // An entry of a record option (headers) joins the row's own entries.
    else if (isRecord(value) && isRecord(rows)) withOpts[key] = { ...rows, ...value };
    else withOpts[key] = value;
  }
  const options = optionsFor(target.scheme).safeParse(withOpts);
  if (!options.success) {
    const issue = options.error.issues.find((i) => i.code === 'unrecognized_keys') ?? options.error.issues[0]!;
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(optionsFor(target.scheme).shape);
      const key = issue.keys[0]!;
      const hint = didYouMean(key, known);
      throw new RowProblem(
        `with${at ? `.${at}` : ''}`,
        `unknown key "${key}" for ${target.scheme}://${hint ? ` (${hint})` : ` (options: ${known.join(', ')})`}`,
      );
    }
    throw new RowProblem(`with${at ? `.${at}` : ''}`, issue.message);
  }
  const proxy = withOpts.proxy;
  if (typeof proxy === 'string' && !proxy.includes('${')) {
    const bad = proxyProblem(proxy);
    if (bad) throw new RowProblem('with.proxy', bad, varRefs(String(row.with?.proxy ?? ''))[0]);
  }
  return { url, port: portColumn, target, with: withOpts, secretNames: [...secretNames] };
}

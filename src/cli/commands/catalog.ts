// fedprobe profiles | show | validate | schema: everything about profiles that sends no traffic.
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { listProfileIds, loadProfile } from '../../profile/load.js';
import { portTemplate } from '../../profile/row.js';
import { profileJsonSchema } from '../../profile/schema.js';
import { jsonText, terminalText as t } from '../../escape.js';
import { columns, portLabel } from '../../report/text.js';
import type { Profile, Row } from '../../types.js';
import { write, type Io } from '../io.js';

export const profilesCommand = (io: Io, done: (code: number) => void) => ({
  command: 'profiles',
  describe: 'list the shipped profiles',
  builder: (y: Argv) =>
    y.option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const }),
  handler: async (argv: { format: 'table' | 'json' }) => {
    const profiles = await Promise.all((await listProfileIds()).map((id) => loadProfile(id)));
    const rows = profiles.map((p) => ({
      id: p.id,
      framework: p.framework,
      component: p.component,
      scenario: p.scenario,
      rows: p.rows.length,
    }));
    if (argv.format === 'json') write(io.stdout, JSON.stringify(rows, null, 2));
    else
      write(
        io.stdout,
        columns([
          ['id', 'framework', 'component', 'scenario', 'rows'],
          ...rows.map((r) => [r.id, r.framework, r.component, r.scenario, String(r.rows)]),
        ]).join('\n'),
      );
    done(0);
  },
});

/** `show --from`: values read from the framework's configuration, by variable name. */
export type FilledVars = Record<string, { value: string; source: string; secret?: boolean }>;

/** `${name}` replaced by a found value (never a secret's: those stay references). */
function fill(text: string, filled: FilledVars): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
    const v = filled[name];
    return v && !v.secret ? t(v.value) : m;
  });
}

/** The matrix in the framework's own columns, then the variables it needs; with `filled`, the
 * configuration's values in the ports and probes, and each variable's value and source. */
export function renderMatrix(p: Profile, filled: FilledVars = {}, notes: readonly string[] = []): string {
  // With found values, what the check would use: those, else the profile's (non-empty) defaults. The port
  // column as loaded shows the defaults; its template is filled again.
  const any = Object.keys(filled).length > 0;
  const defaults: FilledVars = Object.fromEntries(
    Object.entries(p.vars).flatMap(([n, v]) => (v.default ? [[n, { value: v.default, source: '' }]] : [])),
  );
  const f = (s: string) => (any ? fill(s, { ...defaults, ...filled }) : s);
  const port = (r: Row) => (any ? f(portTemplate(r)) : r.port);
  const lines = [`${p.framework} ${p.component} (${p.scenario})`];
  if (p.reference) lines.push(`matrix: ${p.reference}`);
  if (p.description) lines.push(p.description);
  lines.push('');
  lines.push(
    ...columns([
      [
        'id',
        'dir',
        'source machine',
        'destination machine',
        'destination port',
        'service',
        'type',
        'status',
        'comment',
      ],
      ...p.rows.map((r) => [
        r.id,
        r.dir,
        r.source,
        r.destination,
        portLabel(port(r)),
        r.service,
        r.type,
        r.status,
        r.comment ?? '',
      ]),
    ]),
  );
  lines.push('');
  lines.push('probes:');
  const options = (w: Row['with']) =>
    Object.entries(w ?? {})
      .map(([k, v]) => `${k}=${f(typeof v === 'string' ? v : JSON.stringify(v))}`)
      .join(' ');
  lines.push(
    ...columns(
      p.rows.map((r) => [`  ${r.id}`, f(r.probe), options(r.with), r.expect === 'blocked' ? '(expect blocked)' : '']),
    ),
  );
  const vars = Object.entries(p.vars);
  if (vars.length) {
    lines.push('', 'variables (--set name=value):');
    const value = (name: string, v: Profile['vars'][string]) => {
      // A secret is found as a reference: <name>_file, a path (src/frameworks/found.ts fitFacts).
      const got = filled[name] ?? (v.secret ? filled[`${name}_file`] : undefined);
      if (got) return `${got.secret ? 'file ' : ''}${t(got.value)} (${t(got.source)})`;
      return v.secret ? '(secret)' : v.default !== undefined ? `default ${v.default}` : '(required)';
    };
    lines.push(...columns(vars.map(([name, v]) => [`  ${name}`, value(name, v), v.description ?? ''])));
  }
  const declared = (n: string) => Object.hasOwn(p.vars, n) || Object.hasOwn(p.vars, n.replace(/_file$/, ''));
  for (const [n, v] of Object.entries(filled).filter(([n]) => !declared(n)))
    lines.push(`note: ${t(n)} = ${t(v.value)} (${t(v.source)}): ${p.id} has no variable for it`);
  for (const n of notes) lines.push(`note: ${t(n)}`);
  return `${lines.join('\n')}\n`;
}

export const showCommand = (io: Io, done: (code: number) => void) => ({
  command: 'show [profile]',
  describe: "print a profile's matrix as the framework documents it",
  builder: (y: Argv) =>
    y
      .positional('profile', {
        type: 'string',
        describe: 'shipped profile id or a .yaml file; with --from, the one the configuration fits when none is given',
      })
      .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const })
      .option('from', {
        type: 'string',
        array: true,
        nargs: 1,
        describe:
          "fill the variables from the framework's own configuration (PATH or PATH#NAME; repeat for compose " +
          'override files, merged in order)',
      }),
  handler: async (argv: { profile?: string | undefined; format: 'table' | 'json'; from?: string[] | undefined }) => {
    // Imported only with --from, like check's: the readers are not needed to print a matrix.
    const paths = argv.from?.length ? argv.from : undefined;
    const fromLabel = paths?.join(' + ');
    const found = paths
      ? await (await import('../../frameworks/read.js')).varsFromConfig(paths, { env: io.env })
      : undefined;
    const ref = argv.profile ?? found?.profile;
    if (!ref) {
      throw new UsageError(
        'show: give a profile (fedprobe profiles lists them), ' +
          "or --from PATH to read it from the framework's configuration",
      );
    }
    const p = await loadProfile(ref);
    const { file: _file, ...rest } = p;
    const notes =
      found && found.profile !== p.id ? [`${fromLabel} fits ${found.profile}`, ...found.notes] : (found?.notes ?? []);
    if (argv.format === 'json') {
      const inputs = found && (await import('../../frameworks/found.js')).runInputs(found);
      const from = found && { path: fromLabel, profile: found.profile, inputs, notes };
      write(io.stdout, jsonText(JSON.stringify({ ...rest, ...(from && { from }) }, null, 2)));
    } else write(io.stdout, renderMatrix(p, found?.vars, notes));
    done(0);
  },
});

export const validateCommand = (io: Io, done: (code: number) => void) => ({
  command: 'validate <files..>',
  describe: 'check profile files strictly, without sending any traffic',
  builder: (y: Argv) => y.positional('files', { type: 'string', array: true, demandOption: true }),
  handler: async (argv: { files: string[] }) => {
    for (const f of argv.files) {
      const p = await loadProfile(f);
      write(
        io.stdout,
        `ok: ${f} (${p.framework} ${p.component}, ${p.rows.length} ${p.rows.length === 1 ? 'row' : 'rows'})`,
      );
    }
    done(0);
  },
});

export const schemaCommand = (io: Io, done: (code: number) => void) => ({
  command: 'schema',
  describe: 'print the JSON Schema of the profile format (for editors), or with --report of the JSON report',
  builder: (y: Argv) =>
    y.option('report', { type: 'boolean', default: false, describe: 'the schema of --format json' }),
  handler: async (argv: { report: boolean }) => {
    // Imported only here: the report's schema is not needed by any other command.
    const schema = argv.report
      ? (await import('../../report/report-schema.js')).reportJsonSchema()
      : profileJsonSchema();
    write(io.stdout, JSON.stringify(schema, null, 2));
    done(0);
  },
});

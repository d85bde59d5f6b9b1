// fedprobe profiles | show | validate | schema: everything about profiles that sends no traffic.
import type { Argv } from 'yargs';
import { listProfileIds, loadProfile } from '../../profile/load.js';
import { profileJsonSchema } from '../../profile/schema.js';
import { columns, portLabel } from '../../report/text.js';
import type { Profile, Row } from '../../types.js';
import { write, type Io } from '../io.js';

export const profilesCommand = (io: Io, done: (code: number) => void) => ({
  command: 'profiles',
  describe: 'list the shipped profiles',
  builder: (y: Argv) => y.option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const }),
  handler: async (argv: { format: 'table' | 'json' }) => {
    const profiles = await Promise.all((await listProfileIds()).map((id) => loadProfile(id)));
    const rows = profiles.map((p) => ({ id: p.id, framework: p.framework, component: p.component, scenario: p.scenario, rows: p.rows.length }));
    if (argv.format === 'json') write(io.stdout, JSON.stringify(rows, null, 2));
    else write(io.stdout, columns([['id', 'framework', 'component', 'scenario', 'rows'], ...rows.map((r) => [r.id, r.framework, r.component, r.scenario, String(r.rows)])]).join('\n'));
    done(0);
  },
});

/** The matrix in the framework's own columns, then the variables it needs. */
export function renderMatrix(p: Profile): string {
  const lines = [`${p.framework} ${p.component} (${p.scenario})`];
  if (p.reference) lines.push(`matrix: ${p.reference}`);
  if (p.description) lines.push(p.description);
  lines.push('');
  lines.push(...columns([
    ['id', 'dir', 'source machine', 'destination machine', 'destination port', 'service', 'type', 'status', 'comment'],
    ...p.rows.map((r) => [r.id, r.dir, r.source, r.destination, portLabel(r.port), r.service, r.type, r.status, r.comment ?? '']),
  ]));
  lines.push('');
  lines.push('probes:');
  const options = (w: Row['with']) => Object.entries(w ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  lines.push(...columns(p.rows.map((r) => [`  ${r.id}`, r.probe, options(r.with), r.expect === 'blocked' ? '(expect blocked)' : ''])));
  const vars = Object.entries(p.vars);
  if (vars.length) {
    lines.push('', 'variables (--set name=value):');
    lines.push(...columns(vars.map(([name, v]) => [`  ${name}`, v.secret ? '(secret)' : v.default !== undefined ? `default ${v.default}` : '(required)', v.description ?? ''])));
  }
  return lines.join('\n') + '\n';
}

export const showCommand = (io: Io, done: (code: number) => void) => ({
  command: 'show <profile>',
  describe: 'print a profile\'s matrix as the framework documents it',
  builder: (y: Argv) => y.positional('profile', { type: 'string', demandOption: true }).option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const }),
  handler: async (argv: { profile: string; format: 'table' | 'json' }) => {
    const p = await loadProfile(argv.profile);
    const { file: _file, ...rest } = p;
    write(io.stdout, argv.format === 'json' ? JSON.stringify(rest, null, 2) : renderMatrix(p));
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
      write(io.stdout, `ok: ${f} (${p.framework} ${p.component}, ${p.rows.length} ${p.rows.length === 1 ? "row" : "rows"})`);
    }
    done(0);
  },
});

export const schemaCommand = (io: Io, done: (code: number) => void) => ({
  command: 'schema',
  describe: 'print the JSON Schema of the profile format (for editors)',
  handler: () => {
    write(io.stdout, JSON.stringify(profileJsonSchema(), null, 2));
    done(0);
  },
});

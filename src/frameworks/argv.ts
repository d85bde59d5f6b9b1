// Options from an argument list (`--superlink host:9092`, `--sn-ip=1.2.3.4`, `--insecure`), each
// value with the source of the word it came from. Unknown options are skipped without taking the
// next word: start scripts mix the framework's options with docker's (-d, --name=…, -e K=V).
import { UsageError } from '../errors.js';

export interface ArgWord {
  text: string;
  source: string;
  unresolved?: string[];
  defaulted?: string[];
}

export interface ArgValue {
  value: string;
  source: string;
  defaulted?: string[];
}

export interface ArgSpec {
  valued: readonly string[];
  flags?: readonly string[];
}

export function parseArgs(words: readonly ArgWord[], spec: ArgSpec): Record<string, ArgValue> {
  const out: Record<string, ArgValue> = {};
  const take = (name: string, w: ArgWord, value: string) => {
    if (w.unresolved?.length) {
      // `APLS_IP=$1`: the script sets it from its own arguments, which only exist when it runs.
      const byScript = w.unresolved.filter((v) => v.includes('='));
      const unset = w.unresolved.filter((v) => !v.includes('='));
      const parts = [
        ...(unset.length ? [`${unset.map((v) => `$${v}`).join(', ')}, which is not set here`] : []),
        ...byScript.map(
          (v) =>
            `$${v.slice(0, v.indexOf('='))}, which the script sets from ${v.slice(v.indexOf('=') + 1)} when it runs`,
        ),
      ];
      const hint = unset.length
        ? 'set it in the environment or give the value with --set'
        : 'give the value with --set';
      throw new UsageError(`${w.source}: ${name} ${value} uses ${parts.join(' and ')}: ${hint}`);
    }
    out[name] = { value, source: w.source, ...(w.defaulted?.length && { defaulted: w.defaulted }) };
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.text.indexOf('=');
    const name = w.text.startsWith('--') && eq > 0 ? w.text.slice(0, eq) : w.text;
    if (spec.flags?.includes(name)) {
      out[name] = { value: 'true', source: w.source };
    } else if (spec.valued.includes(name)) {
      if (eq > 0 && w.text.startsWith('--')) take(name, w, w.text.slice(eq + 1));
      else {
        const next = words[i + 1];
        if (!next) throw new UsageError(`${w.source}: ${name} without a value`);
        take(name, next, next.text);
        i++;
      }
    }
  }
  return out;
}

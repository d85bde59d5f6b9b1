// A configuration problem is a UsageError of one line (exit 2 in the CLI): the message, checked so.
import { expect } from 'vitest';
import { UsageError } from '../../src/errors.js';

export async function oneLine(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

// Where the shipped profiles live, found from this module's own location so that it works from
// src/ (tests), dist/ (the CLI) and an installed package alike.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROFILES_DIR = join(PACKAGE_ROOT, 'profiles');

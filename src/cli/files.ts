import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { NonRetryableError } from '../errors/index.js';

/**
 * Input files the CLI reads (proof files, saved proposals, model files, the journal) fail with an error
 * that names the file and the repair, never with a bare `ENOENT` or `Unexpected token` "probably a bug".
 */
export class InputFileError extends NonRetryableError {
  override name = 'InputFileError';
  readonly path: string;
  constructor(path: string, problem: string, repair: string, cause?: unknown) {
    super(`${problem}: ${path}`, { details: repair, cause, docsPath: 'docs/errors.md#input-files' });
    this.path = path;
  }
}

/** What the file is and how to get a good one back; used in every message about it. */
export type FileRole = {
  /** e.g. 'proof file', 'saved proposal', 'model file'. */
  what: string;
  /** What to do when it is missing or broken: re-run the producing command, restore a backup, move it aside. */
  repair: string;
};

/** A system error's code (`ENOENT`, `ENOTDIR`, …) in plain words. */
export function describeSystemCode(code: string | undefined): string | undefined {
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'ENOTDIR':
      return 'has a part that is a file, not a folder';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'is not accessible with your permissions';
    case 'EROFS':
      return 'is on a read-only file system';
    case 'ENOSPC':
      return 'cannot be written: the disk is full';
    case 'EEXIST':
      return 'already exists';
    case 'ELOOP':
      return 'has too many symbolic links';
    case 'ENAMETOOLONG':
      return 'has a name that is too long';
    default:
      return undefined;
  }
}

/** Reads a file, turning a file-system error into an InputFileError that names the file. */
export function readInputFile(path: string, role: FileRole): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = describeSystemCode(code) ?? `cannot be read (${code ?? (error as Error).message})`;
    throw new InputFileError(path, `The ${role.what} ${why}`, role.repair, error);
  }
}

/**
 * Reads and validates a JSON file with a zod schema. A missing file, bytes that are not JSON, or JSON of
 * the wrong shape each give an InputFileError naming the file, the first wrong field and the repair.
 */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, role: FileRole): z.infer<S> {
  const bytes = readInputFile(path, role);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputFileError(
      path,
      `The ${role.what} is not valid JSON (${(error as Error).message})`,
      role.repair,
      error,
    );
  }
  return parseJson(path, json, schema, role);
}

/** Validates already-parsed JSON from `path` (see readJsonFile). */
export function parseJson<S extends z.ZodType>(
  path: string,
  json: unknown,
  schema: S,
  role: FileRole,
): z.infer<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  throw new InputFileError(
    path,
    `The ${role.what} does not have the expected shape (${issues.join('; ')})`,
    role.repair,
    result.error,
  );
}

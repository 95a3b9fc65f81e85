import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

// Field names in the zod shapes are the env var names themselves, so every error names the variable.
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: 'expected an integer' })
    .int({ message: 'expected an integer' })
    .min(min, { message: `expected an integer ≥ ${min}` })
    .max(max, { message: `expected an integer ≤ ${max}` })
    .default(fallback);

export const num = (fallback: number, min = 0, max = Number.MAX_VALUE) =>
  z.coerce
    .number({ message: 'expected a number' })
    .min(min, { message: `expected a number ≥ ${min}` })
    .max(max, { message: `expected a number ≤ ${max}` })
    .default(fallback);

export const str = (fallback: string) =>
  z.string().trim().min(1, { message: 'must not be empty' }).default(fallback);
export const optionalStr = () => z.string().trim().min(1).optional();
export const url = (fallback: string) => z.url({ message: 'expected a URL' }).default(fallback);
export const list = (fallback: string[]) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    );

/**
 * Secrets come from `NAME` or from a mounted file named by `NAME_FILE` (Kubernetes secret volumes).
 * The value never appears in errors or logs.
 */
export function resolveSecrets(env: Env, names: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  const problems: Array<{ variable: string; problem: string }> = [];
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (cause) {
      problems.push({
        variable: `${name}_FILE`,
        problem: `cannot read ${file}: ${(cause as Error).message}`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/**
 * Parses `env` once with `schema`; every problem names its variable. A FRESHET_* variable that no
 * service knows (`knownVariables`) is rejected as a likely typo; other services' variables are fine,
 * so one ConfigMap can serve all three stages.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Env,
  options: { secrets?: readonly string[]; knownVariables?: ReadonlySet<string> } = {},
): z.output<S> {
  const secretNames = options.secrets ?? [];
  const resolved = resolveSecrets(env, secretNames);
  const known = options.knownVariables ?? new Set(Object.keys(schema.shape));
  const problems: Array<{ variable: string; problem: string }> = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('FRESHET_') || SHARED_TOOLING_VARS.has(name)) continue;
    const base = name.endsWith('_FILE') ? name.slice(0, -5) : name;
    if (!known.has(name) && !known.has(base)) {
      problems.push({ variable: name, problem: 'unknown variable (typo?)' });
    }
  }
  // Empty strings mean "unset", as in a ConfigMap with a blank value.
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = resolved[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ variable: String(issue.path[0] ?? '(config)'), problem: issue.message });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return (result as { data: z.output<S> }).data;
}

// Variables the local scripts and tests read that a service legitimately sees in its environment.
const SHARED_TOOLING_VARS = new Set([
  'FRESHET_CACHE',
  'FRESHET_STATE',
  'FRESHET_KAFKA_PORT',
  'FRESHET_KAFKA_CONTROLLER_PORT',
  'FRESHET_KAFKA_SASL_PORT',
  'FRESHET_REGISTRY_PORT',
  'FRESHET_MILVUS_PORT',
]);

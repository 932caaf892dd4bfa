import Joi from 'joi';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { BackpressureBounds } from './platform/backpressure.js';
import { projectRoot } from './platform/paths.js';

/** Environment → typed config. Every variable is listed in .env.example with a comment. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string | undefined;
  publicUrl: string;
  dataDir: string;
  mongodbUri: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  redisUrl: string | undefined;
  demoPassword: string | undefined;
  sessionSecret: string | undefined;
  dataEncryptionKey: string | undefined;
  logLevel: string;
  /** Express's `trust proxy`: how many proxy hops to trust, or which proxy addresses (IPs, CIDRs). */
  trustProxy: number | string[];
  secantusPython: string | undefined;
  /** WiredTiger cache of the embedded database, e.g. '1G' (its default) or '4G' for a database of millions. */
  embeddedDbCache: string | undefined;
  /** When public intake answers 503 instead of taking more work (platform/backpressure.ts). */
  backpressure: BackpressureBounds;
  /** `/metrics` (platform/metrics.ts): an internal port of its own, and/or a bearer token on the public port. */
  metrics: { port: number | undefined; host: string; token: string | undefined };
  /** The S3-compatible bucket for attachments; undefined keeps them in the database (GridFS). */
  attachmentsS3: AttachmentsS3Settings | undefined;
}

export interface AttachmentsS3Settings {
  bucket: string;
  /** For an S3-compatible server (MinIO, a provider's object storage); AWS itself needs none. */
  endpoint: string | undefined;
  region: string;
  /** Without a key pair the AWS SDK's own chain applies (AWS_* variables, an instance role). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** Prepended to every object's name, e.g. 'suara/attachments/'. */
  prefix: string;
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint>/<key>`: what most S3-compatible servers expect. */
  forcePathStyle: boolean;
}

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  PORT: Joi.number().integer().min(0).max(65535).empty('').default(3000),
  HOST: Joi.string().hostname().empty(''),
  PUBLIC_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .empty(''),
  DATA_DIR: Joi.string().empty('').default('./data'),
  MONGODB_URI: Joi.string()
    .uri({ scheme: ['mongodb', 'mongodb+srv'] })
    .empty('')
    .messages({ 'string.uriCustomScheme': '{#label} must be a URL starting with mongodb:// or mongodb+srv://' }),
  SMTP_URL: Joi.string()
    .uri({ scheme: ['smtp', 'smtps'] })
    .empty('')
    .messages({ 'string.uriCustomScheme': '{#label} must be a URL starting with smtp:// or smtps://' }),
  MAIL_FROM: Joi.string().empty('').default('Suara <no-reply@suara.localhost>'),
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .empty('')
    .messages({ 'string.uriCustomScheme': '{#label} must be a URL starting with redis:// or rediss://' }),
  DEMO_PASSWORD: Joi.string().min(8).empty(''),
  SESSION_SECRET: Joi.string().min(32).empty('').when('NODE_ENV', { is: 'production', then: Joi.required() }),
  DATA_ENCRYPTION_KEY: Joi.string()
    .hex()
    .length(64)
    .empty('')
    .when('NODE_ENV', { is: 'production', then: Joi.required() }),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').empty(''),
  TRUST_PROXY: Joi.string()
    .trim()
    .empty('')
    .default(0)
    .custom((value: string, helpers) => parseTrustProxy(value) ?? helpers.error('trustProxy.invalid'))
    .messages({
      'trustProxy.invalid':
        '{#label} must be a number of proxy hops (0 for none) or a comma-separated list of proxy addresses or CIDRs',
    }),
  SECANTUS_PYTHON: Joi.string().empty(''),
  EMBEDDED_DB_CACHE: Joi.string()
    .pattern(/^\d{1,5}[MG]$/)
    .empty('')
    .messages({ 'string.pattern.base': 'EMBEDDED_DB_CACHE must be a size like 512M or 4G' }),
  BACKPRESSURE_MAX_LAG_MS: Joi.number().integer().min(0).empty('').default(200),
  BACKPRESSURE_MAX_IN_FLIGHT: Joi.number().integer().min(0).empty('').default(200),
  BACKPRESSURE_RETRY_AFTER: Joi.number().integer().min(1).max(3600).empty('').default(5),
  BACKPRESSURE_MAX_BACKLOG: Joi.number().integer().min(0).empty('').default(5000),
  METRICS_PORT: Joi.number().integer().min(0).max(65535).empty(''),
  METRICS_HOST: Joi.string().hostname().empty('').default('127.0.0.1'),
  METRICS_TOKEN: Joi.string()
    .min(16)
    .pattern(/^[\x21-\x7e]+$/)
    .empty('')
    .messages({ 'string.pattern.base': '{#label} must be printable ASCII without spaces' }),
  ATTACHMENTS_S3_BUCKET: Joi.string()
    .pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .empty('')
    .messages({ 'string.pattern.base': 'ATTACHMENTS_S3_BUCKET must be an S3 bucket name (a-z, 0-9, dots, dashes)' }),
  ATTACHMENTS_S3_ENDPOINT: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .empty('')
    .messages({ 'string.uriCustomScheme': '{#label} must be a URL starting with http:// or https://' }),
  ATTACHMENTS_S3_REGION: Joi.string().empty('').default('us-east-1'),
  ATTACHMENTS_S3_ACCESS_KEY_ID: Joi.string().empty(''),
  ATTACHMENTS_S3_SECRET_ACCESS_KEY: Joi.string().empty(''),
  ATTACHMENTS_S3_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9!_.*'()/-]{0,200}$/)
    .empty('')
    .default('')
    .messages({ 'string.pattern.base': "ATTACHMENTS_S3_PREFIX may hold letters, digits and !_.*'()/- only" }),
  ATTACHMENTS_S3_FORCE_PATH_STYLE: Joi.boolean().empty(''),
})
  .unknown(true)
  .messages({
    'any.required': '{#label} is required',
    'any.only': '{#label} must be one of {#valids}',
    'number.base': '{#label} must be a number',
    'number.integer': '{#label} must be a whole number',
    'number.min': '{#label} must be at least {#limit}',
    'number.max': '{#label} must be at most {#limit}',
    'string.min': '{#label} must be at least {#limit} characters long',
    'string.uri': '{#label} must be a URL',
    'string.hostname': '{#label} must be a host name or IP address',
    'string.hex': '{#label} must be hexadecimal',
    'string.length': '{#label} must be {#limit} characters long',
    'boolean.base': '{#label} must be true/false (or 1/0)',
  });

/** Names Express knows for address ranges, allowed in a TRUST_PROXY list. */
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY → Express's setting, or undefined when it is neither hops nor addresses. `true` is one hop, never
 * "trust every hop": that would make the client's own left-most X-Forwarded-For entry its address.
 */
export function parseTrustProxy(value: string): number | string[] | undefined {
  const word = value.toLowerCase();
  if (word === 'false') return 0;
  if (word === 'true') return 1;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const valid = (entry: string) => {
    if (proxyRangeNames.has(entry)) return true;
    const [address = '', prefix, extra] = entry.split('/');
    const version = isIP(address);
    if (!version || extra !== undefined) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
  };
  return entries.every(valid) ? entries : undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The variables that may come from a file instead (`SESSION_SECRET_FILE=/run/secrets/session_secret`), as Docker and
 * Kubernetes secrets are mounted: the file's content, without its trailing line break, is the value.
 */
export const FILE_VARIABLES = [
  'SESSION_SECRET',
  'DATA_ENCRYPTION_KEY',
  'MONGODB_URI',
  'REDIS_URL',
  'SMTP_URL',
  'METRICS_TOKEN',
  'DEMO_PASSWORD',
  'ATTACHMENTS_S3_ACCESS_KEY_ID',
  'ATTACHMENTS_S3_SECRET_ACCESS_KEY',
] as const;

/** The environment with every `<NAME>_FILE` read into `<NAME>`; names the variables whose value came from a file. */
function withFileSecrets(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; fromFile: Set<string> } {
  const resolved = { ...env };
  const fromFile = new Set<string>();
  for (const name of FILE_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(name, `Configuration error: set ${name} or ${name}_FILE, not both`);
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(
        `${name}_FILE`,
        `Configuration error: ${name}_FILE names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${file})`,
      );
    }
    fromFile.add(name);
  }
  return { env: resolved, fromFile };
}

/** Reads and validates the environment; throws one ConfigError naming the first variable that is wrong. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Config {
  const { env, fromFile } = withFileSecrets(rawEnv);
  const { value, error } = schema.validate(env, { abortEarly: true, errors: { wrap: { label: false } } });
  if (error) {
    const detail = error.details[0]!;
    const variable = String(detail.path[0]);
    const got = env[variable];
    // A value from a file is a secret: the message names the file's variable, never its content.
    const shown = fromFile.has(variable)
      ? ` (read from ${variable}_FILE)`
      : got === undefined
        ? ''
        : ` (got ${JSON.stringify(got)})`;
    throw new ConfigError(variable, `Configuration error: ${detail.message}` + shown);
  }
  const port = value.PORT as number;
  return {
    env: value.NODE_ENV,
    port,
    host: value.HOST,
    publicUrl: (value.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    dataDir: path.resolve(projectRoot, value.DATA_DIR),
    mongodbUri: value.MONGODB_URI,
    smtpUrl: value.SMTP_URL,
    mailFrom: value.MAIL_FROM,
    redisUrl: value.REDIS_URL,
    demoPassword: value.DEMO_PASSWORD,
    sessionSecret: value.SESSION_SECRET,
    dataEncryptionKey: value.DATA_ENCRYPTION_KEY,
    logLevel: value.LOG_LEVEL ?? (value.NODE_ENV === 'test' ? 'silent' : 'info'),
    trustProxy: value.TRUST_PROXY,
    secantusPython: value.SECANTUS_PYTHON,
    embeddedDbCache: value.EMBEDDED_DB_CACHE,
    backpressure: {
      maxEventLoopDelayMs: value.BACKPRESSURE_MAX_LAG_MS,
      maxInFlight: value.BACKPRESSURE_MAX_IN_FLIGHT,
      retryAfterSeconds: value.BACKPRESSURE_RETRY_AFTER,
      maxProjectorBacklog: value.BACKPRESSURE_MAX_BACKLOG,
    },
    metrics: { port: value.METRICS_PORT, host: value.METRICS_HOST, token: value.METRICS_TOKEN },
    attachmentsS3: attachmentsS3Settings(value as Record<string, string | boolean | undefined>),
  };
}

/**
 * ATTACHMENTS_S3_* → the bucket's settings, or undefined when no bucket is named. The keys may come from files like
 * every secret (FILE_VARIABLES); a key id without its secret, or the reverse, is an error.
 */
function attachmentsS3Settings(value: Record<string, string | boolean | undefined>): AttachmentsS3Settings | undefined {
  const bucket = value.ATTACHMENTS_S3_BUCKET as string | undefined;
  const accessKeyId = value.ATTACHMENTS_S3_ACCESS_KEY_ID as string | undefined;
  const secretAccessKey = value.ATTACHMENTS_S3_SECRET_ACCESS_KEY as string | undefined;
  if (!bucket) return undefined;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey))
    throw new ConfigError(
      accessKeyId ? 'ATTACHMENTS_S3_SECRET_ACCESS_KEY' : 'ATTACHMENTS_S3_ACCESS_KEY_ID',
      'Configuration error: ATTACHMENTS_S3_ACCESS_KEY_ID and ATTACHMENTS_S3_SECRET_ACCESS_KEY go together',
    );
  const endpoint = value.ATTACHMENTS_S3_ENDPOINT as string | undefined;
  return {
    bucket,
    endpoint,
    region: value.ATTACHMENTS_S3_REGION as string,
    accessKeyId,
    secretAccessKey,
    prefix: value.ATTACHMENTS_S3_PREFIX as string,
    forcePathStyle: (value.ATTACHMENTS_S3_FORCE_PATH_STYLE as boolean | undefined) ?? Boolean(endpoint),
  };
}

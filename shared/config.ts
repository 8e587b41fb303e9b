/** Configuration from the environment, read and validated once at init. */
import { SCHEMA_VERSIONS, type SchemaVersion } from "./contract.ts";
import { type DeliveryCompression, NO_COMPRESSION, parseDeliveryCompression } from "./firehose/index.ts";

export interface Config {
  readonly deliveryStreamName: string;
  readonly quarantineBucket: string;
  readonly quarantinePrefix: string;
  readonly speedLimitKmh: number;
  readonly firehoseAttemptTimeoutMs: number;
  /** Contract versions delivered; records of any other version are quarantined as `SCHEMA_UNSUPPORTED`. */
  readonly acceptedSchemaVersions: ReadonlySet<SchemaVersion>;
  /** How the function compresses each Firehose record; `none` leaves compression to the delivery stream. */
  readonly deliveryCompression: DeliveryCompression;
}

/** Endpoint overrides, an emulator's URL for each client; `undefined` means AWS's own endpoint. */
export interface Endpoints {
  readonly firehose: string | undefined;
  readonly s3: string | undefined;
}

/** A missing or malformed environment variable; the message names it and the expected form. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, expected: string, actual: string | undefined) {
    super(
      `${variable} must be ${expected}; got ${actual === undefined ? "nothing (it is not set)" : JSON.stringify(actual)}`,
    );
    this.name = "ConfigError";
    this.variable = variable;
  }
}

const DELIVERY_STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

/**
 * S3's naming rules for general-purpose buckets, in the order the user guide lists them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): each a test the
 * name must pass and the rule, as the error message states it.
 */
const BUCKET_RULES: readonly [test: (name: string) => boolean, rule: string][] = [
  [(name) => name.length >= 3 && name.length <= 63, "3 to 63 characters long"],
  [(name) => /^[a-z0-9.-]*$/.test(name), "only lowercase letters, digits, dots (.) and hyphens (-)"],
  [(name) => /^[a-z0-9]/.test(name) && /[a-z0-9]$/.test(name), "begins and ends with a letter or digit"],
  [(name) => !name.includes(".."), "no two adjacent dots"],
  [(name) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(name), "not formatted as an IP address"],
  [(name) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(name), "does not start with xn--, sthree- or amzn-s3-demo-"],
  [
    (name) => !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name),
    "does not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3",
  ],
];

/** 1–512 printable ASCII characters (space to ~), ending in / and not starting with it. */
const PREFIX = /^[\x20-\x2e\x30-\x7e][\x20-\x7e]{0,510}\/$/;

/**
 * Reads and validates the function's configuration.
 * Throws a `ConfigError` naming the first variable that is missing or malformed.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  return {
    deliveryStreamName: required(
      env,
      "DELIVERY_STREAM_NAME",
      DELIVERY_STREAM_NAME,
      "a Firehose delivery stream name (1–64 of [a-zA-Z0-9_.-])",
    ),
    quarantineBucket: bucketName(env, "QUARANTINE_BUCKET"),
    quarantinePrefix: optional(
      env,
      "QUARANTINE_PREFIX",
      "quarantine/",
      PREFIX,
      "an S3 key prefix of 2–512 printable ASCII characters (space to ~, no control or non-ASCII character) that ends in / and does not start with /",
    ),
    speedLimitKmh: speedLimit(env),
    firehoseAttemptTimeoutMs: attemptTimeout(env),
    acceptedSchemaVersions: acceptedSchemaVersions(env),
    deliveryCompression: deliveryCompression(env),
  };
}

function required(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  pattern: RegExp,
  expected: string,
): string {
  const value = env[name];
  if (value === undefined || !pattern.test(value)) throw new ConfigError(name, expected, value);
  return value;
}

/** A general-purpose bucket name: the error names the first of S3's rules the value breaks. */
function bucketName(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  const expected = "an S3 general-purpose bucket name following S3's bucket naming rules";
  if (value === undefined) throw new ConfigError(name, expected, value);
  for (const [test, rule] of BUCKET_RULES) {
    if (!test(value)) throw new ConfigError(name, `${expected} (this one breaks the rule: ${rule})`, value);
  }
  return value;
}

function optional(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: string,
  pattern: RegExp,
  expected: string,
): string {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!pattern.test(value)) throw new ConfigError(name, expected, value);
  return value;
}

function speedLimit(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.SPEED_LIMIT_KMH;
  if (raw === undefined || raw === "") return 130;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value <= 0 || value > 400) {
    throw new ConfigError("SPEED_LIMIT_KMH", "a number of km/h greater than 0 and at most 400", raw);
  }
  return value;
}

function attemptTimeout(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.FIREHOSE_ATTEMPT_TIMEOUT_MS;
  if (raw === undefined || raw === "") return 10_000;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 100 || value > 900_000) {
    throw new ConfigError("FIREHOSE_ATTEMPT_TIMEOUT_MS", "a whole number of milliseconds from 100 to 900000", raw);
  }
  return value;
}

/**
 * Reads and validates the endpoint overrides: the SDK's own variables `AWS_ENDPOINT_URL_FIREHOSE` /
 * `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`. Empty counts as unset, because the template
 * declares `AWS_ENDPOINT_URL` empty (that declaration is what lets `sam local invoke --env-vars` set
 * it at all). Throws a `ConfigError` naming a variable that is set but not an http(s) URL, at init
 * rather than on every call.
 */
export function loadEndpoints(env: Readonly<Record<string, string | undefined>>): Endpoints {
  const general = endpointUrl(env, "AWS_ENDPOINT_URL");
  return {
    firehose: endpointUrl(env, "AWS_ENDPOINT_URL_FIREHOSE") ?? general,
    s3: endpointUrl(env, "AWS_ENDPOINT_URL_S3") ?? general,
  };
}

/** Redrive's Kinesis endpoint override: `AWS_ENDPOINT_URL_KINESIS`, else `AWS_ENDPOINT_URL`; as `loadEndpoints`. */
export function loadKinesisEndpoint(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return endpointUrl(env, "AWS_ENDPOINT_URL_KINESIS") ?? endpointUrl(env, "AWS_ENDPOINT_URL");
}

/**
 * RedriveFunction's one setting beyond `loadConfig`'s: `STREAM_READ_ROLE_ARN`, the role to read the
 * producer's stream as (the consumer role; empty or unset: the function's own credentials, as on the
 * local pipeline). Throws a `ConfigError` if it is set but not an IAM role ARN.
 */
export function loadStreamReadRole(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const raw = env.STREAM_READ_ROLE_ARN;
  if (raw === undefined || raw === "") return undefined;
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(raw))
    throw new ConfigError("STREAM_READ_ROLE_ARN", "an IAM role ARN (arn:aws:iam::<account>:role/<name>) or empty", raw);
  return raw;
}

function endpointUrl(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const url = URL.parse(raw);
  if (
    url === null ||
    !["http:", "https:"].includes(url.protocol) ||
    // Stryker disable next-line ConditionalExpression,StringLiteral: an http(s) URL never parses with an empty host
    url.hostname === "" ||
    url.username ||
    url.password
  ) {
    throw new ConfigError(
      name,
      "an http:// or https:// URL without credentials (an emulator, e.g. http://host.docker.internal:5000), or empty for AWS's own endpoint",
      raw,
    );
  }
  return raw;
}

/** Unset or empty: every known version. Otherwise a comma list, so an operator can hold one back. */
export function acceptedSchemaVersions(env: Readonly<Record<string, string | undefined>>): ReadonlySet<SchemaVersion> {
  const raw = env.ACCEPTED_SCHEMA_VERSIONS;
  if (raw === undefined || raw === "") return new Set(SCHEMA_VERSIONS);
  const known: readonly number[] = SCHEMA_VERSIONS;
  // Stryker disable next-line Regex,ArrayDeclaration: the known versions are single digits: what the mutated pattern refuses, or the placeholder list, the known-version check refuses too
  const listed = /^\d+(,\d+)*$/.test(raw) ? raw.split(",").map(Number) : [];
  if (listed.length === 0 || !listed.every((version) => known.includes(version))) {
    throw new ConfigError(
      "ACCEPTED_SCHEMA_VERSIONS",
      `a comma-separated list of known schema versions (${SCHEMA_VERSIONS.join(", ")}), without spaces, e.g. "${SCHEMA_VERSIONS.join(",")}"`,
      raw,
    );
  }
  // Known order, whatever the listed order: the quarantine details list them this way.
  return new Set(SCHEMA_VERSIONS.filter((version) => listed.includes(version)));
}

/**
 * Unset or empty: `none`, the behaviour before the option (the template always sets it, from the
 * `DeliveryCompression` parameter that also sets the delivery stream's own compression).
 */
function deliveryCompression(env: Readonly<Record<string, string | undefined>>): DeliveryCompression {
  const raw = env.DELIVERY_COMPRESSION;
  if (raw === undefined || raw === "") return NO_COMPRESSION;
  const parsed = parseDeliveryCompression(raw);
  if (parsed === undefined) {
    throw new ConfigError(
      "DELIVERY_COMPRESSION",
      "none, gzip or zstd, optionally with a level: gzip-1 to gzip-9, zstd-1 to zstd-19 (e.g. zstd-3)",
      raw,
    );
  }
  return parsed;
}

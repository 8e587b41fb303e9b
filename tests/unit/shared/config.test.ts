import { describe, expect, it } from "vitest";
import {
  ConfigError,
  loadConfig,
  loadEndpoints,
  loadKinesisEndpoint,
  loadStreamReadRole,
} from "../../../shared/config.ts";

const required = { DELIVERY_STREAM_NAME: "telemetry", QUARANTINE_BUCKET: "quarantine-bucket" };

describe("loadConfig", () => {
  it("reads the required variables and applies the defaults", () => {
    expect(loadConfig(required)).toEqual({
      deliveryStreamName: "telemetry",
      quarantineBucket: "quarantine-bucket",
      quarantinePrefix: "quarantine/",
      speedLimitKmh: 130,
      firehoseAttemptTimeoutMs: 10_000,
      acceptedSchemaVersions: new Set([1, 2]),
      deliveryCompression: { format: "none", level: 0 },
    });
  });

  it.each([
    ["none", { format: "none", level: 0 }],
    ["gzip", { format: "gzip", level: 1 }],
    ["gzip-6", { format: "gzip", level: 6 }],
    ["zstd", { format: "zstd", level: 1 }],
    ["zstd-19", { format: "zstd", level: 19 }],
    // Empty, as an environment without the template's value: the behaviour before the option.
    ["", { format: "none", level: 0 }],
  ])("reads DELIVERY_COMPRESSION=%j", (value, expected) => {
    expect(loadConfig({ ...required, DELIVERY_COMPRESSION: value }).deliveryCompression).toEqual(expected);
  });

  it.each(["GZIP", "gzip-0", "gzip-10", "zstd-20", "zstd-0", "brotli", "gzip:6", " gzip"])(
    "rejects DELIVERY_COMPRESSION=%j, naming the variable and the accepted values",
    (value) => {
      expect(() => loadConfig({ ...required, DELIVERY_COMPRESSION: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...required, DELIVERY_COMPRESSION: value })).toThrow(
        /^DELIVERY_COMPRESSION must be none, gzip or zstd, optionally with a level: gzip-1 to gzip-9, zstd-1 to zstd-19/,
      );
    },
  );

  it("reads the optional variables when set", () => {
    const config = loadConfig({
      ...required,
      QUARANTINE_PREFIX: "rejects/v1/",
      SPEED_LIMIT_KMH: "110.5",
    });
    expect(config).toMatchObject({ quarantinePrefix: "rejects/v1/", speedLimitKmh: 110.5 });
  });

  it.each([
    ["2", [2]],
    ["1", [1]],
    ["2,1", [1, 2]],
    ["1,2,2", [1, 2]],
    ["", [1, 2]],
  ])("reads ACCEPTED_SCHEMA_VERSIONS=%j as the versions %j", (raw, versions) => {
    expect([...loadConfig({ ...required, ACCEPTED_SCHEMA_VERSIONS: raw }).acceptedSchemaVersions]).toEqual(versions);
  });

  it.each([
    ["DELIVERY_STREAM_NAME", { QUARANTINE_BUCKET: "quarantine-bucket" }, "it is not set"],
    ["QUARANTINE_BUCKET", { DELIVERY_STREAM_NAME: "telemetry" }, "it is not set"],
    ["DELIVERY_STREAM_NAME", { ...required, DELIVERY_STREAM_NAME: "has spaces" }, '"has spaces"'],
    ["QUARANTINE_BUCKET", { ...required, QUARANTINE_BUCKET: "Upper_Case" }, '"Upper_Case"'],
    ["QUARANTINE_PREFIX", { ...required, QUARANTINE_PREFIX: "no-trailing-slash" }, "ends in /"],
    ["QUARANTINE_PREFIX", { ...required, QUARANTINE_PREFIX: "/leading/" }, "does not start with /"],
    ["SPEED_LIMIT_KMH", { ...required, SPEED_LIMIT_KMH: "fast" }, '"fast"'],
    ["SPEED_LIMIT_KMH", { ...required, SPEED_LIMIT_KMH: "0" }, "greater than 0"],
    ["SPEED_LIMIT_KMH", { ...required, SPEED_LIMIT_KMH: "401" }, "at most 400"],
    ["FIREHOSE_ATTEMPT_TIMEOUT_MS", { ...required, FIREHOSE_ATTEMPT_TIMEOUT_MS: "50" }, "from 100 to 900000"],
    ["FIREHOSE_ATTEMPT_TIMEOUT_MS", { ...required, FIREHOSE_ATTEMPT_TIMEOUT_MS: "1.5" }, '"1.5"'],
    ["ACCEPTED_SCHEMA_VERSIONS", { ...required, ACCEPTED_SCHEMA_VERSIONS: "3" }, "known schema versions (1, 2)"],
    ["ACCEPTED_SCHEMA_VERSIONS", { ...required, ACCEPTED_SCHEMA_VERSIONS: "0" }, '"0"'],
    ["ACCEPTED_SCHEMA_VERSIONS", { ...required, ACCEPTED_SCHEMA_VERSIONS: "1,3" }, 'e.g. "1,2"'],
    ["ACCEPTED_SCHEMA_VERSIONS", { ...required, ACCEPTED_SCHEMA_VERSIONS: "1, 2" }, "without spaces"],
    ["ACCEPTED_SCHEMA_VERSIONS", { ...required, ACCEPTED_SCHEMA_VERSIONS: "1,,2" }, "comma-separated"],
    ["ACCEPTED_SCHEMA_VERSIONS", { ...required, ACCEPTED_SCHEMA_VERSIONS: "v2" }, '"v2"'],
    ["ACCEPTED_SCHEMA_VERSIONS", { ...required, ACCEPTED_SCHEMA_VERSIONS: "2," }, '"2,"'],
  ])("throws a ConfigError naming %s", (variable, env, fragment) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as ConfigError).message).toMatch(new RegExp(`^${variable} must be`));
    expect((thrown as ConfigError).message).toContain(fragment);
  });
});

describe("loadEndpoints", () => {
  it("treats unset and empty alike: AWS's own endpoints (the template declares AWS_ENDPOINT_URL empty)", () => {
    expect(loadEndpoints({})).toEqual({ firehose: undefined, s3: undefined });
    expect(loadEndpoints({ AWS_ENDPOINT_URL: "" })).toEqual({ firehose: undefined, s3: undefined });
  });

  it("takes the general override for both clients, a per-service one before it", () => {
    const endpoints = loadEndpoints({
      AWS_ENDPOINT_URL: "http://host.docker.internal:5000",
      AWS_ENDPOINT_URL_S3: "https://s3.local:4443",
      AWS_ENDPOINT_URL_FIREHOSE: "",
    });
    expect(endpoints).toEqual({ firehose: "http://host.docker.internal:5000", s3: "https://s3.local:4443" });
  });

  it.each([
    ["AWS_ENDPOINT_URL", "host.docker.internal:5000", "http:// or https:// URL"],
    ["AWS_ENDPOINT_URL", "not a url", '"not a url"'],
    ["AWS_ENDPOINT_URL_S3", "ftp://127.0.0.1:5000", "http:// or https://"],
    ["AWS_ENDPOINT_URL_FIREHOSE", "http://key:secret@127.0.0.1:5000", "without credentials"],
  ])("throws a ConfigError naming %s when it is %j", (variable, value, fragment) => {
    let thrown: unknown;
    try {
      loadEndpoints({ [variable]: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as ConfigError).message).toMatch(new RegExp(`^${variable} must be`));
    expect((thrown as ConfigError).message).toContain(fragment);
  });
});

describe("QUARANTINE_BUCKET follows S3's general-purpose bucket naming rules", () => {
  it.each([
    "abc",
    "a".repeat(63),
    "quarantine-bucket",
    "my.bucket.2026",
    "1bucket9",
    "192.168.1.1.bucket",
    "bucket-xn--a",
    "s3alias-bucket",
  ])("accepts %j", (name) => {
    expect(loadConfig({ ...required, QUARANTINE_BUCKET: name }).quarantineBucket).toBe(name);
  });

  it.each([
    ["ab", "3 to 63 characters long"],
    ["a".repeat(64), "3 to 63 characters long"],
    ["Upper_Case", "only lowercase letters, digits, dots (.) and hyphens (-)"],
    ["bücket", "only lowercase letters, digits, dots (.) and hyphens (-)"],
    ["-bucket", "begins and ends with a letter or digit"],
    ["bucket.", "begins and ends with a letter or digit"],
    ["a..b", "no two adjacent dots"],
    ["192.168.1.1", "not formatted as an IP address"],
    ["xn--bucket", "does not start with xn--, sthree- or amzn-s3-demo-"],
    ["sthree-bucket", "does not start with xn--, sthree- or amzn-s3-demo-"],
    ["sthree-configurator-x", "does not start with xn--, sthree- or amzn-s3-demo-"],
    ["amzn-s3-demo-bucket", "does not start with xn--, sthree- or amzn-s3-demo-"],
    ["bucket-s3alias", "does not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3"],
    ["bucket--ol-s3", "does not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3"],
    ["bucket.mrap", "does not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3"],
    ["bucket--x-s3", "does not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3"],
    ["bucket--table-s3", "does not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3"],
  ])("rejects %j, naming the variable and the rule it breaks", (name, rule) => {
    expect(() => loadConfig({ ...required, QUARANTINE_BUCKET: name })).toThrow(
      `QUARANTINE_BUCKET must be an S3 general-purpose bucket name following S3's bucket naming rules (this one breaks the rule: ${rule}); got ${JSON.stringify(name)}`,
    );
  });
});

describe("QUARANTINE_PREFIX is printable ASCII ending in /", () => {
  it.each(["q/", "rejects/v1/", "a b~!/", `${"p".repeat(511)}/`])("accepts %j", (prefix) => {
    expect(loadConfig({ ...required, QUARANTINE_PREFIX: prefix }).quarantinePrefix).toBe(prefix);
  });

  it.each([
    ["/", "does not start with /"],
    ["/leading/", "does not start with /"],
    ["no-trailing-slash", "ends in /"],
    ["é/", "printable ASCII"],
    ["quarantäne/", "printable ASCII"],
    ["\u0000/", "no control"],
    ["tab\there/", "no control"],
    ["line\nbreak/", "no control"],
    ["del\u007f/", "no control"],
    [`${"p".repeat(512)}/`, "2–512"],
  ])("rejects %j", (prefix, fragment) => {
    const error = configErrorOf({ ...required, QUARANTINE_PREFIX: prefix });
    expect(error.variable).toBe("QUARANTINE_PREFIX");
    expect(error.message).toMatch(/^QUARANTINE_PREFIX must be /);
    expect(error.message).toContain(fragment);
    expect(error.message).toContain(`; got ${JSON.stringify(prefix)}`);
  });
});

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("loadConfig accepted the environment");
}

describe("redrive's settings", () => {
  it("STREAM_READ_ROLE_ARN is a role ARN or unset", () => {
    expect(loadStreamReadRole({})).toBeUndefined();
    expect(
      loadStreamReadRole({ STREAM_READ_ROLE_ARN: "arn:aws:iam::111122223333:role/c-TelemetryConsumerRole-x" }),
    ).toBe("arn:aws:iam::111122223333:role/c-TelemetryConsumerRole-x");
    expect(() => loadStreamReadRole({ STREAM_READ_ROLE_ARN: "consumer-role" })).toThrow(
      /STREAM_READ_ROLE_ARN must be an IAM role ARN/,
    );
  });

  it("STREAM_READ_ROLE_ARN empty (as the template sets it without a consumer role) means the function's own credentials", () => {
    expect(loadStreamReadRole({ STREAM_READ_ROLE_ARN: "" })).toBeUndefined();
  });

  it.each(["arn:aws-cn:iam::111122223333:role/consumer", "arn:aws-us-gov:iam::111122223333:role/path/to/consumer"])(
    "STREAM_READ_ROLE_ARN accepts a role of another partition or under a path: %s",
    (arn) => {
      expect(loadStreamReadRole({ STREAM_READ_ROLE_ARN: arn })).toBe(arn);
    },
  );

  it.each([
    ["text before the ARN", "x arn:aws:iam::111122223333:role/consumer"],
    ["text after the name", "arn:aws:iam::111122223333:role/consumer and more"],
    ["a partition that is not aws…", "arn:aws9:iam::111122223333:role/consumer"],
    ["a user, not a role", "arn:aws:iam::111122223333:user/consumer"],
    ["an account that is not 12 digits", "arn:aws:iam::1111:role/consumer"],
  ])("STREAM_READ_ROLE_ARN refuses %s", (_, arn) => {
    expect(() => loadStreamReadRole({ STREAM_READ_ROLE_ARN: arn })).toThrow(
      /STREAM_READ_ROLE_ARN must be an IAM role ARN/,
    );
  });

  it("the Kinesis endpoint is AWS_ENDPOINT_URL_KINESIS, else the general override", () => {
    expect(loadKinesisEndpoint({ AWS_ENDPOINT_URL: "http://127.0.0.1:5000" })).toBe("http://127.0.0.1:5000");
    expect(loadKinesisEndpoint({ AWS_ENDPOINT_URL: "http://a:1", AWS_ENDPOINT_URL_KINESIS: "http://b:2" })).toBe(
      "http://b:2",
    );
    expect(() => loadKinesisEndpoint({ AWS_ENDPOINT_URL_KINESIS: "ftp://x" })).toThrow(ConfigError);
  });
});

describe("loadConfig, the edges of each variable", () => {
  it("treats an empty optional variable as unset: its default", () => {
    const config = loadConfig({
      ...required,
      QUARANTINE_PREFIX: "",
      SPEED_LIMIT_KMH: "",
      FIREHOSE_ATTEMPT_TIMEOUT_MS: "",
    });

    expect(config).toMatchObject({
      quarantinePrefix: "quarantine/",
      speedLimitKmh: 130,
      firehoseAttemptTimeoutMs: 10_000,
    });
  });

  it.each([
    ["a whole number", "90", 90],
    ["two decimals", "90.25", 90.25],
    ["the upper bound", "400", 400],
  ])("reads SPEED_LIMIT_KMH given as %s", (_, raw, kmh) => {
    expect(loadConfig({ ...required, SPEED_LIMIT_KMH: raw }).speedLimitKmh).toBe(kmh);
  });

  it.each([
    ["the lower bound", "100", 100],
    ["the upper bound", "900000", 900_000],
    ["a value in between", "2500", 2_500],
  ])("reads FIREHOSE_ATTEMPT_TIMEOUT_MS at %s", (_, raw, ms) => {
    expect(loadConfig({ ...required, FIREHOSE_ATTEMPT_TIMEOUT_MS: raw }).firehoseAttemptTimeoutMs).toBe(ms);
  });

  it.each([
    ["SPEED_LIMIT_KMH", "x12"],
    ["SPEED_LIMIT_KMH", "12x"],
    ["SPEED_LIMIT_KMH", "1e2"],
    ["FIREHOSE_ATTEMPT_TIMEOUT_MS", "x500"],
    ["FIREHOSE_ATTEMPT_TIMEOUT_MS", "500x"],
    ["FIREHOSE_ATTEMPT_TIMEOUT_MS", "1e3"],
    ["FIREHOSE_ATTEMPT_TIMEOUT_MS", "900001"],
    ["QUARANTINE_PREFIX", "rejects/v1"],
  ])("rejects %s=%j, a value not of the form the variable expects", (variable, raw) => {
    expect(() => loadConfig({ ...required, [variable]: raw })).toThrow(
      expect.objectContaining({ name: "ConfigError", variable }),
    );
  });

  it.each([
    ["a name ending in digits that is no IP address", "a1.2.3.4"],
    ["a reserved suffix in the middle of the name", "my-s3alias-bucket"],
    ["a reserved prefix in the middle of the name", "my-xn--bucket"],
  ])("accepts a bucket with %s", (_, bucket) => {
    expect(loadConfig({ ...required, QUARANTINE_BUCKET: bucket }).quarantineBucket).toBe(bucket);
  });

  it("states the delivery stream name's form in the error", () => {
    expect(() => loadConfig({ ...required, DELIVERY_STREAM_NAME: "a/b" })).toThrow(
      new ConfigError("DELIVERY_STREAM_NAME", "a Firehose delivery stream name (1–64 of [a-zA-Z0-9_.-])", "a/b"),
    );
  });

  it("names the error class ConfigError, so logs tell a configuration error from others", () => {
    expect(new ConfigError("X", "y", undefined).name).toBe("ConfigError");
  });
});

describe("loadEndpoints, the URL's scheme", () => {
  it.each(["xhttp://127.0.0.1:5000", "httpsx://127.0.0.1:5000", "ftp://127.0.0.1", "not a url"])(
    "rejects %j with the expected form named",
    (url) => {
      expect(() => loadEndpoints({ AWS_ENDPOINT_URL: url })).toThrow(
        new ConfigError(
          "AWS_ENDPOINT_URL",
          "an http:// or https:// URL without credentials (an emulator, e.g. http://host.docker.internal:5000), or empty for AWS's own endpoint",
          url,
        ),
      );
    },
  );
});

/**
 * The Docker-less `sam local invoke`: the built function under Lambda's runtime interface (a local
 * Lambda, tools/lambda/local-lambda.ts: Lambda's Runtime Interface Emulator and the Node.js runtime
 * interface client), invoked once with the event through Lambda's Invoke API. As `sam local invoke`
 * does, it prints the runtime's own lines (START, the function's logs, END, REPORT) on stderr and the
 * response on stdout.
 *   npm run invoke -- events/mixed-batch.json [--env-vars local/env.moto.json] [--function RedriveFunction]
 * Without --env-vars it starts a local AWS (moto) with the stream, delivery stream and buckets, and
 * points the function at it; with --env-vars, at what the file names (local/env.moto.json: the
 * emulator of `npm run emulator`). Exit 0 whenever the runtime answered (a function error or a
 * timeout included), 1 if the emulator or the function's init could not start, 2 on a bad option.
 */
import {
  type ArgsOf,
  choice,
  command,
  custom,
  readJsonFile,
  runCommand,
  text,
  UsageError,
} from "../tools/cli/options.ts";
import { invokeFunction, lambdaClient } from "../tools/lambda/invoke-api.ts";
import { type Invocation, type LocalLambda, LocalLambdaError, startLocalLambda } from "../tools/lambda/local-lambda.ts";
import {
  CONSUMER_FUNCTION,
  freshPipeline,
  functionEnvVars,
  REDRIVE_FUNCTION,
  REGION,
} from "../tools/pipeline/emulator.ts";
import { type MotoServer, startMoto } from "../tools/pipeline/moto.ts";

/** The events the positional check read, by file: main uses its one without reading the file again. */
const checkedEvents = new Map<string, unknown>();

const COMMAND = command({
  name: "invoke",
  summary:
    "sam local invoke without Docker: the built function under Lambda's runtime interface, invoked once with an event.\nThe runtime's lines (START, logs, END, REPORT) go to stderr, the response to stdout.",
  options: {
    "env-vars": custom({
      placeholder: "FILE",
      expected: "a JSON file of variables by function, as sam local invoke --env-vars takes",
      description: "the function's variables (local/env.moto.json: npm run emulator's); default: a moto started here",
      parse: (file) => {
        const read = readJsonFile(file, "file");
        return "json" in read && typeof read.json === "object" && read.json !== null ? file : undefined;
      },
    }),
    function: choice({
      choices: [CONSUMER_FUNCTION, REDRIVE_FUNCTION],
      default: CONSUMER_FUNCTION,
      description: "the template's function to invoke",
    }),
    region: text({
      placeholder: "REGION",
      pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
      expected: "an AWS region name (eu-west-1)",
      default: REGION,
      description: "the region SAM gives the function, as --region does",
    }),
  },
  positionals: {
    name: "event file",
    description: "the event, one JSON file (events/*.json)",
    check: (file) => {
      const read = readJsonFile(file, "event file");
      if ("problem" in read) return read.problem;
      checkedEvents.set(file, read.json);
      return undefined;
    },
  },
});

async function main({ values, positionals }: ArgsOf<typeof COMMAND>): Promise<number> {
  const [file, ...more] = positionals;
  if (file === undefined || more.length > 0)
    throw new UsageError(`give exactly one event file (got ${positionals.length}); see --help`);
  const event = checkedEvents.get(file);
  const functionName = values.function;
  const envVarsFile = values["env-vars"];
  let moto: MotoServer | undefined;
  let lambda: LocalLambda | undefined;
  try {
    if (envVarsFile === undefined) {
      moto = await startMoto();
      await freshPipeline(moto.endpoint, { streamShards: 1 });
      process.stderr.write(`moto at ${moto.endpoint}, started for this invocation (the function's AWS_ENDPOINT_URL)\n`);
    }
    let invocation: Invocation | undefined;
    lambda = await startLocalLambda({
      functionName,
      region: values.region,
      ...(envVarsFile !== undefined
        ? { envVarsFile }
        : { envVars: functionEnvVars((moto as MotoServer).endpoint, functionName) }),
      onLine: (line) => process.stderr.write(`${line}\n`),
      onInvocation: (answered) => {
        invocation = answered;
      },
    });
    const answer = await invokeFunction(lambdaClient(lambda.endpoint, values.region), functionName, event);
    process.stdout.write(`${JSON.stringify(answer.ok ? answer.payload : answer.error)}\n`);
    if (invocation?.initFailed) {
      process.stderr.write(
        `invoke: ${functionName}'s init failed (${answer.ok ? "" : answer.error.errorType}): the response above is its init error\n`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    if (!(error instanceof LocalLambdaError)) throw error;
    process.stderr.write(`invoke: ${error.message}\n`);
    return 1;
  } finally {
    await lambda?.stop();
    await moto?.stop();
  }
}

await runCommand(COMMAND, main);

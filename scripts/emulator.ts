/**
 * A local AWS for `sam local invoke`: starts moto on 127.0.0.1:<port> (default 5000) with the
 * delivery stream and buckets the function expects (see local/env.moto.json), then waits until
 * Ctrl-C.
 *   node scripts/emulator.ts [--port 5000] [--host 127.0.0.1]
 * `sam local invoke` runs the function in Docker: there, use --host 0.0.0.0 (it then listens on
 * every interface of this machine) so the container can reach it through host.docker.internal.
 */
import { type ArgsOf, command, integer, runCommand, text } from "../tools/cli/options.ts";
import {
  DATA_BUCKET,
  DELIVERY_STREAM,
  freshPipeline,
  QUARANTINE_BUCKET,
  REGION,
  STREAM,
} from "../tools/pipeline/emulator.ts";
import { startMoto } from "../tools/pipeline/moto.ts";

const COMMAND = command({
  name: "emulator",
  summary: "A local AWS (moto) with the stream, delivery stream and buckets the function expects, until Ctrl-C.",
  options: {
    port: integer({ min: 1, max: 65_535, default: 5000, description: "the port to listen on" }),
    host: text({
      placeholder: "ADDRESS",
      default: "127.0.0.1",
      description: "the address to listen on (0.0.0.0 for sam local invoke in Docker)",
    }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<void> {
  const moto = await startMoto({ port: values.port, host: values.host });
  await freshPipeline(moto.endpoint, { streamShards: 2 });
  console.log(
    `moto at ${moto.endpoint}, region ${REGION}: Kinesis stream ${STREAM} (2 shards), delivery stream ${DELIVERY_STREAM} → s3://${DATA_BUCKET}/data/, quarantine s3://${QUARANTINE_BUCKET}/`,
  );
  console.log("Ctrl-C to stop.");
  // Ctrl-C reaches moto too (same process group); stopping it here covers a SIGTERM sent to this process alone.
  async function shutdown(): Promise<void> {
    await moto.stop();
    process.exit(0);
  }
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

await runCommand(COMMAND, main);

import { runScenario } from "./scripts/lib/scenarios.ts";

const t = setInterval(() => process.stderr.write(`tick ${new Date().toISOString()}\n`), 2000);
const { report, ...r } = await runScenario(process.argv[2] ?? "resets-and-timeouts", {
  vehicles: 4,
  durationS: 30,
  onProgress: (p) => process.stderr.write(JSON.stringify(p.consumer) + "\n"),
});
clearInterval(t);
console.log(JSON.stringify(r));

/** Vitest global setup for the integration tests: one moto server on 127.0.0.1 for the run. */
import type { TestProject } from "vitest/node";
import { startMoto } from "../../tools/pipeline/moto.ts";

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide("motoEndpoint", moto.endpoint);
  return moto.stop;
}

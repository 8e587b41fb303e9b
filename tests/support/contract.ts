/** The output schema compiled for tests (the function itself never validates its own output). */
import { Compile } from "typebox/compile";
import { EnrichedTelemetryV1 } from "../../shared/contract.ts";

export const enrichedValidator = Compile(EnrichedTelemetryV1);

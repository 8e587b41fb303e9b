/** The output schemas compiled for tests (the function itself never validates its own output). */
import { Compile } from "typebox/compile";
import { EnrichedTelemetryV1, EnrichedTelemetryV2 } from "../../shared/contract.ts";

export const enrichedValidator = Compile(EnrichedTelemetryV1);
export const enrichedV2Validator = Compile(EnrichedTelemetryV2);

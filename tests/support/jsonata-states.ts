/**
 * Runs a state machine definition written in JSONata (QueryLanguage JSONata) one state at a time, to
 * check its expressions: every `{% … %}` is evaluated by the JSONata engine Step Functions
 * implements (the `jsonata` package at 2.0.6, the version its guide names), with `$states.input`,
 * `$states.result`, `$states.context` and the workflow variables bound as Step Functions binds them.
 * What Step Functions itself does (the integrations, retries, timeouts) is not here: each Task
 * state's answer is given by the caller, shaped as the service's API answers it.
 */
import jsonata from "jsonata";

interface State {
  readonly Type: "Pass" | "Task" | "Choice" | "Succeed" | "Fail";
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Condition: string; readonly Next: string }[];
  readonly Arguments?: unknown;
  readonly Assign?: Record<string, unknown>;
  readonly Output?: unknown;
  readonly Error?: string;
  readonly Cause?: string;
}

export interface Definition {
  readonly StartAt: string;
  readonly States: Record<string, unknown>;
}

/** A Task state reached: its name and its evaluated Arguments. */
export interface TaskCall {
  readonly state: string;
  readonly arguments: Record<string, unknown>;
}

export interface Execution {
  readonly status: "SUCCEEDED" | "FAILED";
  /** The states entered, in order. */
  readonly path: string[];
  readonly tasks: TaskCall[];
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: unknown;
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** A field's value with each `{% … %}` string evaluated; undefined is an error, as Step Functions makes it. */
async function evaluate(value: unknown, bindings: Record<string, unknown>, where: string): Promise<unknown> {
  if (typeof value === "string") {
    const match = EXPRESSION.exec(value);
    if (!match) return value;
    const result: unknown = await jsonata(match[1] ?? "").evaluate({}, bindings);
    if (result === undefined) throw new Error(`${where}: ${value} evaluates to undefined`);
    return result;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => evaluate(v, bindings, `${where}[${i}]`)));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      await Promise.all(
        Object.entries(value).map(async ([k, v]) => [k, await evaluate(v, bindings, `${where}.${k}`)] as const),
      ),
    );
  return value;
}

/**
 * Runs `definition` on `input`, answering each Task state with `answer(call)`. A state's Assign is
 * evaluated with the variables as they were before it (all of a state's assignments see the same values).
 */
export async function run(
  definition: Definition,
  input: Record<string, unknown>,
  answer: (call: TaskCall) => unknown,
  startTime = "2026-12-06T00:00:00Z",
): Promise<Execution> {
  let variables: Record<string, unknown> = {};
  let stateInput: unknown = input;
  const path: string[] = [];
  const tasks: TaskCall[] = [];
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    if (path.length > 100) throw new Error(`no end after ${path.join(" → ")}`);
    const state = definition.States[name] as State | undefined;
    if (!state) throw new Error(`no state ${name}`);
    path.push(name);
    const bind = (result?: unknown) => ({
      ...variables,
      states: { input: stateInput, context: { Execution: { StartTime: startTime } }, result },
    });
    switch (state.Type) {
      case "Choice": {
        let next = state.Default;
        for (const choice of state.Choices ?? [])
          if ((await evaluate(choice.Condition, bind(), `${name}.Condition`)) === true) {
            next = choice.Next;
            break;
          }
        name = next;
        break;
      }
      case "Fail":
        return {
          status: "FAILED",
          path,
          tasks,
          error: state.Error,
          cause: await evaluate(state.Cause, bind(), `${name}.Cause`),
        };
      case "Succeed":
        return {
          status: "SUCCEEDED",
          path,
          tasks,
          output: state.Output === undefined ? stateInput : await evaluate(state.Output, bind(), `${name}.Output`),
        };
      case "Pass":
      case "Task": {
        let result: unknown = stateInput;
        if (state.Type === "Task") {
          const call = {
            state: name,
            arguments: (await evaluate(state.Arguments ?? {}, bind(), `${name}.Arguments`)) as Record<string, unknown>,
          };
          tasks.push(call);
          result = answer(call);
        }
        const assigned = (await evaluate(state.Assign ?? {}, bind(result), `${name}.Assign`)) as Record<
          string,
          unknown
        >;
        stateInput = state.Output === undefined ? result : await evaluate(state.Output, bind(result), `${name}.Output`);
        variables = { ...variables, ...assigned };
        name = state.Next;
        break;
      }
    }
  }
  throw new Error(`${path.at(-1)} has no Next and does not end the execution`);
}

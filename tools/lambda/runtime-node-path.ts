/**
 * Loaded into the local runtime process with `node --import` (tools/lambda/local-lambda.ts), never
 * into the function: ES module imports search the packages of NODE_PATH, as AWS's Node.js runtimes
 * (nodejs18.x on) make them do. Node itself applies NODE_PATH to `require` only, and so does the
 * open-source runtime interface client, so without this an `import()` of the runtime-included SDK
 * would fail here while it works in AWS.
 *
 * A bare specifier that Node's ES resolution cannot find is resolved again from each folder of
 * NODE_PATH that holds packages (a `node_modules` folder, as every package folder of Lambda's
 * NODE_PATH is): resolving from a module inside the folder finds `<folder>/<package>` by ES rules
 * (its package.json "exports", or its "main"), the conditions of the import unchanged.
 */
import { registerHooks } from "node:module";
import { basename, delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";

const packageFolders = (process.env.NODE_PATH ?? "")
  .split(delimiter)
  .filter((folder) => folder !== "" && basename(folder) === "node_modules");

/** Not relative, absolute, a URL or a builtin: a package name, perhaps with a subpath. */
function isBare(specifier: string): boolean {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) throw error;
      for (const folder of packageFolders) {
        try {
          return nextResolve(specifier, { ...context, parentURL: pathToFileURL(join(folder, "index.js")).href });
        } catch {
          // Not in this folder: the next one, then Node's own error.
        }
      }
      throw error;
    }
  },
});

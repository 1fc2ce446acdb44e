// azure-arm-rest picks its MSAL major at load time: `require(msalVer)` with msalVer = "msalv1"
// on Node < 16, else "msalv3" (azure-arm-common.js). esbuild cannot follow a computed require,
// so the bundle would call the real `require("msalv3")` at run time and fail: the agent has no
// node_modules beside the task. The task runs on Node 20 and 24 only (Node20_1 and Node24
// handlers), where the choice is always msalv3, so this plugin rewrites that one call to the
// literal `require("msalv3")` and esbuild bundles it. If a new azure-arm-rest changes the line,
// the build fails here instead of shipping a bundle that breaks on the agent.
import { readFile } from 'node:fs/promises';

const COMPUTED = 'require(msalVer)';
const LITERAL = 'require("msalv3")';

export const msalRequirePlugin = {
  name: 'azure-arm-rest-msal-require',
  setup(build) {
    build.onLoad({ filter: /[\\/]azure-pipelines-tasks-azure-arm-rest[\\/]azure-arm-common\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const count = source.split(COMPUTED).length - 1;
      if (count !== 1) {
        return { errors: [{ text: `expected exactly one ${COMPUTED} in ${args.path}, found ${count}: review the msal rewrite` }] };
      }
      if (!/msalVer = nodeVersion < 16 \? "msalv1" : "msalv3"/.test(source)) {
        return { errors: [{ text: `azure-arm-common.js no longer chooses msalv3 for Node >= 16: review the msal rewrite` }] };
      }
      return { contents: source.replace(COMPUTED, LITERAL), loader: 'js' };
    });
  },
};

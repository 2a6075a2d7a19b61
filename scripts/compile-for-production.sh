#!/bin/sh
# Compiles the apps for production, in place, in a copy of the repository (a Docker build stage,
# or the test's temporary directory; never the working tree): TypeScript to JavaScript beside each
# source, the .ts sources removed, each package's exports pointed at the .js files and stripped
# of what only tests use. Afterwards `node phase2-production/src/server.js` runs with no TypeScript
# tooling at all. Usage, from the copy's root: sh scripts/compile-for-production.sh <workspace>…
set -eu
[ "$#" -gt 0 ] || { echo "usage: compile-for-production.sh <workspace>…" >&2; exit 2; }
npx tsc -p tsconfig.build.json
for workspace in "$@"; do
  find "$workspace/src" -name '*.ts' -delete
  node -e '
    const fs = require("node:fs");
    const file = process.argv[1] + "/package.json";
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    if (pkg.exports) {
      delete pkg.exports["./test-suites"];
      for (const [key, target] of Object.entries(pkg.exports)) pkg.exports[key] = target.replace(/\.ts$/, ".js");
    }
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
  ' "$workspace"
done

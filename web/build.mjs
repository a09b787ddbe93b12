// build.mjs copies the front-end packages installed by npm into static/vendor/.
// The output is committed and embedded in the Go binary (see static.go), so
// `go build` never needs npm or the network. Run after changing package.json:
//
//	npm ci && npm run build
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "static", "vendor");

const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/htmx.org/LICENSE", "htmx.LICENSE.txt"],
];

mkdirSync(vendor, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(here, from), join(vendor, to));
  console.log(`static/vendor/${to} <- ${from}`);
}

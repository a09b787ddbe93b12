// build.mjs copies the front-end packages installed by npm into static/vendor/.
// The output is committed and embedded in the Go binary (see static.go), so
// `go build` never needs npm or the network. Run after changing package.json:
//
//	npm ci && npm run build
//
// Only what the pages load is copied: minified builds, their stylesheets and
// the images the stylesheets point to (relative URLs, so the folder layout
// of each package is kept), plus each licence.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "static", "vendor");

const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/htmx.org/LICENSE", "htmx.LICENSE.txt"],

  // Leaflet: the map of the events pages. No tile layer is ever used: the
  // base map is GeoJSON served by peaceops itself.
  ["node_modules/leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["node_modules/leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["node_modules/leaflet/dist/images/layers.png", "leaflet/images/layers.png"],
  ["node_modules/leaflet/dist/images/layers-2x.png", "leaflet/images/layers-2x.png"],
  ["node_modules/leaflet/dist/images/marker-icon.png", "leaflet/images/marker-icon.png"],
  ["node_modules/leaflet/dist/images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"],
  ["node_modules/leaflet/dist/images/marker-shadow.png", "leaflet/images/marker-shadow.png"],
  ["node_modules/leaflet/LICENSE", "leaflet/LICENSE.txt"],

  // uPlot: the time histograms and bar charts.
  ["node_modules/uplot/dist/uPlot.iife.min.js", "uplot/uPlot.iife.min.js"],
  ["node_modules/uplot/dist/uPlot.min.css", "uplot/uPlot.min.css"],
  ["node_modules/uplot/LICENSE", "uplot/LICENSE.txt"],
];

for (const [from, to] of files) {
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  copyFileSync(join(here, from), join(vendor, to));
  console.log(`static/vendor/${to} <- ${from}`);
}

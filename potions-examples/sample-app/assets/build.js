// The sample app's asset step (what esbuild or tailwind do in a Phoenix app): joins the sources
// under js/ into ../priv/static/app.js, which the app serves at GET /assets/app.js.
const fs = require("fs");
const path = require("path");

const sources = path.join(__dirname, "js");
const out = path.join(__dirname, "..", "priv", "static", "app.js");
const body = fs.readdirSync(sources).filter((f) => f.endsWith(".js")).sort()
  .map((f) => fs.readFileSync(path.join(sources, f), "utf8")).join("\n");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, "// built by assets/build.js with node " + process.version.split(".")[0] + "\n" + body);
console.log("wrote " + path.relative(path.join(__dirname, ".."), out) + " (" + body.length + " bytes of sources)");

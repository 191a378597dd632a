// npm run schema: writes provider/schema.json, the package schema GetSchema serves.
import * as fs from "fs";
import * as path from "path";
import { buildSchema } from "./packageSchema";

const root = path.join(__dirname, "..");
const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
fs.writeFileSync(path.join(root, "provider", "schema.json"), JSON.stringify(buildSchema(version), null, 2) + "\n");

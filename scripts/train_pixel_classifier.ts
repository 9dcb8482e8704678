// Trains the default model shipped with the bundled pixel_classifier (files/model.json) on the
// synthetic two-class example. Run with: npx tsx scripts/train_pixel_classifier.ts
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { fitClassifier } from "../algorithms/pixel_classifier/helpers/classifier.js";
import { twoClassImage } from "../algorithms/tests/synthetic-two-class.js";

const target = fileURLToPath(new URL("../algorithms/pixel_classifier/files/model.json", import.meta.url));
const model = fitClassifier([twoClassImage(128, 128, 1), twoClassImage(128, 128, 2)], { seed: 7 });
fs.writeFileSync(target, JSON.stringify(model));
console.log(`wrote ${target} (${fs.statSync(target).size} bytes)`);

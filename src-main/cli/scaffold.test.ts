import assert from "node:assert/strict";
import { test } from "node:test";
import { testEngine, waitForEnd } from "../engine/testing/test-engine.js";
import { needsPython } from "../engine/testing/system-needs.js";
import { tempDir } from "../engine/testing/temp-algorithm.js";
import { scaffoldAlgorithm, type ScaffoldLanguage } from "./scaffold.js";

const TYPES = ["Image2Image", "Image2Segmentation", "Image2Embedding", "Image2Alignment", "Segmentation2Segmentation", "Generic"];

for (const lang of ["ts", "py"] as ScaffoldLanguage[]) {
  test(`every ${lang === "ts" ? "TypeScript" : "Python"} scaffold runs as generated`, { skip: lang === "py" && needsPython }, async () => {
    await using t = await testEngine();
    using parent = tempDir();
    const inputs = await t.images(2, 3, 3);
    const masks = await Promise.all([0, 1].map(async () => (await t.engine.createDataset({ mask: { dtype: "uint8", shape: [3, 3], data: new Uint8Array(9).fill(1) } })).file_id));
    for (const type of TYPES) {
      const dir = scaffoldAlgorithm({ name: `s_${lang}_${type}`, type, lang, parent: parent.path, sdkTypes: "/unused.d.ts" });
      const { algorithm_id } = await t.engine.deploy(dir);
      const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: type === "Segmentation2Segmentation" ? masks : inputs })).execution_id, 60000);
      assert.equal(rec.status, "COMPLETED", `${type}: ${rec.log}`);
      assert.equal(rec.output_dataset_ids.length, type === "Image2Alignment" || type === "Generic" ? 1 : 2, type);
    }
  });
}

// What a run gave, in the viewer: each output beside its input (masks as labels over it, images
// compared with it, alignments as the moved image over the reference, named regions as layers),
// the outputs of a stack run as one stack, with their downloads; and the inputs as the user added them.
import type { DatasetInfoBody } from "../../src-main/contract/api.js";
import type { ExecutionRecord } from "../../src-main/contract/records.js";
import { api } from "../api.js";
import { drawValues, paletteColour } from "../colour-layers.js";
import { h } from "../elements.js";
import { readValues } from "../hdf5-values.js";
import { commonPlaneKey, pageGroups } from "../input-shapes.js";
import { layerOf } from "../plane-source.js";
import { imageViewer } from "../viewer.js";
import { measurementsView } from "./measurements-view.js";

/** An alignment: its 3×3 matrix as a table, and the moved image over the reference in the viewer. */
async function alignmentView(id: string, pair: [string, string] | undefined): Promise<HTMLElement> {
  const { values } = await readValues(id, "transform_matrix");
  const table = h("table.matrix", { "aria-label": "Transform matrix" }, [0, 1, 2].map((r) => h("tr", {}, [0, 1, 2].map((c) => h("td", {}, (values[r * 3 + c] ?? 0).toFixed(3))))));
  if (!pair) return h("div.output", {}, table);
  const [reference, moving] = pair;
  return h("div.output.output-viewer", {}, table, imageViewer(layerOf(reference, "image"), `alignment ${id}: the moved image over the reference`, { moved: { ...layerOf(moving, "image"), matrix: [...values] } }));
}

/** A mask preview (white = in the region) redrawn in one colour, transparent elsewhere. */
function colouredMask(url: string, colour: string, label: string): HTMLCanvasElement {
  const canvas = h("canvas.region-layer", { role: "img", "aria-label": label }) as HTMLCanvasElement;
  const img = new Image();
  img.onload = () => {
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext("2d");
    if (!g) return;
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
    const inside = new Uint8Array(canvas.width * canvas.height).map((_, i) => ((data[i * 4] ?? 0) > 127 ? 1 : 0));
    drawValues(canvas, inside, () => colour, 255);
  };
  img.src = url;
  return canvas;
}

/** Named regions (Image2MultiRegionSegmentation): each mask a coloured layer over the input, with a legend to show or hide each. */
function regionsView(id: string, inputId: string | undefined, names: readonly string[], downloads: HTMLElement): HTMLElement {
  const layers = names.map((name, r) => colouredMask(api.previewUrl(id, { key: "region_masks", slice: r, max_size: 320 }), paletteColour(r), `region ${name}`));
  const legend = h(
    "ul.region-legend",
    {},
    names.map((name, r) =>
      h(
        "li",
        {},
        h("label", {}, h("input", { type: "checkbox", checked: true, onchange: (e: Event) => (layers[r]!.hidden = !(e.target as HTMLInputElement).checked) }), h("span.swatch", { style: `background:${paletteColour(r)}` }), ` ${name}`),
      ),
    ),
  );
  const base = inputId ? h("img", { src: api.previewUrl(inputId, { max_size: 320 }), alt: "input" }) : h("img", { src: api.previewUrl(id, { key: "region_masks", max_size: 320 }), alt: "regions" });
  return h("div.output", {}, h("div.stack", {}, base, ...layers), legend, downloads);
}

const downloadsOf = (id: string) =>
  h(
    "div.downloads",
    {},
    h("a", { href: api.fileExportUrl(id, "h5"), download: `${id}.h5`, title: "The dataset as stored: every key, in its own type" }, "HDF5"),
    h("a", { href: api.fileExportUrl(id, "tiff"), download: `${id}.tif`, title: "The values in their own type (float32 stays float32), one page per slice" }, "TIFF (data)"),
    h("a", { href: api.fileExportUrl(id, "png"), download: `${id}.png`, title: "A rendered picture: 8- or 16-bit integers kept, other types stretched to 8 bits" }, "PNG (picture)"),
  );

/** Output of one dataset: a preview, a mask overlay on its input, named regions, or an alignment. */
async function outputView(id: string, info: DatasetInfoBody | undefined, inputId: string | undefined, pair?: [string, string]): Promise<HTMLElement> {
  if (!info) return h("div.output.text-output", {}, h("code", {}, id)); // a Generic algorithm's plain result
  const downloads = downloadsOf(id);
  if (info.keys.transform_matrix) return alignmentView(id, pair);
  const regionNames = info.keys.region_names?.values;
  if (info.keys.region_masks && regionNames) return regionsView(id, inputId, regionNames, downloads);
  // A mask: its classes as labels over the input, in the viewer.
  if (info.keys.mask && inputId) return h("div.output.output-viewer", {}, imageViewer(layerOf(inputId, "image"), `mask ${id} over its input`, { labels: layerOf(id, "mask") }), downloads, measurementsView(id, "mask", inputId));
  // An image (or a stack or volume): its real values in the viewer, compared with its input.
  const key = "image" in info.keys ? "image" : Object.keys(info.keys).find((k) => info.keys[k]?.dtype !== "str");
  if (!key) return h("div.output", {}, h("code", {}, id), downloads);
  const compare = key === "image" && inputId ? { ...layerOf(inputId, "image"), name: "input" } : undefined;
  return h("div.output.output-viewer", {}, imageViewer(layerOf(id, key), `output ${id}`, { compare }), downloads);
}

/**
 * Outputs of one 2-D key and shape, one per input (a stack run page by page), as one viewer with a
 * slice slider over the input stack: masks as its labels, images compared with it.
 */
function stackedOutputsView(executionId: string, outs: string[], ins: string[], key: string): HTMLElement {
  const inputs = { ids: ins, key: "image" };
  const viewer =
    key === "mask"
      ? imageViewer(inputs, `${outs.length} masks over their inputs`, { labels: { ids: outs, key } })
      : imageViewer({ ids: outs, key }, `${outs.length} outputs`, { compare: { ...inputs, name: "input" } });
  const whole = h("a", { href: api.outputsExportUrl(executionId, key), download: "", title: "Every output as a page of one TIFF, values in their own type" }, `Download the stack as one TIFF (${outs.length} pages, data)`);
  return h("div.output.output-viewer", {}, viewer, h("div.downloads", {}, whole), h("details.downloads-all", {}, h("summary", {}, `Downloads (${outs.length} datasets)`), outs.map((o, i) => h("div", {}, `${i + 1}: `, downloadsOf(o)))));
}

/** Datasets in the groups the user added them (a multi-page file's pages as one stack), each in a compact viewer. */
export async function inputsView(ids: readonly string[]): Promise<HTMLElement[]> {
  const infos = await Promise.all(ids.map((id) => api.fileInfo(id).catch(() => undefined)));
  return pageGroups(infos.map((i) => i?.name)).map((g) => inputItemView(g.map((k) => ids[k]!), g.map((k) => infos[k])));
}

/** One input (a dataset or a stack of them): its name, size and a compact viewer. */
export function inputItemView(ids: string[], infos: (DatasetInfoBody | undefined)[], remove?: () => void, n = 1): HTMLElement {
  const first = infos[0];
  const name = ids.length > 1 ? (first?.name ?? ids[0]!).replace(/ \[1\]$/, "") : (first?.name ?? ids[0]!);
  const key = ids.length > 1 ? commonPlaneKey(infos.map((i) => i?.keys)) : first && Object.keys(first.keys).find((k) => (first.keys[k]?.shape.length ?? 0) >= 2 && first.keys[k]?.dtype !== "str");
  const head = h("div.input-head", {}, h("strong", {}, name), ids.length > 1 ? h("span.muted", {}, ` ${ids.length} pages, one stack`) : null, remove ? h("button.icon", { type: "button", title: `remove input ${n}`, "aria-label": `remove input ${n} (${name})`, onclick: remove }, "×") : null);
  return h("div.input-item", {}, head, key ? imageViewer({ ids, key }, `input ${n}: ${name}`, { compact: true }) : h("p.muted", {}, ids.length > 1 ? "pages of different shapes" : "nothing to show as an image"));
}

/** A completed execution's inputs and outputs, each in the viewer (outputs of a stack as one stack). */
export async function resultsOf(rec: ExecutionRecord): Promise<HTMLElement> {
  const ins = rec.input_dataset_ids;
  const outs = rec.output_dataset_ids;
  const infos = await Promise.all(outs.map((o) => api.fileInfo(o).catch(() => undefined)));
  const key = outs.length > 1 && outs.length === ins.length ? commonPlaneKey(infos.map((i) => i?.keys)) : undefined;
  const views = key ? [stackedOutputsView(rec.execution_id, outs, ins, key)] : await Promise.all(outs.map((o, i) => outputView(o, infos[i], ins[i] ?? ins[0], ins[i + 1] ? [ins[i]!, ins[i + 1]!] : undefined)));
  return h("div.compare", {}, h("div", {}, h("h4", {}, "Inputs"), h("div.input-list", {}, await inputsView(ins))), h("div", {}, h("h4", {}, "Outputs"), h("div.outputs", {}, views)));
}

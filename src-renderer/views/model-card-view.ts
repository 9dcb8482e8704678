// An imported bioimage.io model's card beside its run form: cover, authors, license, citations
// (with "Copy citation") and what the import's reproduction test found.
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import type { ModelCard } from "../../src-main/contract/model-card.js";
import { api } from "../api.js";
import { h, mount } from "../elements.js";

const FORMAT_NAMES = { onnx: "ONNX", torchscript: "TorchScript", pytorch_state_dict: "PyTorch state dict" } as const;

/** What the reproduction test found, in one sentence. */
export function verificationText(v: ModelCard["verification"]): string {
  const weights = `${FORMAT_NAMES[v.weights_format]} weights`;
  if (!v.passed) return `Not verified — deployed with force. ${v.problem ?? ""}`.trim();
  const worst = Math.max(0, ...v.outputs.map((o) => o.max_abs_error));
  const off = v.outputs.reduce((n, o) => n + o.mismatched, 0);
  const values = v.outputs.reduce((n, o) => n + o.elements, 0);
  return `Verified at import with its ${weights}: ${v.outputs.length === 1 ? "the output reproduces its" : `all ${v.outputs.length} outputs reproduce their`} test output (largest difference ${worst.toPrecision(2)}; ${off.toLocaleString("en")} of ${values.toLocaleString("en")} values outside ${v.tolerance.atol} + ${v.tolerance.rtol}·|expected|).`;
}

function cardParts(alg: Algorithm, card: ModelCard): HTMLElement[] {
  const status = h("span.muted", { role: "status" });
  const citation = card.cite.join("\n");
  const copy = () =>
    navigator.clipboard.writeText(citation).then(
      () => (status.textContent = "citation copied"),
      () => (status.textContent = "the clipboard is not available here: select the citation to copy it"),
    );
  return [
    ...card.covers.slice(0, 1).map((_, n) => h("img.model-cover", { src: api.coverUrl(alg.algorithm_name, alg.algorithm_version, n), alt: `cover of ${card.name}` })),
    h(
      "dl.readonly.model-facts",
      {},
      h("dt", {}, "Model"),
      h("dd", {}, `${card.name} ${card.version} (bioimage.io spec ${card.format_version})`),
      h("dt", {}, "Authors"),
      h("dd", {}, card.authors.join(", ") || "not given"),
      h("dt", {}, "License"),
      h("dd", {}, card.license ?? "not given"),
      h("dt", {}, "Tensors"),
      h("dd", {}, `in: ${card.inputs.join(", ")} · out: ${card.outputs.join(", ")}`),
      card.cite.length > 0 ? [h("dt", {}, "Cite"), h("dd", {}, h("ul.citations", {}, card.cite.map((c) => h("li", {}, c))), h("button.link", { type: "button", onclick: () => void copy() }, "Copy citation"), " ", status)] : null,
    ),
    h(`p.verification${card.verification.passed ? ".verified" : ".unverified"}`, {}, verificationText(card.verification)),
  ];
}

/** The card of `alg` when it is an imported bioimage.io model (null otherwise); filled in once it loads. */
export function modelCardView(alg: Algorithm): HTMLElement | null {
  if (!alg.algorithm_tags.includes("bioimage.io")) return null;
  const section = h("section.model-card", { "aria-label": "Model card" }, h("p.muted", {}, "loading the model card…"));
  api.modelCard(alg.algorithm_name, alg.algorithm_version).then(
    (card) => mount(section, h("h3", {}, "Model card"), ...cardParts(alg, card)),
    (err: Error) => mount(section, h("p.muted", {}, `no model card: ${err.message}`)),
  );
  return section;
}

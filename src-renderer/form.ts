// The parameter form generated from an algorithm's `additional_parameters`: one widget per type
// (contract/parameter-form.ts), labels from displayed_name, help from description, the allowed
// range beside a slider, lists edited item by item (errors name the item, counted from 1), inline
// errors, read-only fields for adjustable = false, and a reset to defaults.
import type { Parameter } from "../src-main/contract/algorithm-config.js";
import { formatNumber, parseInput, widgetFor } from "../src-main/contract/parameter-form.js";
import { h, mount } from "./elements.js";

export interface ParameterForm {
  element: HTMLElement;
  /** The values to send, or undefined while a field is invalid. */
  values(): Record<string, unknown> | undefined;
  reset(): void;
}

export function parameterForm(params: readonly Parameter[], initial: Record<string, unknown> = {}): ParameterForm {
  const getters: (() => { ok: boolean; value?: unknown })[] = [];
  const resets: (() => void)[] = [];
  const fields = params.map((p) => {
    const w = widgetFor(p);
    const readOnly = !p.config.adjustable;
    const error = h("div.field-error");
    const start = p.name in initial ? initial[p.name] : p.config.default;
    let control: HTMLElement;
    let read: () => unknown;
    let write: (v: unknown) => void;
    const id = `param-${p.name}`;
    const check = () => {
      // A number box holding text the browser cannot parse ("1e") reads as "": say so, never 0.
      const boxes = [...control.querySelectorAll<HTMLInputElement>("input.number, input.list-item")];
      const badAt = boxes.findIndex((b) => b.validity.badInput);
      const bad = badAt >= 0 || (control instanceof HTMLInputElement && control.validity.badInput);
      const r = bad ? { ok: false as const, message: `${w.kind === "list-editor" ? `item ${badAt + 1}: ` : ""}not a number: type digits, e.g. 0.5 or 1e-3` } : parseInput(p, read());
      error.textContent = r.ok ? "" : r.message;
      control.classList.toggle("invalid", !r.ok);
      if (w.kind === "list-editor") {
        // The item the message names ("item 2: …") is the one marked.
        const item = r.ok ? -1 : Number(/^item (\d+):/.exec(r.message)?.[1] ?? 0) - 1;
        boxes.forEach((b, i) => b.setAttribute("aria-invalid", String(i === item)));
      } else (control.querySelector<HTMLElement>(`#${CSS.escape(id)}`) ?? control).setAttribute("aria-invalid", String(!r.ok));
      return r;
    };
    switch (w.kind) {
      case "switch": {
        const input = h("input", { type: "checkbox", disabled: readOnly, name: p.name, id }) as HTMLInputElement;
        control = h("label.switch", {}, input, h("span.slider-knob"));
        read = () => input.checked;
        write = (v) => (input.checked = Boolean(v));
        break;
      }
      case "slider": {
        const range = h("input", { type: "range", min: w.min, max: w.max, step: w.step, disabled: readOnly, "aria-label": p.displayed_name }) as HTMLInputElement;
        const box = h("input.number", { type: "number", min: w.min, max: w.max, step: w.step, disabled: readOnly, name: p.name, id }) as HTMLInputElement;
        range.addEventListener("input", () => {
          box.value = formatNumber(Number(range.value), w.decimals);
          check();
        });
        box.addEventListener("change", () => {
          // Text the browser cannot read ("1e") reads as "": left as typed, for check() to name, never made 0.
          if (!box.validity.badInput && box.value !== "") {
            box.value = formatNumber(Number(box.value), w.decimals);
            range.value = box.value;
          }
          check();
        });
        control = h("div.range", {}, range, box, h("span.field-range", { id: `${id}-range` }, `${formatNumber(w.min, w.decimals)} – ${formatNumber(w.max, w.decimals)}`));
        box.setAttribute("aria-describedby", `${id}-range`);
        read = () => box.value;
        write = (v) => {
          box.value = formatNumber(Number(v), w.decimals);
          range.value = String(v);
        };
        break;
      }
      case "select":
      case "preset-list": {
        const options = w.kind === "select" ? w.options : w.presets;
        const select = h("select", { disabled: readOnly, name: p.name, id }, ...options.map((o, i) => h("option", { value: String(i) }, Array.isArray(o) ? `[${o.join(", ")}]` : String(o)))) as HTMLSelectElement;
        control = select;
        read = () => options[Number(select.value)];
        write = (v) => {
          const i = options.findIndex((o) => JSON.stringify(o) === JSON.stringify(v));
          select.value = String(Math.max(0, i));
        };
        break;
      }
      case "list-editor": {
        // One box per item, each removable, and "Add item"; the first box carries the label.
        const numeric = w.element === "int" || w.element === "float";
        const items = h("div.list-items");
        const readItems = () => [...items.querySelectorAll<HTMLInputElement>("input.list-item")].map((b) => (w.element === "bool" ? b.value.trim().toLowerCase() : b.value));
        const itemBox = (value: unknown, i: number) =>
          h(
            "div.list-row",
            {},
            h("input.list-item", { type: numeric ? "number" : "text", step: w.element === "float" ? "any" : undefined, value: String(value ?? ""), disabled: readOnly, "aria-label": `${p.displayed_name}, item ${i + 1}`, ...(i === 0 ? { id } : {}) }),
            readOnly ? null : h("button.secondary.list-remove", { type: "button", "aria-label": `remove item ${i + 1} of ${p.displayed_name}`, onclick: () => (write(readItems().filter((_, k) => k !== i)), check()) }, "×"),
          );
        read = readItems;
        write = (v) => mount(items, (Array.isArray(v) ? v : []).map(itemBox));
        const add = h("button.link", { type: "button", disabled: readOnly, onclick: () => (write([...readItems(), ""]), items.querySelector<HTMLInputElement>("div.list-row:last-child input")?.focus()) }, "Add item");
        control = h("div.list-editor", {}, items, add);
        break;
      }
      default: {
        const numeric = w.kind === "integer" || w.kind === "float";
        const input = h("input", { type: numeric ? "number" : "text", step: w.kind === "float" ? w.step : w.kind === "integer" ? 1 : undefined, disabled: readOnly, name: p.name, id }) as HTMLInputElement;
        control = input;
        read = () => input.value;
        write = (v) => (input.value = w.kind === "float" ? formatNumber(Number(v), w.decimals) : String(v ?? ""));
      }
    }
    write(start);
    control.addEventListener("change", check);
    control.addEventListener("input", check);
    getters.push(() => check());
    resets.push(() => {
      write(p.config.default);
      check();
    });
    return h(
      "div.field",
      { "data-param": p.name },
      h("label.field-label", { title: p.name, for: id }, p.displayed_name, readOnly ? h("span.badge", { "aria-hidden": "true", title: "fixed: adjustable = false in its pyproject.toml" }, "fixed") : null),
      control,
      p.description ? h("div.field-help", {}, p.description) : null,
      error,
    );
  });
  const element = h(
    "div.form",
    {},
    fields.length ? fields : h("p.muted", {}, "This algorithm has no parameters."),
    fields.length ? h("button.link", { type: "button", onclick: () => resets.forEach((r) => r()) }, "Restore defaults") : null,
  );
  return {
    element,
    values() {
      const out: Record<string, unknown> = {};
      let ok = true;
      params.forEach((p, i) => {
        const r = getters[i]!();
        if (r.ok) out[p.name] = r.value;
        else ok = false;
      });
      return ok ? out : undefined;
    },
    reset: () => resets.forEach((r) => r()),
  };
}

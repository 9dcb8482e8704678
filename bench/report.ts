// The report of `npm run bench`: its rows as a Markdown table and an SVG chart of the ratios.

export interface Row {
  name: string;
  ours: string;
  baseline: string;
  /** Median of ours / median of the baseline. */
  ratio: number;
  /** Ratio of the fastest and slowest runs (min/max of ours over median baseline). */
  spread: [number, number];
  /** A goal on the ratio (≤). */
  target?: number;
  /** A goal in absolute terms (e.g. "p50 ≤ 1.0 ms") and whether this run met it. */
  goal?: { text: string; met: boolean };
  note?: string;
}

/** The table, with how it was measured. */
export function markdown(rows: Row[], machine: string, repeats: number): string {
  const lines = [
    `Benchmarks (${new Date().toISOString().slice(0, 10)}, ${machine}). Ratio = median of ours ÷ median of the baseline measured in the same run (${repeats} runs); spread = fastest … slowest run of ours over the same baseline median. Lower is better.`,
    "",
    "| benchmark | ours | baseline | ratio | spread | target |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.name} | ${r.ours} | ${r.baseline} | **${r.ratio.toFixed(2)}×** | ${r.spread[0].toFixed(2)}× … ${r.spread[1].toFixed(2)}× | ${[r.target ? `≤ ${r.target}× ${r.ratio <= r.target ? "✓" : "✗"}` : "", r.goal ? `${r.goal.text} ${r.goal.met ? "✓" : "✗"}` : "", r.note ?? ""].filter(Boolean).join("; ")} |`),
  ];
  return `${lines.join("\n")}\n`;
}

/** A bar chart of the ratios, green where a goal is met, red where not. */
export function svg(rows: Row[]): string {
  const barH = 22;
  const left = 330;
  const width = 760;
  const max = Math.max(2, ...rows.map((r) => Math.min(r.ratio, 40)));
  const scale = (v: number) => left + ((width - left - 60) * Math.log10(1 + v)) / Math.log10(1 + max);
  const h = rows.length * (barH + 8) + 40;
  const bars = rows
    .map((r, i) => {
      const y = 20 + i * (barH + 8);
      const met = r.target !== undefined ? r.ratio <= r.target && (r.goal?.met ?? true) : r.goal?.met;
      const colour = met === undefined ? "#6b8cae" : met ? "#3a9b5c" : "#c0504d";
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${r.name.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text><rect x="${left}" y="${y}" width="${Math.max(1, scale(Math.min(r.ratio, 40)) - left)}" height="${barH}" fill="${colour}"/><text x="${scale(Math.min(r.ratio, 40)) + 6}" y="${y + 15}" font-size="12">${r.ratio.toFixed(2)}×</text>`;
    })
    .join("\n");
  const one = scale(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${bars}\n<line x1="${one}" y1="10" x2="${one}" y2="${h - 20}" stroke="#333" stroke-dasharray="4 3"/><text x="${one}" y="${h - 6}" font-size="11" text-anchor="middle">1× (baseline)</text>\n</svg>\n`;
}

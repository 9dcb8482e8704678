// Draws the app and tray icons into assets/ (run once: node scripts/make_icons.mjs).
import sharp from "sharp";

const svg = (size) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 64 64">
  <rect x="2" y="2" width="60" height="60" rx="14" fill="#1f2a37"/>
  <circle cx="32" cy="32" r="17" fill="none" stroke="#4f8df5" stroke-width="6"/>
  <circle cx="32" cy="32" r="6" fill="#9cc1ff"/>
  <rect x="44" y="14" width="8" height="8" rx="2" fill="#4ade80"/>
</svg>`;
for (const [name, size] of [["icon.png", 512], ["tray.png", 32], ["tray@2x.png", 64]]) await sharp(Buffer.from(svg(size))).png().toFile(new URL(`../assets/${name}`, import.meta.url).pathname);
console.log("wrote assets/icon.png, tray.png, tray@2x.png");

// Module resolve hook of a runner process (registered with module.register): `compox` resolves to
// the application's SDK and the packages the application ships resolve from the application's own
// node_modules, so algorithm bundles never carry their own copies.
let config = { sdkUrl: "", appUrl: "", shipped: [] };

export function initialize(data) {
  config = data;
}

function packageName(spec) {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

export async function resolve(specifier, context, nextResolve) {
  // Through the next hook (not a short circuit), so a TypeScript loader in the chain still applies.
  if (specifier === "compox") return nextResolve(config.sdkUrl, context);
  if (config.shipped.includes(packageName(specifier))) return nextResolve(specifier, { ...context, parentURL: config.appUrl });
  return nextResolve(specifier, context);
}

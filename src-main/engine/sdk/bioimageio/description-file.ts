// The names a bioimage.io description file has, in a module of its own: the deployer checks
// them at every deploy without loading the YAML reader.

/** rdf.yaml, bioimageio.yaml, or <anything>.bioimageio.yaml. */
export const isDescriptionFile = (name: string) => name === "rdf.yaml" || name === "bioimageio.yaml" || name.endsWith(".bioimageio.yaml");

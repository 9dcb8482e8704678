// Reads small arrays (alignment matrices) out of a dataset's HDF5 file in the page itself, with
// h5wasm's browser build — loaded only when one is shown, as it is a 4 MB module.
import { api } from "./api.js";

/** The values of `key` in dataset `id`, row-major, with its shape. */
export async function readValues(id: string, key: string): Promise<{ shape: number[]; values: number[] }> {
  const bytes = await api.downloadFile(id);
  const h5wasm = (await import("h5wasm")).default;
  const { FS } = await h5wasm.ready;
  const name = `${id}.h5`;
  FS.writeFile(name, bytes);
  const file = new h5wasm.File(name, "r");
  try {
    const ds = file.get(key) as { shape: number[] | null; value: ArrayLike<number | bigint> } | null;
    if (!ds) throw new Error(`no "${key}" in dataset ${id}`);
    return { shape: ds.shape ?? [], values: Array.from(ds.value as ArrayLike<number>, Number) };
  } finally {
    file.close();
    FS.unlink(name);
  }
}

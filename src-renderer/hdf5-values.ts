// Reads small arrays (alignment matrices, predictions) out of a dataset's HDF5 file, and writes
// label masks, in the page itself with h5wasm's browser build — loaded only when needed, as it is
// a 4 MB module.
import { api } from "./api.js";

/** The values of `key` in dataset `id`, row-major, with its shape (small arrays: plain numbers). */
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
    return { shape: ds.shape ?? [], values: Array.from(ds.value, Number) };
  } finally {
    file.close();
    FS.unlink(name);
  }
}

/** A new HDF5 file holding one uint8 dataset `key` of `shape` (e.g. painted labels as `mask`). */
export async function uint8Hdf5(key: string, data: Uint8Array, shape: number[]): Promise<Uint8Array<ArrayBuffer>> {
  const h5wasm = (await import("h5wasm")).default;
  const { FS } = await h5wasm.ready;
  const name = `${key}-${Date.now()}.h5`;
  const file = new h5wasm.File(name, "w");
  try {
    file.create_dataset({ name: key, data, shape, dtype: "<B" });
  } finally {
    file.close();
  }
  const bytes = FS.readFile(name) as Uint8Array<ArrayBuffer>;
  FS.unlink(name);
  return bytes;
}

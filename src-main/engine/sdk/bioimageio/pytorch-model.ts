// PyTorch weights — TorchScript, or a state dict with its network's Python file — run in a Python
// helper process (Node has no PyTorch runtime): the runner sends each tile's tensors as raw
// float32 and gets the outputs back the same way. CUDA when asked for and PyTorch sees a GPU, else
// the CPU (saying why).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import type { LoadedModel } from "./predict.js";
import type { Tensor } from "./tensor.js";

// Framing on stdin/stdout: one JSON line of shapes, then each array's float32 bytes.
const HELPER = String.raw`
import importlib.util, json, sys
import numpy as np
import torch
weights, device = sys.argv[1], sys.argv[2]
warning = None
if device == "cuda" and not torch.cuda.is_available():
    warning = "PyTorch sees no CUDA device; running on cpu. See compox doctor."
    device = "cpu"
if len(sys.argv) > 3:
    # A state dict: the network's class from its file, built with the description's kwargs.
    spec = importlib.util.spec_from_file_location("compox_bioimageio_network", sys.argv[3])
    network = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(network)
    model = getattr(network, sys.argv[4])(**json.loads(sys.argv[5]))
    model.load_state_dict(torch.load(weights, map_location=device))
    model.to(device)
else:
    model = torch.jit.load(weights, map_location=device)
model.eval()
out = sys.stdout.buffer
out.write((json.dumps({"ready": True, "device": device, "warning": warning, "torch": torch.__version__}) + "\n").encode())
out.flush()
inp = sys.stdin.buffer
def read_exactly(n):
    chunks = []
    while n > 0:
        b = inp.read(n)
        if not b:
            raise EOFError()
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)
while True:
    line = inp.readline()
    if not line:
        break
    shapes = json.loads(line)["shapes"]
    arrays = [np.frombuffer(read_exactly(4 * int(np.prod(s))), dtype="<f4").reshape(s) for s in shapes]
    with torch.no_grad():
        result = model(*[torch.from_numpy(a.copy()).to(device) for a in arrays])
    results = list(result) if isinstance(result, (tuple, list)) else [result]
    arrays = [r.detach().to("cpu").numpy().astype("<f4") for r in results]
    out.write((json.dumps({"shapes": [list(a.shape) for a in arrays]}) + "\n").encode())
    for a in arrays:
        out.write(np.ascontiguousarray(a).tobytes())
    out.flush()
`;

/** Reads from a stream: whole lines, and exact byte counts. */
class StreamReader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private ended: Error | undefined;

  constructor(stream: NodeJS.ReadableStream, what: () => string) {
    stream.on("data", (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.waiting?.();
    });
    stream.on("end", () => {
      this.ended = new Error(`the PyTorch helper ended: ${what()}`);
      this.waiting?.();
    });
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.ended) throw this.ended;
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }

  async line(): Promise<string> {
    await this.until(() => this.buffer.includes(10));
    const cut = this.buffer.indexOf(10);
    const text = this.buffer.subarray(0, cut).toString("utf8");
    this.buffer = this.buffer.subarray(cut + 1);
    return text;
  }

  /** The next `n` bytes as float32 values (copied: a Float32Array needs an aligned buffer of its own). */
  async floats(n: number): Promise<Float32Array> {
    await this.until(() => this.buffer.length >= n * 4);
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(this.buffer.subarray(0, n * 4));
    this.buffer = this.buffer.subarray(n * 4);
    return out;
  }
}

/**
 * A PyTorch helper on `weights` — a TorchScript file, or with `network` a state dict for the class
 * `callable` of that Python file — run by `python`; `warning` says why CUDA was not used when it
 * was asked for.
 */
export async function loadPytorch(weights: string, device: string, python: string, network?: { file: string; callable: string; kwargs: Record<string, unknown> }): Promise<{ model: LoadedModel; provider: string; warning?: string }> {
  const args = ["-c", HELPER, weights, device === "cuda" ? "cuda" : "cpu", ...(network ? [network.file, network.callable, JSON.stringify(network.kwargs)] : [])];
  const child: ChildProcessWithoutNullStreams = spawn(python, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const failed = new Promise<never>((_, reject) => child.once("error", (err) => reject(new Error(`cannot start ${python} for PyTorch weights: ${err.message}`))));
  const reader = new StreamReader(child.stdout, () => stderr.trim().split("\n").slice(-3).join(" | ") || `exit code ${child.exitCode}`);
  let ready: { device: string; warning: string | null; torch: string };
  try {
    ready = JSON.parse(await Promise.race([reader.line(), failed])) as typeof ready;
  } catch (err) {
    child.kill();
    const missing = /No module named '(torch|numpy)'/.exec(stderr)?.[1];
    if (missing) throw new Error(`PyTorch weights need PyTorch and NumPy in ${python} (${missing} is missing): install them there (pip install torch numpy, or apt install python3-torch) or set \`python\` to an interpreter that has them`, { cause: err });
    // Say what Python said (a network that does not build, keys that do not match the state dict).
    const said = stderr.trim().split("\n").slice(-1)[0];
    throw said ? new Error(said, { cause: err }) : err;
  }
  // One tile at a time: the helper answers in order.
  let chain: Promise<unknown> = Promise.resolve();
  const model: LoadedModel = {
    run(inputs: Tensor[]): Promise<Tensor[]> {
      const call = chain.then(async () => {
        child.stdin.write(`${JSON.stringify({ shapes: inputs.map((t) => t.shape) })}\n`);
        for (const t of inputs) child.stdin.write(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        const { shapes } = JSON.parse(await reader.line()) as { shapes: number[][] };
        const outs: Tensor[] = [];
        for (const shape of shapes) {
          outs.push({ data: await reader.floats(shape.reduce((a, b) => a * b, 1)), shape, axes: [] });
        }
        return outs;
      });
      chain = call.catch(() => undefined);
      return call;
    },
    async close() {
      child.stdin.end();
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once("exit", resolve));
    },
  };
  return { model, provider: `${ready.device}, PyTorch ${ready.torch}`, warning: ready.warning ?? undefined };
}

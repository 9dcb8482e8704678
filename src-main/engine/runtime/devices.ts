// Device resolution as Compox does it: "gpu" runs on CUDA when a CUDA device is present, else on
// the CPU with a warning; "mps" needs Apple silicon.
import { execFileSync } from "node:child_process";
import type { Device } from "../../contract/algorithm-config.js";
import type { RunnerDevice } from "../sdk/context.js";

export interface GpuInfo {
  cudaDevices: number;
}

let cached: GpuInfo | undefined;

/** Counts CUDA devices with `nvidia-smi -L` (0 when there is no driver); cached per process. */
export function detectGpus(): GpuInfo {
  if (cached) return cached;
  try {
    const out = execFileSync("nvidia-smi", ["-L"], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "ignore"] });
    cached = { cudaDevices: out.split("\n").filter((l) => l.startsWith("GPU ")).length };
  } catch {
    cached = { cudaDevices: 0 };
  }
  return cached;
}

/** The device a runner gets for a requested one, and a warning when it falls back. */
export function resolveDevice(requested: Device, gpus: GpuInfo, platform: NodeJS.Platform = process.platform, arch: string = process.arch): { device: RunnerDevice; warning?: string } {
  switch (requested) {
    case "cpu":
      return { device: "cpu" };
    case "gpu":
      return gpus.cudaDevices > 0 ? { device: "cuda" } : { device: "cpu", warning: "gpu requested but no CUDA device was found: running on cpu" };
    case "mps":
      return platform === "darwin" && arch === "arm64" ? { device: "mps" } : { device: "cpu", warning: "mps requested but this is not an Apple-silicon Mac: running on cpu" };
  }
}

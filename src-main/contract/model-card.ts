// What the window shows of an imported bioimage.io model: its description, people, license,
// citations, covers, and the result of the reproduction test it passed (or failed, when it was
// deployed with `force`).
import { z } from "zod";

/** One output's reproduction test: how many of its values missed the tolerance, and by how much at most. */
const OutputCheckSchema = z.object({
  id: z.string(),
  elements: z.number(),
  mismatched: z.number(),
  allowed: z.number(),
  max_abs_error: z.number(),
});

export const VerificationSchema = z.object({
  passed: z.boolean(),
  /** The weights the test ran (and a run uses by default). */
  weights_format: z.enum(["onnx", "torchscript", "pytorch_state_dict"]),
  tolerance: z.object({ atol: z.number(), rtol: z.number(), mismatched_per_million: z.number() }),
  outputs: z.array(OutputCheckSchema),
  /** Why it failed (a package deployed with `force`). */
  problem: z.string().nullable(),
});
export type Verification = z.infer<typeof VerificationSchema>;

export const ModelCardSchema = z.object({
  name: z.string(),
  version: z.string(),
  format_version: z.string(),
  description: z.string(),
  authors: z.array(z.string()),
  license: z.string().nullable(),
  tags: z.array(z.string()),
  cite: z.array(z.string()),
  /** The package's cover images (GET …/model-card/cover/{n} serves the n-th). */
  covers: z.array(z.string()),
  documentation: z.string().nullable(),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  verification: VerificationSchema,
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

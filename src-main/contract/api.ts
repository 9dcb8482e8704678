// Bodies and small responses of the HTTP API that are not records (SPEC section 6). The routes
// validate with these, and /openapi.json is generated from them.
import { z } from "zod";

export const ErrorBodySchema = z.object({ detail: z.string(), code: z.string(), retryable: z.boolean(), details: z.record(z.string(), z.unknown()).optional() });
export const DetailSchema = z.object({ detail: z.string() });
export const FileIdSchema = z.object({ file_id: z.string() });
export const FileIdsSchema = z.object({ file_ids: z.array(z.string()) });
export const ExecutionIdSchema = z.object({ execution_id: z.string() });
export const UrlSchema = z.object({ url: z.string() });

export const ServerInfoSchema = z.object({
  name: z.string(),
  tags: z.array(z.string()),
  group: z.string(),
  organization: z.string(),
  domain: z.string(),
  version: z.string(),
  cuda_available: z.boolean().nullable(),
  cuda_capable_devices_count: z.number().nullable(),
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

/** The physical size of one pixel along x and y, in `unit`. */
const PixelSizeSchema = z.object({ x: z.number(), y: z.number(), unit: z.string() });

export const DatasetInfoSchema = z.object({
  file_id: z.string(),
  size: z.number(),
  /** Per key: shape and dtype ("str" for text, with its `values` when short, e.g. region_names). */
  keys: z.record(
    z.string(),
    z.object({
      shape: z.array(z.number()),
      dtype: z.string(),
      values: z.array(z.string()).optional(),
      /** The physical size of a pixel of its last two axes, when the imported file stated it. */
      pixel_size: PixelSizeSchema.optional(),
    }),
  ),
  name: z.string().nullable(),
  time_created: z.string(),
  expires: z.string().nullable(),
});
export type DatasetInfoBody = z.infer<typeof DatasetInfoSchema>;

/** Query of list routes: `limit` (default 50) and `before` (an id to page from). */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  before: z.string().optional(),
});

export const RemoveResultSchema = z.object({ detail: z.string(), removed_minor_versions: z.array(z.string()) });

/** The objects of a segmentation plane (GET /files/{id}/measure). */
export const MeasurementsSchema = z.object({
  key: z.string(),
  slice: z.number(),
  objects: z.array(
    z.object({
      class: z.number(),
      object: z.number(),
      area: z.number(),
      centroid: z.tuple([z.number(), z.number()]),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      mean_intensity: z.number().optional(),
      min_intensity: z.number().optional(),
      max_intensity: z.number().optional(),
    }),
  ),
  classes: z.array(z.object({ class: z.number(), count: z.number(), area: z.number(), fraction: z.number() })),
  /** The labels' pixel size (theirs, else the intensity image's), when known: areas in unit² are area · x · y. */
  pixel_size: PixelSizeSchema.nullable(),
});
export type MeasurementsBody = z.infer<typeof MeasurementsSchema>;

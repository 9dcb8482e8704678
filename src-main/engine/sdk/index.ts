// The `compox` module that TypeScript/JavaScript algorithms import (SPEC section 3).
export { BaseRunner, StopError } from "./runners.js";
export type { Args, InputData, LoadedSample, LocalSample } from "./runners.js";
export { Image2AlignmentRunner, Image2EmbeddingRunner, Image2ImageRunner, Image2MultiRegionSegmentationRunner, Image2SegmentationRunner, Segmentation2SegmentationRunner } from "./typed-runners.js";
export type { RegionsOutput } from "./typed-runners.js";
export { AlignmentSchema, EmbeddingSchema, GenericSchema, ImageSchema, MeshSchema, MultiRegionSegmentationSchema, SegmentationSchema, VolumeSchema, ndarray } from "./schemas.js";
export type { DataSchema, NDArrayConstraints } from "./schemas.js";
export type { LogLevel, RunnerDevice, TrainingSample } from "./context.js";
export { DTYPES, TYPED_ARRAY, sizeOf, zeros } from "../../contract/ndarray.js";
export type { DatasetValue, DType, NDArray, TypedArray } from "../../contract/ndarray.js";
export { floatToHalf, halfToFloat } from "../../contract/float16.js";
export { stack, split } from "./ndarray-ops.js";
export { BioimageioRunner } from "./bioimageio/runner.js";

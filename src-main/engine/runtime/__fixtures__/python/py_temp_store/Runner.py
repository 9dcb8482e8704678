import numpy as np
from compox.algorithm_utils.BaseRunner import BaseRunner
from compox.algorithm_utils.io_schemas import DataSchema, ImageSchema


# Compox-style schemas: fields declared as annotations.
class InputSchema(DataSchema):
    image: np.ndarray


class TargetSchema(DataSchema):
    mask: np.ndarray


class SumSchema(DataSchema):
    data: np.ndarray


def reset_peak():
    # The peak (VmHWM) starts at the parent's size when the process is spawned: reset it (Linux).
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


class Runner(BaseRunner):
    def __init__(self):
        super().__init__()

    def inference(self, data, args={}):
        return []

    def train(self, training_data, args={}):
        dataset = self.get_training_dataset(training_data)
        if args.get("mode") == "big":
            return self.train_big(dataset)
        local = self.download_dataset_to_temp_store(dataset, {"input": InputSchema, "target": TargetSchema})
        loaded = self.load_dataset_from_temp_store(local)
        sums = [[[float(item["image"].sum()) for item in f["input"]] for f in s] for s in loaded]
        derived = [{"data": np.array([v])} for s in sums for f in s for v in f]
        derived_paths = self.save_training_files_to_temp_store("derived", derived, SumSchema)
        back = [float(d["data"][0]) for d in self.load_files_from_temp_store(derived_paths)]
        ids = [i for s in dataset for f in s.sample_manifest.files for i in f["input"]]
        flat = self.download_files_to_temp_store("flat", ids, ImageSchema, 2, "image")
        keys = [",".join(d) for d in self.load_files_from_temp_store(flat, True, "image")]
        if args.get("mode") == "badsave":
            self.save_training_files_to_temp_store("bad", [{"image": np.zeros((2, 2, 2, 2))}], ImageSchema)
        self.set_state({
            "local": [[{k: [str(p) for p in v] for k, v in f.items()} for f in s] for s in local],
            "sums": sums,
            "derived": [str(p) for p in derived_paths],
            "back": back,
            "flat": [str(p) for p in flat],
            "keys": keys,
            "sample_ids": [s.sample_id for s in dataset],
        })
        self.save_checkpoint({"files/model.json": b"{}"}, {"stage": self.get_state()["keys"][0]})

    def train_big(self, dataset):
        self.fetch_data(dataset[0]["files"][0]["input"], InputSchema)  # warm-up: h5py's first read
        reset_peak()
        before = peak_mb()
        local = self.download_dataset_to_temp_store(dataset, {"input": InputSchema, "target": TargetSchema})
        pixels = foreground = 0
        for i, sample in enumerate(local):
            (files,) = self.load_dataset_from_temp_store([sample])
            for f in files:
                pixels += int(f["input"][0]["image"].size)
                foreground += int(f["target"][0]["mask"].sum())
            self.set_progress((i + 1) / len(local))
        self.set_state({"samples": len(local), "pixels": pixels, "foreground": foreground, "growthMb": peak_mb() - before})
        self.save_checkpoint({"files/model.json": b"{}"}, {})

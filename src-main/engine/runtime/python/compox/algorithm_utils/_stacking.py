"""What the typed runners share: Compox's `fetch_data(ids, *keys)` / `post_data(items)` with the
type's schemas, and a default preprocess that stacks the inputs on axis 0."""
import numpy as np

from .BaseRunner import BaseRunner
from .io_schemas import DataSchema


class TypedRunner(BaseRunner):
    input_schema = None
    input_key = "image"
    output_schema = None

    def fetch_data(self, file_ids, *keys, parallel=False):
        """Reads datasets validated by the type's input schema; `keys` limits what is read."""
        schema = self.input_schema
        if keys and isinstance(keys[0], type) and issubclass(keys[0], DataSchema):
            schema, keys = keys[0], keys[1:]  # Compox Desktop 1.x: fetch_data(ids, schema, *keys)
        elif keys and keys[0] is None:
            keys = keys[1:]
        return self.task_handler.fetch_data(file_ids, schema, *keys, parallel=parallel)

    def post_data(self, data, parallel=False):
        """Validates items with the type's output schema and writes them; returns their ids."""
        schema = self.output_schema
        if isinstance(parallel, type) and issubclass(parallel, DataSchema):
            schema, parallel = parallel, False  # Compox Desktop 1.x: post_data(items, schema)
        return self.task_handler.post_data(data, schema, parallel)

    def _fetch_stack(self, input_data):
        images = [item[self.input_key] for item in self.fetch_data(input_data["input_dataset_ids"], self.input_key)]
        if not images:
            raise ValueError("no input datasets: input_dataset_ids is empty")
        first = np.asarray(images[0])
        for n, a in enumerate(images):
            a = np.asarray(a)
            if a.shape != first.shape or a.dtype != first.dtype:
                raise ValueError(f"input {n + 1} is {a.dtype} {list(a.shape)} but input 1 is {first.dtype} {list(first.shape)}; the default preprocess stacks the inputs, so all must share dtype and shape")
        return np.stack(images, axis=0)

    def preprocess(self, input_data, args=None):
        """Fetches the inputs and stacks them on axis 0, remembering their count and shape for postprocess."""
        data = self._fetch_stack(input_data)
        self._input_images_count = data.shape[0]
        self._input_images_shape = data.shape
        return data

    def inference(self, data, args=None):
        raise NotImplementedError("The inference method is not implemented. Please implement the inference method in the algorithm Runner class.")

    def _split(self, data, key):
        """Posts one item per input from an array whose first axis has one entry per input."""
        assert isinstance(data, np.ndarray), "Data is not a numpy array, please make sure that the inference method returns a numpy array."
        count = self._input_images_count
        if data.ndim == 0 or data.shape[0] != count:
            raise ValueError(f"The first dimension of the numpy array output by the inference method is {data.shape[0] if data.ndim else 0}, but the number of input images is {count}. Please make sure that the inference method returns a numpy array with the same number of images as the input.")
        return self.post_data([{key: data[i]} for i in range(count)])

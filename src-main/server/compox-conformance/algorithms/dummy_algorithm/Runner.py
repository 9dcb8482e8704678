from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner


class Runner(Image2ImageRunner):
    def preprocess(self, input_data, args=None):
        return self.fetch_data(input_data["input_dataset_ids"], "image")

    def inference(self, data, args=None):
        return data

    def postprocess(self, data, args=None):
        return self.post_data(data)

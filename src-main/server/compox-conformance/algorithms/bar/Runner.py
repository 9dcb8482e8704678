from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner


class Runner(Image2ImageRunner):
    def inference(self, data, args=None):
        self.log_message("This is Bar!")
        return data

from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner
from denoising_utils.tv import denoise_stack


class Runner(Image2ImageRunner):
    def __init__(self, task_handler, device="cpu"):
        super().__init__(task_handler, device)

    def inference(self, data, args={}):
        self.log_message(f"denoising {data.shape[0]} image(s)")
        result = denoise_stack(data, float(args.get("denoising_weight", 0.1)))
        self.set_progress(1.0)
        return result

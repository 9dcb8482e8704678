from compox.algorithm_utils.Image2MultiRegionSegmentationRunner import Image2MultiRegionSegmentationRunner


class Runner(Image2MultiRegionSegmentationRunner):
    def inference(self, data, args=None):
        out = []
        for image in data:
            dark = image < args["low"]
            bright = image >= args["high"]
            out.append({"region_names": ["dark", "middle", "bright"], "region_masks": [dark, ~dark & ~bright, bright]})
        return out

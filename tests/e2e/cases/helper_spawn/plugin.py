import helper


def run(marker_dir):
    helper.spawn(marker_dir)

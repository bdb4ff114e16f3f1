import rawclone


def run(marker_dir):
    rawclone.clone_process(marker_dir + "/plugin_child")

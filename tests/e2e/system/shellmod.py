import os


def spawn(markers):
    os.system("touch %s/shellmod_ran" % markers)

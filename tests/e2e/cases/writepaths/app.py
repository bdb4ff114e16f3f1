# The trusted application: makes the plugin's area (a cache directory in
# it), then lets the plugin try; records, for each attempt, whether it was
# refused (refused_NAME) or returned (escaped_NAME).
import os
import shutil
import sys

marker_dir, scenario = sys.argv[1], sys.argv[2]
area = os.path.join(marker_dir, "area")


def fresh_area():
    with open(os.path.join(area, "existing.txt"), "w") as f:
        f.write("original\n")
    os.chmod(os.path.join(area, "existing.txt"), 0o644)


fresh_area()
import plugin  # noqa: E402

os.system("touch %s/main_ran" % marker_dir)
if scenario == "inside":
    plugin.inside(area)
    # The application writes where it likes.
    with open(os.path.join(area, "app_wrote.txt"), "w") as f:
        f.write("ok\n")
    open(os.path.join(marker_dir, "inside_ran"), "w").close()
elif scenario == "outside":
    for attempt in plugin.OUTSIDE:
        try:
            attempt(area)
            result = "escaped_"
        except PermissionError:
            result = "refused_"
        open(os.path.join(marker_dir, result + attempt.__name__), "w").close()
        with open(os.path.join(area, "existing.txt")) as f:
            if f.read() != "original\n":
                open(os.path.join(marker_dir, "changed_by_" + attempt.__name__), "w").close()
        for name in ("planted.txt", "dotdot.txt", "moved_out.txt", "newdir"):
            if os.path.lexists(os.path.join(area, name)):
                open(os.path.join(marker_dir, "made_by_" + attempt.__name__), "w").close()
        shutil.rmtree(os.path.join(area, "newdir"), ignore_errors=True)
        for name in ("planted.txt", "dotdot.txt", "moved_out.txt"):
            if os.path.lexists(os.path.join(area, name)):
                os.unlink(os.path.join(area, name))
        if not os.path.exists(os.path.join(area, "existing.txt")):
            open(os.path.join(marker_dir, "removed_by_" + attempt.__name__), "w").close()
        fresh_area()
elif scenario == "kill":
    plugin.open_outside(area)
    open(os.path.join(marker_dir, "escaped_open_outside"), "w").close()
elif scenario == "xattr":
    plugin.xattr_out(area)
    open(os.path.join(marker_dir, "escaped_xattr_out"), "w").close()
print("app: done")

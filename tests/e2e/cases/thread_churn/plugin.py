# Never imported: it only makes every syscall of the program worth a walk.

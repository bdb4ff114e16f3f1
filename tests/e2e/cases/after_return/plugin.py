def compute():
    return sum(i * i for i in range(1000))

import json
import os
import threading


def work(path):
    data = {"numbers": list(range(100)), "nested": {"a": [1, 2, 3]}}
    text = json.dumps(data)
    assert json.loads(text) == data
    with open(path, "w") as f:
        f.write(text)
    with open(path) as f:
        assert json.load(f) == data
    os.listdir(os.path.dirname(path))
    results = []

    def job(i):
        results.append(sum(range(i * 1000)))

    threads = [threading.Thread(target=job, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        raise ValueError("expected")
    except ValueError:
        pass
    return len(results)

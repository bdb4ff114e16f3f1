# Never imported: see walk-everything.yaml.

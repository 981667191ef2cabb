#!/usr/bin/python3
"""metric_names.py - checks the PromQL in Grafana dashboards and Prometheus
rule files against metrics scraped from live neuromesh processes.

usage: metric_names.py exprs-rules OUT.yml FILES...   writes every expression
           as a recording rule (for `promtool check rules`: PromQL syntax)
       metric_names.py check SCRAPED.txt FILES...     fails when an expression
           names a metric no scraped sample has (prints each, with its file)

FILES are dashboards (*.json: every "expr" at any depth) and rule files
(*.yml: groups[].rules[].expr). Metric names are the identifiers starting
neuromesh_ or process_ (every family our binaries export has one of these
prefixes); `up` is made by Prometheus itself and is not looked for.
"""
import json
import re
import sys

import yaml

NAME = re.compile(r"\b((?:neuromesh|process)_[A-Za-z0-9_]+)\b")


def exprs_of(path):
    if path.endswith(".json"):
        out = []

        def walk(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "expr" and isinstance(v, str):
                        out.append(v)
                    else:
                        walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        with open(path) as f:
            walk(json.load(f))
        return out
    with open(path) as f:
        doc = yaml.safe_load(f)
    return [r["expr"] for g in doc["groups"] for r in g["rules"]]


def scraped_names(path):
    names = set()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def main(argv):
    if len(argv) < 4 or argv[1] not in ("exprs-rules", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    files = argv[3:]
    if argv[1] == "exprs-rules":
        rules = []
        for path in files:
            for i, e in enumerate(exprs_of(path)):
                rules.append({"record": "check:expr_%d" % len(rules), "expr": e})
        with open(argv[2], "w") as f:
            yaml.safe_dump({"groups": [{"name": "exprs", "rules": rules}]}, f)
        print("%d expressions" % len(rules))
        return 0
    have = scraped_names(argv[2])
    missing = 0
    count = 0
    for path in files:
        exprs = exprs_of(path)
        if not exprs:
            print("%s: no expressions found" % path)
            missing += 1
        for e in exprs:
            for name in NAME.findall(e):
                count += 1
                if name not in have:
                    print("%s: %s is not exported (in: %s)" % (path, name, e.strip()))
                    missing += 1
    print("%d metric references checked, %d not exported" % (count, missing))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

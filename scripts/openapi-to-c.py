#!/usr/bin/python3
"""openapi-to-c.py - compiles api/openapi.yaml into a C string of its JSON
(served at GET /openapi.json): openapi-to-c.py IN.yaml OUT.c"""
import json
import sys

import yaml

with open(sys.argv[1]) as f:
    doc = yaml.safe_load(f)
text = json.dumps(doc, separators=(",", ":"), ensure_ascii=True)
with open(sys.argv[2], "w") as out:
    out.write("/* generated from %s by scripts/openapi-to-c.py: do not edit */\n" % sys.argv[1])
    out.write("const char nm_api_openapi_json[] =\n")
    for i in range(0, len(text), 80):
        out.write("    %s\n" % json.dumps(text[i:i + 80]))
    out.write("    ;\n")

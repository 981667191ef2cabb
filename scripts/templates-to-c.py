#!/usr/bin/python3
"""templates-to-c.py - compiles the project templates of sdk/templates (the
files `neuromesh new` writes) into C data: templates-to-c.py DIR OUT.c.
Each file becomes {dir, path, mode, text}; cookiecutter.json stays out
(cookiecutter reads it, `neuromesh new` takes NAME and --subnet)."""
import json
import os
import sys

root, out_path = sys.argv[1], sys.argv[2]
rows = []
for d in sorted(os.listdir(root)):
    for base, dirs, files in sorted(os.walk(os.path.join(root, d))):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(base, name)
            rel = os.path.relpath(full, os.path.join(root, d))
            if rel == "cookiecutter.json":
                continue
            with open(full, encoding="utf-8") as f:
                text = f.read()
            mode = 0o755 if os.access(full, os.X_OK) or name.endswith(".sh") else 0o644
            rows.append((d, rel, mode, text))
with open(out_path, "w") as out:
    out.write("/* generated from %s by scripts/templates-to-c.py: do not edit */\n" % root)
    out.write('#include "console/cli/new_cmd.h"\n\n')
    out.write("const struct nm_template_file nm_template_files[] = {\n")
    for d, rel, mode, text in rows:
        out.write("    {.dir = %s,\n     .path = %s,\n     .mode = 0%o,\n     .text =\n"
                  % (json.dumps(d), json.dumps(rel), mode))
        for i in range(0, len(text), 72):
            out.write("         %s\n" % json.dumps(text[i:i + 72]))
        out.write("    },\n")
    out.write("};\nconst size_t nm_template_file_count = %d;\n" % len(rows))

#!/usr/bin/env python3
"""check_openapi.py FILE — docs/openapi.yaml must parse as YAML, be an
OpenAPI 3 document whose every path has at least one operation with
responses, and stay ASCII (the server embeds it as a C string)."""
import sys

import yaml

path = sys.argv[1]
raw = open(path, 'rb').read()
try:
    raw.decode('ascii')
except UnicodeDecodeError as e:
    line = raw[:e.start].count(b'\n') + 1
    sys.exit(f'{path}:{line}: error: non-ASCII byte')
try:
    doc = yaml.safe_load(raw)
except yaml.YAMLError as e:
    mark = getattr(e, 'problem_mark', None)
    where = f'{mark.line + 1}:{mark.column + 1}' if mark else '1:1'
    sys.exit(f'{path}:{where}: error: {getattr(e, "problem", e)}')
if not isinstance(doc, dict) or not str(doc.get('openapi', '')).startswith('3.'):
    sys.exit(f'{path}:1:1: error: not an OpenAPI 3 document')
ops = {'get', 'put', 'post', 'delete', 'patch', 'head', 'options'}
bad = 0
for p, item in (doc.get('paths') or {}).items():
    found = [m for m in (item or {}) if m in ops]
    if not found:
        print(f'{path}: error: path {p} has no operation', file=sys.stderr)
        bad += 1
    for m in found:
        if not (item[m] or {}).get('responses'):
            print(f'{path}: error: {m.upper()} {p} has no responses', file=sys.stderr)
            bad += 1
print(f'{len(doc.get("paths") or {})} paths checked')
sys.exit(1 if bad else 0)

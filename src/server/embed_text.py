#!/usr/bin/env python3
"""embed_text.py OUTPUT.c SYMBOL INPUT — embed a text file as a C char array
(a byte initialiser list: ISO C limits string literals to 4095 characters)."""
import sys

out, sym, src = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, 'rb').read() + b'\0'
rows = ['\t' + ', '.join(str(b) for b in data[i:i + 16]) + ','
        for i in range(0, len(data), 16)]
with open(out, 'w') as f:
    f.write('/* generated from %s by embed_text.py */\n' % src.split('/')[-1])
    f.write('extern const char %s[];\nconst char %s[] = {\n%s\n};\n' % (sym, sym, '\n'.join(rows)))

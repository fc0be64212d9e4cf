#!/usr/bin/env python3
"""Sum Meson test logs (testlog.json, one JSON object per line) into the plain
closing line CI reads: "N passed, N failed" (", N skipped" when any).

A Criterion executable counts as one Meson test; we report the individual
Criterion tests where its output carries the "Synthesis:" line, so the
count reflects real test cases.  Exit status 1 when anything failed or a log
is missing."""
import json
import re
import sys

SYNTH = re.compile(r'Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)')


def main(paths):
    passed = failed = skipped = 0
    missing = False
    for path in paths:
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                lines = [ln for ln in f if ln.strip()]
        except OSError:
            print(f'test_summary: {path} is missing (a build or test step failed)')
            missing = True
            continue
        for ln in lines:
            t = json.loads(ln)
            result = t.get('result', '')
            out = (t.get('stdout') or '') + (t.get('stderr') or '')
            m = SYNTH.findall(out)
            if result == 'SKIP' or result == 'SKIPPED':
                skipped += 1
                continue
            if m:
                tested, ok, fail, crash = (int(x) for x in m[-1])
                passed += ok
                failed += fail + crash
                if result not in ('OK', 'EXPECTEDFAIL') and fail + crash == 0:
                    failed += 1  # the executable failed outside Criterion's count
            elif result in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            else:
                failed += 1
                print(f'test_summary: FAILED {t.get("name")} ({path})')
    if missing:
        failed += 1
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

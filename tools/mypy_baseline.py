"""Type-check with mypy against a baseline that may only shrink.

The baseline (tools/mypy-baseline.txt) lists today's known errors as ``path: [code] message`` without line numbers,
so moving code does not break it. ``make lint`` fails when an error appears that the baseline does not hold; when
errors are fixed it says so, and ``python tools/mypy_baseline.py --update`` rewrites the baseline (commit it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tools" / "mypy-baseline.txt"
LINE = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<msg>.*?)\s+\[(?P<code>[\w-]+)\]$")


def current_errors() -> Counter:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"], cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode not in (0, 1):
        sys.exit(f"mypy failed to run:\n{out.stderr or out.stdout}")
    found = Counter()
    for line in out.stdout.splitlines():
        m = LINE.match(line.strip())
        if m:
            found[f"{m['path']}: [{m['code']}] {m['msg']}"] += 1
    return found


def main(argv: list[str]) -> int:
    found = current_errors()
    if "--update" in argv:
        BASELINE.write_text("".join(f"{k}\n" * n for k, n in sorted(found.items())))
        print(f"mypy baseline rewritten: {sum(found.values())} known error(s)")
        return 0
    known = Counter(BASELINE.read_text().splitlines()) if BASELINE.exists() else Counter()
    new = found - known
    fixed = known - found
    print(f"mypy: {sum(found.values())} error(s), baseline {sum(known.values())}")
    if new:
        print("new type errors (fix them; the baseline only shrinks):")
        for k, n in sorted(new.items()):
            print(f"  {k}" + (f"  (x{n})" if n > 1 else ""))
        return 1
    if fixed:
        print(f"{sum(fixed.values())} baseline error(s) fixed: run `python tools/mypy_baseline.py --update` and commit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""pip-audit for CI: a known vulnerability fails the build; an unreachable advisory database only warns.

    python scripts/audit.py        (run by scripts/test after the linters)

pip-audit exits non-zero both when it finds a vulnerability and when it cannot reach the
advisory service; its JSON report tells the two apart: written with findings → fail, not
written (no network) → a warning on stderr, exit 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT_S = 300


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--skip-editable",
                   "--format", "json", "--output", str(report)]  # fmt: skip
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            print(
                f"WARNING: pip-audit did not answer within {TIMEOUT_S} s: dependencies NOT audited",
                file=sys.stderr,
            )
            return 0
        found = json.loads(report.read_text()) if report.exists() and report.stat().st_size else None
    if found is None:
        tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
        print(
            f"WARNING: pip-audit could not run ({tail[0][:200]}): dependencies NOT audited", file=sys.stderr
        )
        return 0
    vulnerable = [d for d in found.get("dependencies", []) if d.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(v["id"] + (f" (fixed in {', '.join(v['fix_versions'])})" if v.get("fix_versions") else "")
                        for v in dep["vulns"])  # fmt: skip
        print(f"VULNERABLE: {dep['name']} {dep['version']}: {ids}", file=sys.stderr)
    print(
        f"pip-audit: {len(found.get('dependencies', []))} packages, {len(vulnerable)} with known vulnerabilities"
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())

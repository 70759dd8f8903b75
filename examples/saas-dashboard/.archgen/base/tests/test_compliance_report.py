"""Every reference in COMPLIANCE_REPORT.md resolves: anchors to their lines, tests to tests."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "COMPLIANCE_REPORT.md"
ROW = re.compile(r"^\| [^|]+ \| `([\w.-]+)`: [^|]+ \| ([^|]+) \| ([^|]+) \|$")


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in REPORT.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows.append((m.group(1), m.group(2).strip(), m.group(3).strip()))
    return rows


def test_report_references_resolve() -> None:
    rows = _rows()
    assert rows, "the report lists no controls"
    for control, where, proof in rows:
        m = re.fullmatch(r"`([\w./-]+):(\d+)`", where)
        if m:
            lines = (ROOT / m.group(1)).read_text(encoding="utf-8").splitlines()
            line = lines[int(m.group(2)) - 1]
            assert f"archgen:control {control}" in line, (control, where, line)
        else:
            assert "to do" in where
        m = re.fullmatch(r"`(tests/[\w/]+\.py)::(test_\w+)`", proof)
        if m:
            source = (ROOT / m.group(1)).read_text(encoding="utf-8")
            assert re.search(rf"^def {m.group(2)}\(", source, flags=re.M), (control, proof)
        else:
            assert "to do" in proof

"""Open views drawn by `archgen diagram` in Debian's headless Chromium and
measure them as the browser draws them.

Usage: python views_test.py MANIFEST.json SCREENSHOT_DIR

MANIFEST.json lists the views to open: [{"name", "svg", "bounds"}], where
`svg` is the drawing's path and `bounds` is [x0, y0, x1, y1], the view's
extent computed from the exchange file itself (every node's x, y, w, h and
every bendpoint), not from the drawing. For each view, in the browser:

- the drawing's extent (the union of the node boxes' outlines and the
  connections' lines, as Chromium lays them out) is the view's bounds,
  within 1 px;
- nothing drawn (labels included) lies outside the SVG's viewBox, and the
  SVG is drawn 1:1 (its width and height are the viewBox's);
- no label overflows its box: every `<text>` line of a node lies inside the
  node's outline (1 px tolerance), measured with the fonts Chromium uses;
- a screenshot of the whole view goes to SCREENSHOT_DIR/view-<name>.png.

Prints one line per view and a last line `N views checked`; exits 0 when
all of it holds, 1 with every failure listed otherwise.
"""

import json
import sys
from pathlib import Path

from harness import chromium

# Largest screenshot side, in CSS pixels (a huge view is scaled down).
MAX_SHOT = 4000
TOLERANCE = 1.0

MEASURE = """
const svg = document.documentElement;
const view = svg.querySelector('g.view');
const box = (r) => [r.x, r.y, r.x + r.width, r.y + r.height];
const union = (a, b) => a === null ? b : b === null ? a :
  [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
let extent = null, drawn = null;
const overflows = [];
let labels = 0;
for (const n of view.querySelectorAll(':scope > .node')) {
  let outline = null;
  for (const c of n.children) {
    if (c.tagName === 'title' || c.tagName === 'text') continue;
    outline = union(outline, box(c.getBBox()));
  }
  extent = union(extent, outline);
  drawn = union(drawn, box(n.getBBox()));
  for (const t of n.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    labels += 1;
    const r = box(t.getBBox());
    const out = Math.max(outline[0] - r[0], outline[1] - r[1], r[2] - outline[2], r[3] - outline[3]);
    if (out > arguments[0]) {
      overflows.push(`${n.dataset.id}: "${t.textContent}" passes its box by ${out.toFixed(1)} px`);
    }
  }
}
for (const c of view.querySelectorAll(':scope > .connection')) {
  const line = c.querySelector('path');
  if (line) extent = union(extent, box(line.getBBox()));
  drawn = union(drawn, box(c.getBBox()));
}
const vb = svg.viewBox.baseVal;
return {
  extent, drawn, labels, overflows,
  viewBox: [vb.x, vb.y, vb.x + vb.width, vb.y + vb.height],
  size: [svg.width.baseVal.value, svg.height.baseVal.value],
  nodes: view.querySelectorAll(':scope > .node').length,
};
"""


def main() -> int:
    views = json.loads(Path(sys.argv[1]).read_text())
    shots = Path(sys.argv[2])
    shots.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with chromium(shots, "--allow-file-access-from-files") as driver:
        for v in views:
            name, bounds = v["name"], v["bounds"]
            driver.get(Path(v["svg"]).resolve().as_uri())
            m = driver.execute_script(MEASURE, TOLERANCE)
            bad = []
            ext = m["extent"]
            if ext is None or any(abs(a - b) > TOLERANCE for a, b in zip(ext, bounds)):
                bad.append(f"extent {ext} is not the view's bounds {bounds}")
            vb, drawn = m["viewBox"], m["drawn"]
            if drawn is not None and (drawn[0] < vb[0] - TOLERANCE or drawn[1] < vb[1] - TOLERANCE
                                      or drawn[2] > vb[2] + TOLERANCE or drawn[3] > vb[3] + TOLERANCE):
                bad.append(f"drawn {drawn} passes the viewBox {vb}")
            if abs(m["size"][0] - (vb[2] - vb[0])) > 0.01 or abs(m["size"][1] - (vb[3] - vb[1])) > 0.01:
                bad.append(f"size {m['size']} is not the viewBox's {vb}")
            bad += m["overflows"]
            # The whole view, 1:1 (scaled down past MAX_SHOT).
            w, h = vb[2] - vb[0], vb[3] - vb[1]
            scale = min(1.0, MAX_SHOT / max(w, h))
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": max(1, round(w * scale)), "height": max(1, round(h * scale)),
                "deviceScaleFactor": 1, "mobile": False,
            })
            driver.execute_script(
                "const s = document.documentElement;"
                "s.setAttribute('width', arguments[0]); s.setAttribute('height', arguments[1]);",
                w * scale, h * scale)
            shot = shots / f"view-{name}.png"
            driver.save_screenshot(str(shot))
            verdict = "ok" if not bad else "FAILED"
            print(f"view {name}: {m['nodes']} boxes, {m['labels']} label lines, "
                  f"extent {[round(x, 1) for x in ext or []]} = bounds {bounds}, {w:.0f} x {h:.0f} px: {verdict} ({shot.name})")
            failures += [f"{name}: {b}" for b in bad]
    if failures:
        print("\n".join(failures))
        return 1
    print(f"{len(views)} views checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())

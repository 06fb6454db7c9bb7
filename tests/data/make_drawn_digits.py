"""Generate the project's own drawn-digit evaluation sets (tests/data/drawn_digits*.json).

Every digit is built from a hand-designed style template (``drawn_styles.py``,
``drawn_intl_styles.py``: control points, lines and elliptic arcs in a "digit
box": x right, y down, the box 1 tall and 1 wide before the aspect ratio is
applied), then varied here the way people vary when they draw with a mouse:

* template proportions: each style draws its own random parameters (where the
  middle of a 3 sits, how big the loop of a 6 is, how far a closure misses or
  overshoots, where a flag starts ...);
* a smooth random warp of the whole box (low-frequency sinusoids);
* stroke ends trimmed or extended a little (undershoot / overshoot);
* aspect (narrow .. wide), slant by shear, a small rotation, size (35% .. 90%
  of the canvas height) and position (centred or anywhere on the canvas);
* a smooth low-frequency wobble and a faster small tremor along each stroke;
* mouse sampling: points about 1..8 px apart on a 280 px canvas, slower (denser) at
  the start and end of a stroke and in sharp turns, with irregular spacing,
  then quantised to the integer pixels of a randomly sized drawing widget and
  jittered slightly.

Nothing here reads MNIST, a font or a model: the sets are an independent test of
what the app sees when people draw. The numbers are fixed (seed, counts), so the
output is reproducible bit for bit with the same numpy version.

Usage (from the repository root; the contact sheets need Pillow):

    python tests/data/make_drawn_digits.py --out tests/data/drawn_digits.json
    python tests/data/make_drawn_digits.py --out tests/data/drawn_digits.json \\
        --sheet docs/drawn_digits_sample.png
    python tests/data/make_drawn_digits.py --hard --out tests/data/drawn_digits_hard.json
    python tests/data/make_drawn_digits.py --international \\
        --out tests/data/drawn_digits_intl.json \\
        --sheet docs/drawn_digits_intl_sample.png --sheet-per-class 6
    python tests/data/make_drawn_digits.py --holdout --out tests/data/drawn_digits_holdout.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for _p in (ROOT, HERE):  # the app's package and the style modules next to this file
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from drawn_geometry import _u  # noqa: E402
from drawn_intl_styles import INTL_STYLES  # noqa: E402
from drawn_sheets import contact_sheet, style_sheet  # noqa: E402
from drawn_styles import STYLES  # noqa: E402
from lenet_gui.core.strokes import CANVAS_SIZE, Drawing, Stroke, save_drawings  # noqa: E402

SEED = 20240611
GENERATOR = "tests/data/make_drawn_digits.py v1"
PX = 1.0 / CANVAS_SIZE  # one canvas pixel in unit-box coordinates

# Variation ranges (documented in tests/data/README.md).
HEIGHT_RANGE = (0.35, 0.90)       # digit height as a fraction of the canvas side
SLANT_RANGE = (-20.0, 25.0)       # degrees, positive leans right (top to the right)
SLANT_MEAN, SLANT_SD = 5.0, 11.0  # normal, clipped to SLANT_RANGE
ROTATION_SD = 3.0                 # degrees, clipped to +-7
ASPECT_SD = 0.16                  # log-normal factor on the style's aspect ...
ASPECT_CLIP = (0.70, 1.40)        # ... clipped to this range
MARGIN = 0.05                     # the digit is placed inside [MARGIN + 0.01, 1 - MARGIN - 0.01]
CENTRED_FRACTION = 0.5            # the rest are placed anywhere that fits
WARP_AMP = 0.035                  # box units, smooth warp of the template
END_RANGE = (-0.035, 0.045)       # box units, trim (<0) / extend (>0) per stroke end
WOBBLE_AMP = (0.5, 2.0)           # px, slow wobble (wavelength 70..220 px)
WOBBLE_WAVE = (70, 220)
TREMOR_AMP = (0.0, 0.6)           # px, fast tremor (wavelength 8..20 px)
TREMOR_WAVE = (8, 20)
MIN_STEP = 0.75                   # px, closer points are dropped (the mouse did not move)
SPEED_RANGE = (2.5, 6.0)          # px between mouse events at cruising speed
SPACING_CLIP = (1.0, 8.0)         # px, spacing of consecutive points
WIDGET_SIDES = (280, 300, 360, 420, 480, 560)  # px, the widget the mouse moved in
JITTER_SD = (0.0, 0.35)           # px, extra point jitter
SLOPPINESS_SD = 0.35              # log-normal factor on warp and wobble ...
SLOPPINESS_CLIP = (0.5, 1.8)      # ... clipped to this range (careful .. shaky hands)
CLIP = (0.02, 0.98)               # final safety clip (never reached with these ranges)
ROTATION_CLIP = 7.0               # degrees

# --hard: the same templates drawn the way a hurried user draws: much more slant
# and rotation, tiny and huge digits, wider and narrower shapes, shakier hands.
HARD = {
    "HEIGHT_RANGE": (0.30, 0.95),
    "SLANT_RANGE": (-30.0, 38.0),
    "SLANT_MEAN": 8.0, "SLANT_SD": 15.0,
    "ROTATION_SD": 6.0, "ROTATION_CLIP": 15.0,
    "ASPECT_SD": 0.25, "ASPECT_CLIP": (0.6, 1.6),
    "WARP_AMP": 0.05,
    "SLOPPINESS_SD": 0.45, "SLOPPINESS_CLIP": (0.7, 2.4),
    "CENTRED_FRACTION": 0.3,
}
HARD_SEED = 20241125
NORMAL = {k: globals()[k] for k in HARD}  # the default ranges, to switch back from HARD

# --international: the styles of drawn_intl_styles.py, each --per-style times, normal ranges.
INTL_SEED = 20250314
INTL_PER_STYLE = 50
# --holdout: never used to select or tune anything (tests/data/README.md). Per class
# 15 digits with the normal ranges and 15 with the hard ones (the normal/hard style
# mix), plus 20 of every international style; each part has its own seed.
HOLDOUT_SEED = 20250521
HOLDOUT_PARTS = (("normal", 15), ("hard", 15), ("intl", 20))


# ----------------------------------------------------------------------------
# Per-sample variation

def arclen(poly: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(poly, axis=0), axis=1))])


def resample(poly: np.ndarray, positions: np.ndarray) -> np.ndarray:
    s = arclen(poly)
    return np.column_stack([np.interp(positions, s, poly[:, 0]), np.interp(positions, s, poly[:, 1])])


def adjust_ends(r, poly: np.ndarray) -> np.ndarray:
    """Trim or extend both ends a little (the pen stops early or runs on)."""
    for _ in range(2):
        e = _u(r, *END_RANGE)
        s = arclen(poly)
        if e < 0 and s[-1] > 4 * -e:
            poly = resample(poly, np.linspace(0.0, s[-1] + e, len(poly)))
        elif e > 0:
            back = resample(poly, np.array([max(0.0, s[-1] - 0.04), s[-1]]))
            d = back[1] - back[0]
            nd = np.linalg.norm(d)
            if nd > 1e-9:
                ext = poly[-1] + d / nd * e * np.linspace(0, 1, 6)[1:, None]
                poly = np.vstack([poly, ext])
        poly = poly[::-1]
    return poly


def warp(r, strokes, amount: float = 1.0):
    """Smooth random displacement of the box (changes proportions a little)."""
    comps = []
    for _ in range(2):
        k = r.normal(0, 1, 2)
        k = k / max(np.linalg.norm(k), 1e-9) * _u(r, 1.5, 4.0)
        comps.append((k, _u(r, 0, 2 * np.pi), r.normal(0, amount * WARP_AMP / 1.5, 2)))

    def f(p):
        d = np.zeros_like(p)
        for k, ph, amp in comps:
            d += np.sin(p @ k + ph)[:, None] * amp
        return p + d
    return [f(s) for s in strokes]


def wobble(r, poly: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """Slow wobble plus fast tremor along the stroke (canvas units)."""
    s = arclen(poly)
    if s[-1] <= 0:
        return poly
    step = 0.5 * PX
    n = max(2, int(s[-1] / step) + 1)
    pos = np.linspace(0, s[-1], n)
    dense = resample(poly, pos)
    d = np.zeros_like(dense)
    slow = amount * _u(r, *WOBBLE_AMP) * PX
    fast = amount * _u(r, *TREMOR_AMP) * PX
    for amp, (lo, hi), comps in ((slow, WOBBLE_WAVE, 2), (fast, TREMOR_WAVE, 2)):
        for _ in range(comps):
            lam = _u(r, lo, hi) * PX
            ph = r.uniform(0, 2 * np.pi, 2)
            d += amp / np.sqrt(comps) * np.sin(2 * np.pi * pos[:, None] / lam + ph)
    # Anchor the start: the wobble builds up once the hand is moving.
    d *= np.clip(pos / (8 * PX), 0, 1)[:, None]
    return dense + d


def mouse_sample(r, dense: np.ndarray, speed: float) -> np.ndarray:
    """Pick the points a mouse would report: irregular spacing, slower at the ends
    and in sharp turns."""
    s = arclen(dense)
    total = s[-1]
    if total < 1.5 * PX:
        return dense[[0, -1]]
    # turning angle over a ~6 px window
    w = max(1, int(3 * PX / (0.5 * PX)))
    idx = np.arange(len(dense))
    a = dense[np.clip(idx - w, 0, len(dense) - 1)]
    b = dense[np.clip(idx + w, 0, len(dense) - 1)]
    v1 = dense - a
    v2 = b - dense
    n1 = np.linalg.norm(v1, axis=1) + 1e-12
    n2 = np.linalg.norm(v2, axis=1) + 1e-12
    cosang = np.clip((v1 * v2).sum(axis=1) / (n1 * n2), -1, 1)
    turn = np.arccos(cosang)
    turn[(n1 < 1e-9) | (n2 < 1e-9)] = 0.0
    out = [0.0]
    pos = 0.0
    while True:
        u = pos / total
        prof = 0.35 + 0.65 * np.sin(np.pi * u) ** 0.6
        tk = float(np.interp(pos, s, turn))
        gap = speed * prof / (1.0 + 2.5 * tk) * float(np.exp(r.normal(0, 0.35)))
        gap = float(np.clip(gap, *SPACING_CLIP)) * PX
        pos += gap
        if pos >= total - 0.5 * PX:
            break
        out.append(pos)
    out.append(total)
    return resample(dense, np.array(out))


def thin(p: np.ndarray) -> np.ndarray:
    """Drop points closer than MIN_STEP px to the previous one (keeping the last)."""
    keep = [0]
    for i in range(1, len(p)):
        if np.linalg.norm(p[i] - p[keep[-1]]) >= MIN_STEP * PX:
            keep.append(i)
    if keep[-1] != len(p) - 1:
        if len(keep) > 1:
            keep[-1] = len(p) - 1
        else:
            keep.append(len(p) - 1)
    return p[keep]


def make_digit(label: int, style_index: int, sample_index: int, seed: int = SEED,
               styles=None) -> Drawing:
    name, template, aspect0, _ = (styles or STYLES)[label][style_index]
    r = np.random.default_rng([seed, label, style_index, sample_index])
    strokes = template(r)
    sloppy = float(np.clip(np.exp(r.normal(0, SLOPPINESS_SD)), *SLOPPINESS_CLIP))
    strokes = [adjust_ends(r, s) for s in strokes]
    # A long straight 1 shows any bend as a wave: warp it less.
    strokes = warp(r, strokes, sloppy * (0.4 if label == 1 else 1.0))

    aspect = aspect0 * float(np.clip(np.exp(r.normal(0, ASPECT_SD)), *ASPECT_CLIP))
    # A template may damp the slant (continental 1s: a strongly slanted long flag
    # reads as a 7, a back-slanted one as a Λ).
    slant = np.radians(float(np.clip(r.normal(SLANT_MEAN, SLANT_SD), *SLANT_RANGE))
                       * getattr(template, "slant_scale", 1.0))
    rot = np.radians(float(np.clip(r.normal(0, ROTATION_SD), -ROTATION_CLIP, ROTATION_CLIP)))
    height = _u(r, *HEIGHT_RANGE)
    # Small digits come from small hand movements: their wobble is smaller too.
    shake = min(1.5, sloppy * float(np.clip(height / 0.65, 0.55, 1.2)))
    c, s_ = np.cos(rot), np.sin(rot)
    out = []
    for st in strokes:
        x = (st[:, 0] - 0.5) * aspect
        y = st[:, 1] - 0.5
        x = x - np.tan(slant) * y
        x, y = c * x - s_ * y, s_ * x + c * y
        out.append(np.column_stack([x, y]) * height)
    allp = np.vstack(out)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    span = hi - lo
    room = 1.0 - 2 * MARGIN - 0.02  # leave room for the wobble
    k = min(1.0, room / span.max())
    out = [p * k for p in out]
    lo, hi = lo * k, hi * k
    slack = room - (hi - lo)
    if r.random() < CENTRED_FRACTION:
        offs = np.clip(0.5 + r.normal(0, 0.12, 2), 0, 1)
    else:
        offs = r.uniform(0, 1, 2)
    origin = MARGIN + 0.01 + slack * offs - lo
    out = [p + origin for p in out]

    speed = _u(r, *SPEED_RANGE)
    side = int(r.choice(WIDGET_SIDES))
    jit = _u(r, *JITTER_SD) * PX
    final = []
    for p in out:
        p = mouse_sample(r, wobble(r, p, shake), speed)
        p = np.round(p * side) / side
        p = p + r.normal(0, 1, p.shape) * jit
        p = np.clip(p, *CLIP)
        final.append(Stroke([(float(x), float(y)) for x, y in thin(p)]))
    return Drawing(final, label, name)


def style_counts(styles, n: int) -> np.ndarray:
    """Split n digits over the styles in proportion to their weights (largest remainder)."""
    weights = np.array([c for *_, c in styles], float)
    counts = np.floor(weights / weights.sum() * n).astype(int)
    rem = n - counts.sum()
    for i in np.argsort(-(weights / weights.sum() * n - counts), kind="stable")[:rem]:
        counts[i] += 1
    return counts


def make_set(per_class: int = 50, seed: int = SEED) -> list[Drawing]:
    drawings = []
    for label in range(10):
        counts = style_counts(STYLES[label], per_class)
        items = [(si, n) for si, c in enumerate(counts) for n in range(c)]
        order = np.random.default_rng([seed, label, 999]).permutation(len(items))
        drawings.extend(make_digit(label, *items[i], seed=seed) for i in order)
    return drawings


def make_intl_set(per_style: int = INTL_PER_STYLE, seed: int = INTL_SEED) -> list[Drawing]:
    """Every international style per_style times, class by class, styles shuffled."""
    drawings = []
    for label, styles in INTL_STYLES.items():
        items = [(si, n) for si in range(len(styles)) for n in range(per_style)]
        order = np.random.default_rng([seed, label, 999]).permutation(len(items))
        drawings.extend(make_digit(label, *items[i], seed=seed, styles=INTL_STYLES) for i in order)
    return drawings


def make_holdout(seed: int = HOLDOUT_SEED) -> list[Drawing]:
    """The held-out set: HOLDOUT_PARTS, class by class, parts and styles shuffled.
    Part k uses seed + k; the hard part's styles are marked "<style>/hard"."""
    saved = {k: globals()[k] for k in HARD}
    drawings = []
    try:
        for label in range(10):
            items = []
            for k, (part, n) in enumerate(HOLDOUT_PARTS):
                if part == "intl":
                    counts = [n] * len(INTL_STYLES.get(label, []))
                else:
                    counts = style_counts(STYLES[label], n)
                items += [(k, si, i) for si, c in enumerate(counts) for i in range(c)]
            order = np.random.default_rng([seed, label, 999]).permutation(len(items))
            for j in order:
                k, si, i = items[j]
                part = HOLDOUT_PARTS[k][0]
                globals().update(HARD if part == "hard" else NORMAL)
                d = make_digit(label, si, i, seed=seed + k,
                               styles=INTL_STYLES if part == "intl" else STYLES)
                if part == "hard":
                    d.style += "/hard"
                drawings.append(d)
    finally:
        globals().update(saved)
    return drawings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path,
                    help="default tests/data/drawn_digits[_hard|_intl|_holdout].json")
    ap.add_argument("--per-class", type=int, default=50, help="normal and hard sets")
    ap.add_argument("--per-style", type=int, default=INTL_PER_STYLE, help="--international")
    ap.add_argument("--seed", type=int, help=f"default {SEED} ({HARD_SEED} with --hard, "
                    f"{INTL_SEED} with --international, {HOLDOUT_SEED} with --holdout)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--hard", action="store_true",
                      help="the wider 'hurried user' ranges (tests/data/README.md)")
    mode.add_argument("--international", action="store_true",
                      help="the international styles of drawn_intl_styles.py")
    mode.add_argument("--holdout", action="store_true",
                      help="the held-out set: never select or tune anything on it")
    ap.add_argument("--sheet", type=Path, help="also write a contact sheet PNG (needs Pillow)")
    ap.add_argument("--sheet-per-class", type=int, default=10,
                    help="digits per row (a row per class; per style with --international)")
    args = ap.parse_args(argv)
    if args.hard:
        globals().update(HARD)
    flag, suffix, default_seed = (("--hard", "_hard", HARD_SEED) if args.hard else
                                  ("--international", "_intl", INTL_SEED) if args.international else
                                  ("--holdout", "_holdout", HOLDOUT_SEED) if args.holdout else
                                  ("", "", SEED))
    seed = args.seed if args.seed is not None else default_seed
    out = args.out or HERE / f"drawn_digits{suffix}.json"
    if args.international:
        drawings = make_intl_set(args.per_style, seed)
    elif args.holdout:
        drawings = make_holdout(seed)
    else:
        drawings = make_set(args.per_class, seed)
    save_drawings(out, drawings, generator=f"{GENERATOR} {flag}".rstrip(), seed=seed)
    print(f"wrote {len(drawings)} digits to {out}")
    if args.sheet:
        if args.international:
            style_sheet(drawings, args.sheet, args.sheet_per_class,
                        names=[n for styles in INTL_STYLES.values() for n, *_ in styles])
        else:
            contact_sheet(drawings, args.sheet, args.sheet_per_class)
        print(f"wrote contact sheet {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Curve primitives of the drawn-digit templates (box coordinates, dense polylines).

Shared by ``drawn_styles.py`` and ``drawn_intl_styles.py``: straight lines,
centripetal Catmull-Rom curves through control points, elliptic arcs, and
``join`` to chain pieces into one stroke. ``_u`` draws one uniform number.
"""

from __future__ import annotations

import numpy as np


def _u(r, a, b):
    return float(r.uniform(a, b))


def line(*pts, n: int = 24) -> np.ndarray:
    pts = np.asarray(pts, float)
    out = [pts[0:1]]
    for a, b in zip(pts[:-1], pts[1:]):
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        out.append(a + (b - a) * t)
    return np.vstack(out)


def curve(*pts, n: int = 24) -> np.ndarray:
    """Centripetal Catmull-Rom spline through the points (smooth, no corners)."""
    p = np.asarray(pts, float)
    if len(p) == 2:
        return line(*p, n=n)
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = [p[0:1]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1:i + 3]
        t0 = 0.0
        t1 = t0 + max(np.linalg.norm(p1 - p0), 1e-9) ** 0.5
        t2 = t1 + max(np.linalg.norm(p2 - p1), 1e-9) ** 0.5
        t3 = t2 + max(np.linalg.norm(p3 - p2), 1e-9) ** 0.5
        t = np.linspace(t1, t2, n + 1)[1:, None]
        a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        out.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
    return np.vstack(out)


def arc(cx, cy, rx, ry, a0, a1, spiral: float = 0.0, n_per_deg: float = 0.4) -> np.ndarray:
    """Elliptic arc; angles in degrees, 0 = right, 90 = bottom (y down), so
    increasing angles run clockwise on screen. ``spiral`` grows (>0) or shrinks
    (<0) the radii linearly from start to end, which makes closures miss or cross."""
    n = max(8, int(abs(a1 - a0) * n_per_deg))
    a = np.radians(np.linspace(a0, a1, n))
    k = 1.0 + spiral * np.linspace(0.0, 1.0, n)
    return np.column_stack([cx + rx * k * np.cos(a), cy + ry * k * np.sin(a)])


def join(*pieces) -> np.ndarray:
    """Concatenate pieces into one stroke (the pen does not lift)."""
    out = [np.asarray(pieces[0], float)]
    for p in pieces[1:]:
        p = np.asarray(p, float)
        if np.allclose(out[-1][-1], p[0]):
            p = p[1:]
        out.append(p)
    return np.vstack(out)

"""Steps 1-3 of ``segment``: which units (strokes, or pieces of ink) are one digit.

Pure box geometry plus two callbacks from the caller: the ink gap between two units,
and, for strokes, where their centre lines meet. Kept apart from ``segment`` (which
renders, measures lines and cuts) so that the rules and their thresholds read in one
place.
"""

from __future__ import annotations

from typing import Callable

Box = tuple  # (top, bottom, left, right), bottom/right exclusive
Meeting = tuple  # (arms, height): how many arms leave the point where two lines meet

# 1: "small" = larger side at most SMALL_FRAC of the tallest unit, or SMALL_PENS pens.
SMALL_FRAC, SMALL_PENS = 0.3, 1.6
# 2: x-overlap (of the narrower) that makes one digit; "tall" (of the joint height);
# ink gap (of the joint height) that counts as coming close.
OVERLAP, TALL, CLOSE = 0.5, 0.6, 0.1
# 2: two side-by-side pieces whose lines meet in a corner stay two if the corner is
# within EDGE of their joint height from its top or bottom (tops of "11" touching).
EDGE = 0.15
# 2b: a group at most FLAT of the tallest's height and WIDE times as wide is a bar (a 5's
# bar over a short bowl is up to half its height);
# one whose larger side is at most MARK of the tallest's height, a mark beside a digit.
FLAT, WIDE, MARK = 0.5, 1.5, 0.36
# 3: a small unit (or a bar) joins a group within ATTACH of the tallest group's height.
ATTACH = 0.35
# At most PASSES passes over the pairs that a merge may have changed (bounds the work).
PASSES = 4


def box_gap(a: Box, b: Box) -> float:
    """Gap between two boxes; < 0 when they overlap."""
    return max(a[0] - b[1], b[0] - a[1], a[2] - b[3], b[2] - a[3])


def box_union(a: Box, b: Box) -> Box:
    """The box around both."""
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def _x_overlap(a: Box, b: Box) -> float:
    """Overlap in x as a fraction of the narrower box (< 0: apart)."""
    return (min(a[3], b[3]) - max(a[2], b[2])) / max(min(a[3] - a[2], b[3] - b[2]), 1e-6)


def group(boxes: list[Box], gap: Callable[[int, int, float], float], pen: float,
          meeting: Callable[[int, int], Meeting | None] | None = None,
          ) -> tuple[list[list[int]], list[int]]:
    """Steps 1-3 on units given by their ink boxes and ``gap(i, j, limit)`` (their ink
    gap; anything over ``limit`` if farther): the groups, and the noise units.
    ``meeting(i, j)``: where the units' centre lines meet, if they do (strokes only):
    pieces side by side that meet where three arms do (a bar ending on a stem, a
    crossing), in two places (a loop's halves) or in a corner away from their top and
    bottom are one digit after all -- a 4 written as an L and a stem."""
    n = len(boxes)
    limit = max([SMALL_FRAC * (b[1] - b[0]) for b in boxes] + [SMALL_PENS * pen])
    small = [max(b[1] - b[0], b[3] - b[2]) <= limit for b in boxes]
    if all(small):
        small = [False] * n  # nothing to attach them to: every piece counts
    big = [i for i in range(n) if not small[i]]
    known: dict[tuple[int, int], Meeting | None] = {}

    def meet(i: int, j: int) -> Meeting | None:
        if (i, j) not in known:
            known[i, j] = (meeting(i, j) if meeting and box_gap(boxes[i], boxes[j]) < 0
                           else None)
        return known[i, j]

    def joined(i: int, j: int, a: Box, b: Box) -> bool:
        """Units i and j meet as the parts of one digit do, given the pieces they
        belong to (boxes a, b): a corner at the top or bottom of both is two touching."""
        where = meet(i, j)
        if where is None:
            return False
        arms, y = where
        top, bottom = min(a[0], b[0]), max(a[1], b[1])
        return arms >= 3 or (arms == 2 and top + EDGE * (bottom - top) < y
                             < bottom - EDGE * (bottom - top))

    def side_by_side(a: Box, b: Box) -> bool:
        joint = max(a[1], b[1]) - min(a[0], b[0])
        return min(a[1] - a[0], b[1] - b[0]) >= TALL * joint and _x_overlap(a, b) < OVERLAP

    pairs = []
    for k, i in enumerate(big):
        for j in big[k + 1:]:
            a, b = boxes[i], boxes[j]
            ov, joint = _x_overlap(a, b), max(a[1], b[1]) - min(a[0], b[0])
            near = CLOSE * joint
            if ov >= OVERLAP:
                pairs.append((-ov, i, j))
                continue
            if box_gap(a, b) > near:
                continue
            apart = side_by_side(a, b)  # then only if their lines meet (see joined)
            if (not apart or meeting) and gap(i, j, near) <= near \
                    and (not apart or meet(i, j) is not None):
                pairs.append((1.0 - ov, i, j))
    parent = list(range(n))
    box = {i: boxes[i] for i in big}

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    pairs.sort()
    for _ in range(PASSES):  # again: a merge changes the pieces a skipped pair would join
        merged, skipped = False, []
        for pair in pairs:
            _, i, j = pair
            ci, cj = find(i), find(j)
            a, b = box[ci], box[cj]
            if ci == cj:
                continue
            if side_by_side(a, b) and not joined(i, j, a, b):
                skipped.append(pair)  # two digits side by side, for now
                continue
            parent[cj], merged = ci, True
            box[ci] = box_union(a, b)
        if not merged:
            break
        pairs = skipped
    members: dict[int, list[int]] = {}
    for i in big:
        members.setdefault(find(i), []).append(i)
    tallest = max((box[c][1] - box[c][0] for c in members), default=0.0)
    reach = ATTACH * tallest
    # 2b: a bar on its own (a 5's, floating) joins what it lies over or under; a piece
    # much smaller than the tallest digit (a tick beside it) the nearest group.
    bars = {c for c in members if len(members) > 1 and _flat(box[c], tallest)}
    marks = [c for c in members if c in bars or len(members) > 1 and max(
        box[c][1] - box[c][0], box[c][3] - box[c][2]) <= MARK * tallest]
    for c in marks:
        best, most = None, (0.0, -reach)
        for o in members:
            if o in marks or box_gap(box[c], box[o]) > reach:
                continue
            g = min(gap(i, j, reach) for i in members[c] for j in members[o])
            ov = min(box[c][3], box[o][3]) - max(box[c][2], box[o][2])
            key = (ov, -g) if c in bars else (0.0, -g)
            if g <= reach and key > most:
                best, most = o, key
        if best is not None:
            members[best] += members.pop(c)
            box[best] = box_union(box[best], box[c])
    noise = []
    for i in (i for i in range(n) if small[i]):
        best, best_gap = None, reach
        for c, units in members.items():
            if box_gap(box[c], boxes[i]) <= best_gap:
                g = min(gap(i, j, best_gap) for j in units)
                if g <= best_gap:
                    best, best_gap = c, g
        (noise if best is None else members[best]).append(i)
    return list(members.values()), noise


def _flat(b: Box, tallest: float) -> bool:
    """A bar: at most FLAT of the tallest group's height, and WIDE times as wide."""
    return b[1] - b[0] <= FLAT * tallest and b[3] - b[2] >= WIDE * (b[1] - b[0])

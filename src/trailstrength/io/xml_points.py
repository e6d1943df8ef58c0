"""Fast extraction of repeated points (GPX ``trkpt``, TCX ``Trackpoint``) from XML bytes, without a tree.

A GPS file is thousands of identical little elements. Building an element tree and visiting every child in
Python is what makes the usual readers slow (~25 k points/s). :class:`TagIndex` instead finds every ``<`` of
the document with one numpy comparison, reads the 8 bytes after each as an integer (one gather through a
sliding uint64 view), and recognises a tag by comparing those integers. An element's text runs from the end of
its start tag to the next ``<``, so all values of a tag are cut out with one more gather into a fixed-width
byte matrix, and ``numpy.searchsorted`` assigns each value to the point whose ``[start, end)`` span holds it.
Missing values stay missing (``b""``), so partial times or a heart rate on some points only stay aligned.

Namespace prefixes vary between writers (``<trkpt>``, ``<gpx:trkpt>``, ``<ns3:hr>``, ``<gpxtpx:hr>``); the
prefix a file uses for a tag is taken from its first occurrence (writers use one prefix per namespace). What
this cannot vouch for (comments or CDATA, which may hide ``<``; self-closing or unpaired points) raises
:class:`NeedsTree`, and the readers parse those documents as an lxml tree instead.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from trailstrength.errors import NeedsTree  # noqa: F401  (re-exported)

_PREFIX = rb"(?:[\w.-]+:)?"
_ENDS_NAME = np.zeros(256, dtype=bool)  # bytes that can follow a tag name
_ENDS_NAME[[ord(c) for c in "> \t\r\n/"]] = True
MAX_TEXT = 64  # bytes kept of an element's text (numbers and times are far shorter)


class TagIndex:
    """Every ``<`` of an XML document and the tag that follows it (see the module docstring)."""

    def __init__(self, data: bytes):
        self.data = data
        self.arr = np.frombuffer(data, dtype=np.uint8)
        self.lt = np.flatnonzero(self.arr == 60)  # offsets of '<'
        if len(data) < 16:
            data = self.data = data + b" " * 16
            self.arr = np.frombuffer(data, dtype=np.uint8)
        # 8 / 4 bytes at every offset, as integers (sliding views; offsets past the end are clipped)
        self._win = np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
        self._win4 = np.ndarray(shape=(len(data) - 3,), dtype="<u4", buffer=data, strides=(1,))
        self._code = self._win4[np.minimum(self.lt + 1, len(data) - 4)]  # the 4 bytes after each '<'
        bang = (self._code & np.uint32(0xFF)) == np.uint32(ord("!"))  # <!-- comments, <![CDATA[ sections
        if (
            bang.any()
            and (
                np.isin(
                    self._code[bang] & np.uint32(0xFFFFFF),
                    [int.from_bytes(b"!--", "little"), int.from_bytes(b"![C", "little")],
                )
            ).any()
        ):
            raise NeedsTree("comments or CDATA")
        self._tags: dict[str, bytes | None] = {}
        self._starts: dict[bytes, np.ndarray] = {}
        self._prefixes: dict[bytes, np.ndarray] | None = None

    def tag(self, local: str) -> bytes | None:
        """The literal start tag (``b"<ns3:hr"``) a file uses for element ``local``; None when absent.

        Unprefixed first; else the prefix under which the name occurs first.
        """
        if local not in self._tags:
            name = local.encode()
            if len(self.starts(b"<" + name)):
                self._tags[local] = b"<" + name
            else:
                found = None
                for prefix, idx in self.prefixes().items():
                    tag = b"<" + prefix + name
                    hit = self._ended(idx[self._rest_matches(idx, len(prefix) + 1, name)], tag)
                    self._starts[tag] = hit
                    if len(hit) and (found is None or hit[0] < found[1]):
                        found = (tag, hit[0])
                self._tags[local] = found[0] if found else None
        return self._tags[local]

    def prefixes(self) -> dict[bytes, np.ndarray]:
        """Namespace prefixes (``b"ns3:"``) declared near the top (``xmlns:ns3=``, first 64 KB), with the
        ``lt`` indices of the tags using them. Writers declare them on the root or the first point."""
        if self._prefixes is None:
            declared = dict.fromkeys(re.findall(rb"xmlns:([A-Za-z_][\w.-]*)\s*=", self.data[:65536]))
            self._prefixes = {p + b":": self._match(p + b":") for p in declared}
        return self._prefixes

    def _rest_matches(self, idx: np.ndarray, off: int, name: bytes) -> np.ndarray:
        """Mask over ``idx`` (indices into ``lt``) where ``name`` follows ``<`` at byte ``off``."""
        keep = np.ones(len(idx), dtype=bool)
        for k in range(0, len(name), 8):
            chunk = name[k : k + 8]
            mask = (1 << (8 * len(chunk))) - 1
            at = np.minimum(self.lt[idx] + off + k, len(self._win) - 1)
            keep &= (self._win[at] & np.uint64(mask)) == np.uint64(int.from_bytes(chunk, "little"))
        return keep

    def _match(self, name: bytes) -> np.ndarray:
        """Indices into ``lt`` where ``<`` is followed by ``name`` (no terminator check)."""
        first = name[:4]
        mask = (1 << (8 * len(first))) - 1
        code = self._code if mask == 0xFFFFFFFF else self._code & np.uint32(mask)
        idx = np.flatnonzero(code == np.uint32(int.from_bytes(first, "little")))
        return idx[self._rest_matches(idx, 5, name[4:])] if len(name) > 4 else idx

    def _ended(self, idx: np.ndarray, tag: bytes) -> np.ndarray:
        """The ``lt`` indices whose tag name ends right after ``tag`` (not a longer name)."""
        after = self.arr[np.minimum(self.lt[idx] + len(tag), len(self.arr) - 1)]
        return idx[_ENDS_NAME[after]]

    def starts(self, tag: bytes) -> np.ndarray:
        """Indices into ``lt`` of the start tags ``tag`` (``b"<Lap"``), not of longer names (``<LapX``)."""
        if tag not in self._starts:
            self._starts[tag] = self._ended(self._match(tag[1:]), tag)
        return self._starts[tag]

    def ends(self, tag: bytes) -> np.ndarray:
        """Byte offsets of the end tags ``</tag>``."""
        idx = self._match(b"/" + tag[1:] + b">")
        return self.lt[idx]

    def spans(self, tag: bytes, *, open_end: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(starts, ends)`` byte offsets of every complete element ``tag``; a cut-off last one is dropped
        (or, with ``open_end``, runs to the end of the data).

        Raises :class:`NeedsTree` for self-closing elements or start / end tags that do not pair up.
        """
        starts, ends = self.lt[self.starts(tag)], self.ends(tag)
        if len(ends) == len(starts) - 1:
            if open_end:
                ends = np.append(ends, len(self.arr))
            else:
                starts = starts[:-1]
        if len(ends) != len(starts) or np.any(ends < starts) or np.any(starts[1:] < ends[:-1]):
            raise NeedsTree(f"{tag.decode()} start and end tags do not pair up (self-closing or broken markup)")
        return starts, ends

    def text(self, tag: bytes) -> tuple[np.ndarray, np.ndarray]:
        """``(offsets, texts)`` of every element ``tag``: the text up to the next ``<`` (``S`` array)."""
        idx = self.starts(tag)
        pos = self.lt[idx]
        if not len(idx):
            return pos, np.zeros(0, dtype="S1")
        begin = pos + len(tag) + 1
        odd = np.flatnonzero(self.arr[begin - 1] != ord(">"))  # start tags with attributes
        for k in odd:
            begin[k] = self.data.find(b">", pos[k]) + 1
        nxt = self.lt[np.minimum(idx + 1, len(self.lt) - 1)]
        nxt[idx + 1 >= len(self.lt)] = len(self.arr)
        return pos, cut(self.arr, begin, nxt)

    def values_in(self, starts: np.ndarray, ends: np.ndarray, tag: bytes | None) -> np.ndarray:
        """The text of ``tag`` inside each span (first occurrence), aligned to the spans; ``b""`` where absent."""
        if tag is None or not len(starts):
            return np.zeros(len(starts), dtype="S1")
        pos, texts = self.text(tag)
        out = np.zeros(len(starts), dtype=texts.dtype)
        span = inside(starts, ends, pos)
        ok = np.flatnonzero(span >= 0)
        which = span[ok]
        if len(which) > 1 and not np.all(which[1:] > which[:-1]):  # some span holds the tag twice: keep the first
            which, first = np.unique(which, return_index=True)
            ok = ok[first]
        out[which] = texts[ok]
        return out

    def attributes(self, tag: bytes) -> list[bytes]:
        """The attribute text of every start tag ``tag`` (regex; fine for the point tags only)."""
        return re.findall(re.escape(tag) + rb"(\s[^>]*|)>", self.data)


def cut(arr: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Byte ranges ``[begin, end)`` of ``arr`` as a fixed-width ``S`` array (white space kept, long ones cut)."""
    length = np.clip(end - begin, 0, MAX_TEXT)
    width = max(int(length.max()) if len(length) else 1, 1)
    cols = np.arange(width)
    mat = arr[np.minimum(begin[:, None] + cols, len(arr) - 1)]
    mat[cols >= length[:, None]] = 0
    return mat.view(f"S{width}").ravel()


def inside(starts: np.ndarray, ends: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Index of the span holding each offset (−1 when none does)."""
    idx = np.searchsorted(starts, pos, side="right") - 1
    ok = idx >= 0
    ok[ok] &= pos[ok] < ends[idx[ok]]
    return np.where(ok, idx, -1)


def attribute(attrs: list[bytes], name: str) -> np.ndarray:
    """One attribute's value from each attribute text (``S`` array, ``b""`` where absent)."""
    blob = b"\x00" + b"\x00".join(attrs) + b"\x00"
    rx = re.compile(rb"\x00(?:[^\x00]*?\b" + re.escape(name.encode()) + rb"\s*=\s*[\"']([^\"']*))?")
    vals = rx.findall(blob)[: len(attrs)]
    return np.array(vals, dtype=f"S{MAX_TEXT}") if vals else np.zeros(0, dtype="S1")


def _matrix(values) -> np.ndarray:
    """An ``S`` array as an (n, width) uint8 matrix (a view when possible)."""
    arr = np.ascontiguousarray(
        values
        if getattr(values, "dtype", None) is not None and values.dtype.kind == "S"
        else np.asarray(values, dtype=f"S{MAX_TEXT}")
    )
    return arr.view(np.uint8).reshape(len(arr), arr.dtype.itemsize)


def to_float(values) -> np.ndarray:
    """Text values -> float64 (empty or unparsable -> NaN; surrounding white space ignored)."""
    if not isinstance(values, np.ndarray) or values.dtype.kind != "S":
        values = np.asarray(values, dtype=f"S{MAX_TEXT}")
    empty = values.view(np.uint8).reshape(len(values), -1)[:, 0] == 0 if len(values) else np.zeros(0, bool)
    if empty.all():
        return np.full(len(values), np.nan)
    arr = values
    if empty.any():
        arr = values.astype(values.dtype if values.dtype.itemsize >= 3 else "S3")
        arr[empty] = b"nan"
    try:
        return arr.astype(float)
    except ValueError:
        return pd.to_numeric(pd.Series(arr).str.decode("utf-8", "replace").str.strip(), errors="coerce").to_numpy(float)


def to_times(values) -> pd.Series:
    """ISO 8601 text values -> UTC instants (``datetime64[ns, UTC]``; empty or unparsable -> NaT).

    Times without a zone are UTC, as GPX and TCX specify.
    """
    m = _matrix(values)
    text = np.asarray(values).astype(f"U{m.shape[1] or 1}")
    if len(m) and (
        np.isin(m[:, 0], _BLANK).any()
        or np.isin(m[np.arange(len(m)), np.maximum((m != 0).sum(1) - 1, 0)], _BLANK).any()
    ):
        text = np.char.strip(text)
    out = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    return pd.Series(out).astype("datetime64[ns, UTC]")


_BLANK = np.array([32, 9, 10, 13], dtype=np.uint8)
#: Years a recorded time can carry; others come from a reset device clock (1901, 1970) and are dropped.
PLAUSIBLE_YEARS = (1990, 2100)


def plausible_times(times: pd.Series) -> tuple[pd.Series, int]:
    """``times`` with those outside :data:`PLAUSIBLE_YEARS` set to NaT, and how many were."""
    years = times.dt.year
    bad = (years < PLAUSIBLE_YEARS[0]) | (years > PLAUSIBLE_YEARS[1])
    return times.where(~bad), int(bad.sum())


#: Share of the steps between timed points that may go back in time (after a reversed track is turned round)
#: before the times are dropped as unusable. Real GPX and TCX files have none (realdata: 0 of ~21,000 steps).
BACKWARD_SHARE = 0.05


def in_time_order(samples: pd.DataFrame, warnings: list[str], label: str = "") -> pd.DataFrame:
    """One activity's ``samples`` with their points in time order, or without times when they have none.

    Time order is the order of the ``timestamp`` column (NaT left out):

    * times that run backwards along the whole track (more steps back than forward: a track reversed in an
      editor, which turns the points round but keeps each point's time) put the points in time order, the file
      order reversed, with a warning; distance and ascent are then those of the route as it was run;
    * times that still go back on more than :data:`BACKWARD_SHARE` of the steps fit neither order: the samples
      lose their times (``timestamp`` NaT, ``elapsed_s`` NaN), with a warning, and keep their points in file
      order, so distance still comes from the geometry while moving time and speeds are unknown (the activity
      keeps its start and its span, the earliest and latest time);
    * otherwise the samples are returned as they are (a few steps back are held by the terrain step).

    ``label`` starts each warning (``"activity 1: "``).
    """
    ns = samples["timestamp"].dropna().array.asi8
    step = np.diff(ns)
    back, forward = int((step < 0).sum()), int((step > 0).sum())
    if back > forward:
        samples = samples.iloc[::-1].reset_index(drop=True)
        back, forward = forward, back
        warnings.append(f"{label}times run backwards along the track: points put in time order")
    if back > BACKWARD_SHARE * (back + forward):
        no_time = pd.Series(pd.NaT, index=samples.index, dtype=samples["timestamp"].dtype)
        samples = samples.assign(timestamp=no_time, elapsed_s=np.nan)
        warnings.append(
            f"{label}time goes back on {back} of {back + forward} steps between points: times dropped "
            "(distance from the points in file order; no moving time or speed)"
        )
    return samples


def first_text(data: bytes, open_tag: bytes | None, start: int = 0, end: int | None = None) -> str | None:
    """Text of the first ``open_tag`` element in ``data[start:end]`` (entities and CDATA resolved)."""
    if open_tag is None:
        return None
    m = re.compile(re.escape(open_tag) + rb"(?:\s[^>]*)?>\s*(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))", re.S).search(
        data, start, len(data) if end is None else end
    )
    if not m:
        return None
    import html

    text = (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace").strip()
    return html.unescape(text) or None


def truncated(data: bytes, root: str) -> bool:
    """True when the document does not end with the root element's end tag."""
    tail = data[-256:].rstrip()
    return re.search(rb"</" + _PREFIX + re.escape(root.encode()) + rb"\s*>$", tail) is None

"""FIT decoding below the reader: fitfast for the record columns, the few other messages, fitdecode as fallback.

fitfast decodes a whole file per call (about 1 µs a message), so asking it once per message kind would
decode the file five times. Instead :func:`frame` walks the message headers once in Python and cuts out a
small, valid FIT stream holding only the definitions and the messages the reader needs (no records), which
fitfast then parses in well under a millisecond. Whatever the walk cannot vouch for (chained files,
compressed time stamps on kept messages, truncation) falls back to a full ``fitfast.parse``.

Records holding ``compressed_speed_distance`` (old foot pods), which ``fitfast.records`` skips, are parsed
with ``fitfast.parse`` and expanded here (:func:`expand_records`). When fitfast rejects a file (checksum
mismatch, truncated data, bad definition), the file is decoded with fitdecode instead, keeping every
message decoded before a fault; the fault is reported in ``FitContent.warnings``.

Conventions of :class:`FitContent` (both decoders): time stamps are Unix seconds (device-relative FIT times,
below ``0x10000000``, stay relative: see :data:`RELATIVE_BEFORE`), positions in degrees, profile scale and
offset applied (so ``set.weight`` is in kg), enum values as profile names where known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
#: Unix seconds below which a FIT time stamp is device-relative (raw value < 0x10000000), not wall-clock time
RELATIVE_BEFORE = FIT_EPOCH_S + 0x10000000
SEMICIRCLE_DEG = 180.0 / 2**31

# global message numbers the reader uses besides records (names as in the FIT profile)
KEEP = {
    0: "file_id",
    12: "sport",
    18: "session",
    19: "lap",
    21: "event",
    23: "device_info",
    34: "activity",
    49: "file_creator",
    206: "field_description",
    207: "developer_data_id",
    225: "set",
}
RECORD = 20
COMPRESSED_SPEED_DISTANCE = 8  # record field fitfast leaves unexpanded

_CRC_TABLE = []
for _b in range(256):
    _c = _b
    for _ in range(8):
        _c = (_c >> 1) ^ 0xA001 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc16(data: bytes, crc: int = 0) -> int:
    """FIT's CRC-16 (the ARC polynomial, reflected, initial value 0)."""
    table = _CRC_TABLE
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


@dataclass
class FitContent:
    """What one FIT file holds, as the reader needs it."""

    records: dict[str, np.ndarray]  # record field -> float64 column (NaN = missing)
    messages: dict[str, list[dict]]  # other message kind -> list of {field: value}
    decoder: str  # "fitfast" or "fitdecode"
    warnings: list[str] = field(default_factory=list)


@dataclass
class Frame:
    """Result of walking a FIT file's message headers once."""

    meta_stream: bytes | None  # header + definitions + kept messages + CRC, or None when unsafe
    record_fields: set[int]  # field numbers seen in record definitions


def frame(data: bytes) -> Frame:
    """Walk the message headers of a single-sequence FIT file; see the module docstring.

    Never raises: anything unusual gives ``meta_stream=None`` so the caller parses the full file.
    """
    record_fields: set[int] = set()
    n = len(data)
    if n < 14 or data[8:12] != b".FIT" or data[0] not in (12, 14):
        return Frame(None, record_fields)
    hs = data[0]
    end = hs + int.from_bytes(data[4:8], "little")
    if end + 2 != n:  # truncated, or chained / trailing bytes: let fitfast judge the whole file
        return Frame(None, record_fields)
    arr = np.frombuffer(data, dtype=np.uint8)
    size = [0] * 16  # bytes of a data message of each local type, header byte included
    keep = [False] * 16
    pieces: list[list[int]] = []
    p = hs
    try:
        while p < end:
            h = data[p]
            if h & 0x80:  # compressed time stamp header: a data message
                lt = (h >> 5) & 3
                if keep[lt] or not size[lt]:
                    return Frame(None, record_fields)
                p = _skip_run(data, arr, p, size[lt], h, end)
                continue
            lt = h & 0x0F
            if h & 0x40:  # definition message
                big = data[p + 2] == 1
                glob = (data[p + 3] << 8 | data[p + 4]) if big else (data[p + 4] << 8 | data[p + 3])
                nf = data[p + 5]
                q = p + 6
                s = 1 + sum(data[q + 1 : q + 3 * nf : 3])
                if glob == RECORD:
                    record_fields.update(data[q : q + 3 * nf : 3])
                q += 3 * nf
                if h & 0x20:  # developer fields
                    nd = data[q]
                    s += sum(data[q + 2 : q + 1 + 3 * nd : 3])
                    q += 1 + 3 * nd
                size[lt] = s
                keep[lt] = glob in KEEP
                if pieces and pieces[-1][1] == p:
                    pieces[-1][1] = q
                else:
                    pieces.append([p, q])
                p = q
                continue
            s = size[lt]
            if not s:
                return Frame(None, record_fields)
            if keep[lt]:
                if pieces and pieces[-1][1] == p:
                    pieces[-1][1] = p + s
                else:
                    pieces.append([p, p + s])
                p += s
            else:  # a run of skipped messages (records) of the same header: jump over it in numpy steps
                p = _skip_run(data, arr, p, s, h, end)
    except IndexError:
        return Frame(None, record_fields)
    if p != end:
        return Frame(None, record_fields)
    body = b"".join(data[a:b] for a, b in pieces)
    header = bytearray(data[:hs])
    header[4:8] = len(body).to_bytes(4, "little")
    if hs == 14:
        header[12:14] = crc16(bytes(header[:12])).to_bytes(2, "little")
    stream = bytes(header) + body
    return Frame(stream + crc16(stream).to_bytes(2, "little"), record_fields)


def _skip_run(data: bytes, arr: np.ndarray, p: int, step: int, header: int, end: int) -> int:
    """Offset after the run of data messages at ``p`` that share ``header``'s local type and size ``step``.

    Compressed-time-stamp headers of one local type differ only in their low five bits (the time offset).
    """
    mask = 0xE0 if header & 0x80 else 0xFF
    want = header & mask
    p += step
    for _ in range(8):  # short runs (records interleaved with other messages): stay in Python
        if p >= end or data[p] & mask != want:
            return p
        p += step
    chunk = 64
    while p < end:
        heads = arr[p : min(end, p + chunk * step) : step]
        bad = np.flatnonzero((heads & mask) != want)
        if len(bad):
            return p + int(bad[0]) * step
        p += len(heads) * step
        chunk = min(chunk * 2, 4096)
    return p


def decode(data: bytes) -> FitContent:
    """Decode one FIT file: fitfast when it accepts the file, else fitdecode up to the first fault."""
    import fitfast

    fr = frame(data)
    if COMPRESSED_SPEED_DISTANCE in fr.record_fields:
        try:
            parsed = fitfast.parse(data)
        except BaseException as err:  # noqa: BLE001 - fitfast's Rust panics (PanicException) are no Exception
            return _fitfast_failed(data, err)
        records = expand_records(parsed.pop("record", []))
        meta = {k: v for k, v in parsed.items() if k in KEEP.values()}
        return FitContent(
            records,
            meta,
            "fitfast",
            ["record speed and distance are compressed (an old foot-pod format): expanded here"],
        )
    try:
        records = fitfast.records(data, "record")
        meta = fitfast.parse(fr.meta_stream if fr.meta_stream is not None else data)
    except BaseException as err:  # noqa: BLE001 - fitfast's Rust panics (PanicException) are no Exception
        return _fitfast_failed(data, err)
    meta.pop("record", None)
    return FitContent(records, meta, "fitfast")


def _fitfast_failed(data: bytes, err: BaseException) -> FitContent:
    """fitfast refused the file or panicked on it (a corrupt field definition): decode it with fitdecode instead."""
    import fitfast

    if isinstance(err, (KeyboardInterrupt, SystemExit)):
        raise err
    what = "rejected the file" if isinstance(err, fitfast.FitDecodeError) else f"failed ({type(err).__name__})"
    return _decode_fitdecode(data, f"fitfast {what} ({_one_line(err)}); decoded with fitdecode")


def expand_records(rows: list[dict]) -> dict[str, np.ndarray]:
    """Record dicts from ``fitfast.parse`` -> columns as ``fitfast.records`` gives them, with the
    ``compressed_speed_distance`` bytes expanded to ``speed`` (m/s, 12 bits / 100) and ``distance``
    (m, 12 bits / 16, accumulated across the 256 m roll-over), as the FIT profile's components define."""
    names = sorted(
        {
            k
            for r in rows
            for k, v in r.items()
            if isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
        }
    )
    cols = {k: np.array([r.get(k, np.nan) for r in rows], dtype=float) for k in names}
    for k in ("position_lat", "position_long"):
        if k in cols:
            cols[k] = cols[k] * SEMICIRCLE_DEG
    packed = [r.get("compressed_speed_distance") for r in rows]
    ok = np.array([isinstance(b, (bytes, bytearray)) and len(b) == 3 for b in packed])
    if ok.any():
        raw = np.array([list(b) if good else [0, 0, 0] for b, good in zip(packed, ok)], dtype=np.int64)
        cols["speed"] = np.where(ok, (raw[:, 0] | (raw[:, 1] & 0x0F) << 8) / 100.0, cols.get("speed", np.nan))
        dist12 = (raw[:, 1] >> 4) | (raw[:, 2] << 4)
        good = np.flatnonzero(ok)
        steps = np.diff(dist12[good], prepend=0) % 4096
        steps[0] = dist12[good[0]]
        dist = np.full(len(rows), np.nan)
        dist[good] = np.cumsum(steps) / 16.0
        cols["distance"] = np.where(ok, dist, cols.get("distance", np.nan))
    return cols


def _one_line(err: BaseException) -> str:
    return (str(err).replace("FIT decode error", "").strip(" :").splitlines() or [type(err).__name__])[0]


def _unix(value):
    """fitdecode time value -> Unix seconds (relative FIT times stay relative, shifted like fitfast does)."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return value + FIT_EPOCH_S
    return value


def _decode_fitdecode(data: bytes, why: str) -> FitContent:
    """Decode with fitdecode, keeping everything decoded before a fault (stated in the warnings)."""
    import fitdecode

    rows: list[dict] = []
    messages: dict[str, list[dict]] = {}
    warnings = [why]
    keep_names = set(KEEP.values())
    # CRCs are not checked: a file that fitfast refused is read for whatever it holds, faults are reported
    reader = fitdecode.FitReader(
        data, check_crc=fitdecode.CrcCheck.DISABLED, error_handling=fitdecode.ErrorHandling.WARN
    )
    try:
        for frame_ in reader:
            if not isinstance(frame_, fitdecode.FitDataMessage):
                continue
            if frame_.global_mesg_num == RECORD:
                row = {}
                for f in frame_.fields:
                    v = f.value
                    if v is None or isinstance(v, (tuple, list, str, bytes)):
                        continue
                    if f.name == "timestamp":
                        v = _unix(v)
                    elif f.name.startswith("position_"):
                        v = v * SEMICIRCLE_DEG
                    row[f.name] = v
                rows.append(row)
            elif frame_.name in keep_names:
                msg = {}
                for f in frame_.fields:
                    v = f.value
                    if isinstance(v, dt.datetime) or (
                        f.type is not None and getattr(f.type, "name", "") == "date_time"
                    ):
                        v = _unix(v)
                    if v is not None:
                        msg[f.name] = v
                messages.setdefault(frame_.name, []).append(msg)
    except Exception as err:  # noqa: BLE001 - any decoder fault ends the file; keep what came before it
        warnings.append(
            f"decoding stopped at byte {_fault_offset(reader, err)} ({type(err).__name__}: "
            f"{str(err).splitlines()[0]}); kept the {len(rows)} records decoded before the fault"
        )
    finally:
        reader.close()
    names = sorted({k for r in rows for k in r})
    records = {k: np.array([r.get(k, np.nan) for r in rows], dtype=float) for k in names}
    return FitContent(records, messages, "fitdecode", warnings)


def _fault_offset(reader, err: Exception) -> str:
    text = str(err)
    if "@" in text:
        return text.rsplit("@", 1)[1].split()[0].strip()
    return "?"

"""File formats shared by readers and writers: which format a path holds, opening local paths and
fsspec URLs, streaming decompression that notices truncation, and the JSON codec.

Decompression goes through `zlib`/`zstandard` decompress objects rather than `gzip.GzipFile` or
`zstandard`'s stream reader because the latter returns a silent, short stream for a truncated
``.zst`` file; here a stream that ends inside a gzip member or zstd frame raises `TruncatedInput`.
"""

from __future__ import annotations

import io
import json
import math
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any

import zstandard

try:  # orjson is optional: about twice as fast as the standard library on long texts
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None

CHUNK_SIZE = 1 << 20  # compressed bytes read at a time

# Longest suffix first; a path's format is the first suffix it ends with (case-insensitive).
FORMAT_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".warc.wet.gz", "wet"),
    (".warc.wet", "wet"),
    (".wet.gz", "wet"),
    (".wet", "wet"),
    (".jsonl.zst", "jsonl"),
    (".jsonl.gz", "jsonl"),
    (".jsonl", "jsonl"),
    (".ndjson.zst", "jsonl"),
    (".ndjson.gz", "jsonl"),
    (".ndjson", "jsonl"),
    (".json.zst", "jsonl"),
    (".json.gz", "jsonl"),
    (".parquet", "parquet"),
    (".txt", "txt"),
)
SUPPORTED_SUFFIXES = ", ".join(s for s, _ in FORMAT_SUFFIXES)

# Parquet schema metadata key: the columns our writer stored as JSON text (see writers.py)
JSON_COLUMNS_KEY = b"tamis.json_columns"


class TruncatedInput(OSError):
    """A compressed stream ended inside a gzip member or zstd frame."""


def detect_format(path: str) -> str | None:
    """'txt', 'jsonl', 'parquet', 'wet', or None when the file name has no supported suffix."""
    name = path.rsplit("/", 1)[-1].lower()
    for suffix, fmt in FORMAT_SUFFIXES:
        if name.endswith(suffix):
            return fmt
    return None


def detect_compression(path: str) -> str | None:
    """'gzip', 'zstd' or None, from the file name."""
    name = path.lower()
    if name.endswith(".gz"):
        return "gzip"
    if name.endswith((".zst", ".zstd")):
        return "zstd"
    return None


def is_url(path: str) -> bool:
    return "://" in path


def open_binary(path: str, fs_options: dict[str, Any] | None = None, mode: str = "rb") -> IO[bytes]:
    """Open a local path with the builtin `open`, anything with a protocol through fsspec."""
    if not is_url(path):
        return open(path, mode)
    import fsspec

    return fsspec.open(path, mode, **(fs_options or {})).open()


def _gzip_decompressor() -> Any:
    return zlib.decompressobj(wbits=31)  # 31: gzip header and trailer


def _zstd_decompressor() -> Any:
    return zstandard.ZstdDecompressor().decompressobj()


def iter_decompressed(fh: IO[bytes], compression: str | None, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The decompressed content of `fh` in chunks; concatenated gzip members / zstd frames are read
    in turn. Raises `TruncatedInput` when the data stops inside a member or frame."""
    if compression is None:
        while chunk := fh.read(chunk_size):
            yield chunk
        return
    make: Callable[[], Any] = _gzip_decompressor if compression == "gzip" else _zstd_decompressor
    dec = make()
    fed = False  # has the current member/frame received any input?
    while data := fh.read(chunk_size):
        while data:
            fed = True
            try:
                out = dec.decompress(data)
            except (zlib.error, zstandard.ZstdError) as exc:
                raise TruncatedInput(f"corrupt {compression} data: {exc}") from exc
            if out:
                yield out
            if not dec.eof:
                break
            data = dec.unused_data  # the next member/frame starts here
            dec, fed = make(), False
    if fed and not dec.eof:
        raise TruncatedInput(f"{compression} stream ends before the end of its last frame (truncated file?)")


def iter_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Split byte chunks on b"\\n"; lines come without the newline, a final unterminated line too."""
    carry: list[bytes] = []
    for chunk in chunks:
        if not chunk:
            continue
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            carry.append(chunk)
            continue
        if carry:
            carry.append(parts[0])
            parts[0] = b"".join(carry)
            carry = []
        last = parts.pop()
        if last:
            carry.append(last)
        yield from parts
    if carry:
        yield b"".join(carry)


# ---------------------------------------------------------------- JSON

if orjson is not None:

    def json_loads(data: bytes | str) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            # orjson rejects escaped lone surrogates that the standard library accepts (and that
            # our writer emits for such text): let the standard parser have the last word.
            return json.loads(data)

else:
    json_loads = json.loads


def _json_default(value: Any) -> Any:
    """Values JSON lacks: datetimes as ISO 8601, bytes as UTF-8 text, sets/tuples as lists."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):  # numpy arrays
        return value.tolist()
    return str(value)  # Decimal, Path, ...


def _finite(value: Any) -> Any:
    """`value` with NaN and infinities replaced by None (they are not JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


_dumps_compact = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_json_default
).encode
_dumps_ascii = json.JSONEncoder(
    ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=_json_default
).encode


def json_dumps_bytes(record: Any) -> bytes:
    """Compact UTF-8 JSON (keys in insertion order, no newline). NaN/inf become null; a string
    holding an unpaired surrogate, which UTF-8 cannot carry, makes this record ASCII-escaped."""
    if orjson is not None:
        try:
            return orjson.dumps(record, default=_json_default)
        except (TypeError, orjson.JSONEncodeError):
            pass  # unpaired surrogate or an odd type: the standard library below copes
    try:
        text = _dumps_compact(record)
    except ValueError as exc:
        if "float" not in str(exc):  # a circular reference, not NaN or infinity
            raise
        record = _finite(record)
        text = _dumps_compact(record)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _dumps_ascii(record).encode("ascii")


def json_columns(schema: Any) -> list[str]:
    """The columns of a Parquet (Arrow) schema that our writer stored as JSON strings."""
    raw = (schema.metadata or {}).get(JSON_COLUMNS_KEY)
    return list(json_loads(raw)) if raw else []


class DecompressedReader(io.RawIOBase):
    """A read-only file object over `iter_decompressed`, for libraries that want a stream
    (FastWARC); `TruncatedInput` surfaces from `read` when the data ends early."""

    def __init__(self, fh: IO[bytes], compression: str | None) -> None:
        self._chunks = iter_decompressed(fh, compression)
        self._buf = memoryview(b"")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def readinto(self, b: Any) -> int:
        while not self._buf:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buf = memoryview(chunk)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        self._pos += n
        return n

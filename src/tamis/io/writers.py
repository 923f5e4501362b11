"""Writing records (plain dicts) into numbered shards, and reading our shards back.

`ShardWriter(out_dir, name)` writes `out_dir/name/00000.jsonl.zst`, `00001.jsonl.zst`, ...; a new shard
starts when the current one holds `max_records` records or would pass `max_bytes`. Each shard is
written under a temporary name in the same folder (`.00000.jsonl.zst.<pid>.tmp`: hidden, and with no
shard suffix, so neither readers nor `list_shards` ever take it for a shard) and renamed when complete
(`os.replace` locally, `fs.mv` for fsspec URLs, which is atomic on local disks, not on object stores).

Formats:
- `jsonl.zst` (default; zstd level 3, with frame checksum), `jsonl.gz` (level 6), `jsonl`: one
  compact JSON object per line, UTF-8 (`ensure_ascii=False`), keys in insertion order. NaN and
  infinities are written as null; datetimes as ISO 8601 strings. `max_bytes` counts the
  uncompressed JSON lines.
- `parquet` (zstd level 3): one column per top-level key, in order of first appearance. Strings,
  integers, floats and booleans are stored natively (a column holding both integers and floats is a
  float column); every other value (nested dicts and lists such as `edits[].values`, whose keys vary
  from record to record) is stored as a JSON string, and so is a column whose values have mixed
  types. The names of those JSON columns are kept in the file's schema metadata under
  `tamis.json_columns`, and `read_records` (and the Parquet reader) decode them again. A key absent
  from a record reads back as None. The schema is fixed by a shard's first row group; a later record
  that does not fit it (a new key, a value of another type) starts a new shard. `max_bytes` counts an
  estimate of the raw column data.

Output is deterministic: the same records in the same order give byte-identical files (no
timestamps: the gzip header's mtime is 0).
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Any

import zstandard

from tamis.io.formats import (
    JSON_COLUMNS_KEY,
    detect_compression,
    is_url,
    iter_decompressed,
    iter_lines,
    json_columns,
    json_dumps_bytes,
    json_loads,
    open_binary,
)

SHARD_FORMATS = ("jsonl.zst", "jsonl", "jsonl.gz", "parquet")
SHARD_NAME = re.compile(r"^\d{5,}\.(?:jsonl\.zst|jsonl\.gz|jsonl|parquet)$")
_TEMP_NAME = re.compile(r"^\.\d{5,}\.(?:jsonl\.zst|jsonl\.gz|jsonl|parquet)\.\d+\.tmp$")

ZSTD_LEVEL = 3
GZIP_LEVEL = 6
WRITE_BUFFER_BYTES = 1 << 20  # uncompressed bytes gathered before they go to the compressor
PARQUET_ROW_GROUP_ROWS = 8192
PARQUET_ROW_GROUP_BYTES = 64 << 20


class ShardWriter:
    """Write dict records to `out_dir/name/NNNNN.<fmt>` shards; see the module docstring.

    Shards already in the folder (from an earlier run) would mix with the new ones, so they are
    deleted when the writer is created (`overwrite=True`, the default: a re-run replaces its output);
    with `overwrite=False` they make the constructor raise FileExistsError instead. Only files named
    like shards are touched. `resume=N` continues an interrupted writer instead: its first N shards
    stay and numbering goes on after them (later shards are deleted). Temporary files a killed
    process left behind are deleted in every case. Used as a context manager, an exception inside
    the block discards the unfinished shard (the finished ones stay).
    """

    def __init__(
        self,
        out_dir: str,
        name: str,
        fmt: str = "jsonl.zst",
        max_records: int = 100_000,
        max_bytes: int = 256 << 20,
        *,
        overwrite: bool = True,
        resume: int = 0,
        fs_options: dict[str, Any] | None = None,
    ) -> None:
        if fmt not in SHARD_FORMATS:
            raise ValueError(f"unknown shard format {fmt!r} (choose from {', '.join(SHARD_FORMATS)})")
        if max_records < 1 or max_bytes < 1:
            raise ValueError("max_records and max_bytes must be at least 1")
        self.fmt = fmt
        self.max_records = max_records
        self.max_bytes = max_bytes
        self._fs_options = fs_options
        self._fs: Any = None
        if is_url(out_dir):
            import fsspec

            self.dir = f"{out_dir.rstrip('/')}/{name}"
            self._fs = fsspec.core.url_to_fs(self.dir, **(fs_options or {}))[0]
            self._fs.makedirs(self.dir, exist_ok=True)
        else:
            self.dir = os.path.join(out_dir, name)
            os.makedirs(self.dir, exist_ok=True)
        existing = list_shards(self.dir, fs_options=fs_options)
        kept = existing[:resume]
        if len(kept) < resume or any(_shard_number(p) != i for i, p in enumerate(kept)):
            raise FileNotFoundError(f"{self.dir}: cannot resume after {resume} shard(s), found {len(kept)}")
        if existing[resume:] and not overwrite and not resume:
            raise FileExistsError(f"{self.dir} already holds {len(existing)} shard(s); remove them or pass overwrite=True")
        for path in existing[resume:] + self._stale_temporaries():
            self._remove(path)
        self._paths: list[str] = kept
        self._shard: _JsonlShard | _ParquetShard | None = None
        self._closed = False

    # -- public

    def write(self, record: dict[str, Any]) -> None:
        if self._closed:
            raise ValueError("write to a closed ShardWriter")
        if self.fmt == "parquet":
            size = _estimate_size(record)
            data: Any = record
        else:
            data = json_dumps_bytes(record) + b"\n"
            size = len(data)
        shard = self._shard
        if shard is not None and shard.records and (
            shard.records >= self.max_records or shard.bytes + size > self.max_bytes
        ):
            self._finish()
            shard = None
        if shard is None:
            shard = self._open()
        if not shard.add(data, size):  # parquet: the record does not fit this shard's schema
            self._finish()
            shard = self._open()
            shard.add(data, size)

    def close(self) -> list[str]:
        """Finish the current shard; the paths of all shards written, in order."""
        if not self._closed:
            self._closed = True
            if self._shard is not None:
                self._finish()
        return list(self._paths)

    def abort(self) -> list[str]:
        """Discard the unfinished shard; the paths of the shards finished before."""
        if not self._closed:
            self._closed = True
            shard, self._shard = self._shard, None
            if shard is not None:
                try:
                    shard.discard()
                finally:
                    self._remove(shard.tmp_path)
        return list(self._paths)

    def commit(self) -> list[str]:
        """Finish the current shard now (the next record starts a new one); the paths of all shards
        finished so far. A checkpoint taken after this names only complete shards."""
        if self._closed:
            raise ValueError("commit on a closed ShardWriter")
        if self._shard is not None:
            self._finish()
        return list(self._paths)

    @property
    def paths(self) -> list[str]:
        return list(self._paths)

    def __enter__(self) -> "ShardWriter":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # -- shards

    def _join(self, file_name: str) -> str:
        return f"{self.dir}/{file_name}" if self._fs is not None else os.path.join(self.dir, file_name)

    def _open(self) -> "_JsonlShard | _ParquetShard":
        file_name = f"{len(self._paths):05d}.{self.fmt}"
        final = self._join(file_name)
        tmp = self._join(f".{file_name}.{os.getpid()}.tmp")
        fh = self._fs.open(tmp, "wb") if self._fs is not None else open(tmp, "wb")
        cls = _ParquetShard if self.fmt == "parquet" else _JsonlShard
        self._shard = cls(fh, tmp, final, self.fmt)
        return self._shard

    def _finish(self) -> None:
        shard, self._shard = self._shard, None
        assert shard is not None
        try:
            shard.finish()
            if self._fs is None:
                shard.fh.flush()
                os.fsync(shard.fh.fileno())
        except BaseException:
            try:
                shard.discard()
            finally:
                self._remove(shard.tmp_path)
            raise
        shard.fh.close()
        if self._fs is not None:
            self._fs.mv(shard.tmp_path, shard.final_path)
        else:
            os.replace(shard.tmp_path, shard.final_path)
        self._paths.append(shard.final_path)

    def _stale_temporaries(self) -> list[str]:
        if self._fs is not None:
            names = [p.rstrip("/").rsplit("/", 1)[-1] for p in self._fs.ls(self.dir, detail=False)]
        else:
            names = os.listdir(self.dir)
        return [self._join(n) for n in sorted(names) if _TEMP_NAME.match(n)]

    def _remove(self, path: str) -> None:
        try:
            if self._fs is not None:
                self._fs.rm(path)
            else:
                os.remove(path)
        except FileNotFoundError:
            pass


class _JsonlShard:
    def __init__(self, fh: IO[bytes], tmp_path: str, final_path: str, fmt: str) -> None:
        self.fh, self.tmp_path, self.final_path = fh, tmp_path, final_path
        self.records = 0
        self.bytes = 0
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        if fmt == "jsonl.zst":
            self._comp: Any = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True).compressobj()
        elif fmt == "jsonl.gz":
            self._comp = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: gzip framing, mtime 0
        else:
            self._comp = None

    def add(self, line: bytes, size: int) -> bool:
        self._pending.append(line)
        self._pending_bytes += size
        self.records += 1
        self.bytes += size
        if self._pending_bytes >= WRITE_BUFFER_BYTES:
            self._drain()
        return True

    def _drain(self) -> None:
        data = b"".join(self._pending)
        self._pending, self._pending_bytes = [], 0
        self.fh.write(self._comp.compress(data) if self._comp is not None else data)

    def finish(self) -> None:
        self._drain()
        if self._comp is not None:
            self.fh.write(self._comp.flush())

    def discard(self) -> None:
        self.fh.close()


# ---------------------------------------------------------------- parquet


class _Encoded(str):
    """A value already turned into JSON text (it goes to a JSON column)."""


_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _kind(value: Any) -> str | None:
    t = type(value)
    if value is None:
        return None
    if t is str:
        return "str"
    if t is bool:
        return "bool"
    if t is int:
        return "int" if _INT64_MIN <= value <= _INT64_MAX else "json"
    if t is float:
        return "float"
    return "json"


def _merge_kinds(a: str | None, b: str | None) -> str | None:
    if a is None or a == b:
        return b
    if b is None:
        return a
    return "float" if {a, b} == {"int", "float"} else "json"


def _fits(kind: str, value: Any) -> bool:
    if value is None or kind == "json":
        return True
    k = _kind(value)
    return k == kind or (kind == "float" and k == "int")


def _estimate_size(record: dict[str, Any]) -> int:
    size = 0
    for value in record.values():
        size += len(value) if type(value) is str else 8
    return size


class _ParquetShard:
    def __init__(self, fh: IO[bytes], tmp_path: str, final_path: str, fmt: str) -> None:
        self.fh, self.tmp_path, self.final_path = fh, tmp_path, final_path
        self.records = 0
        self.bytes = 0
        self._rows: list[dict[str, Any]] = []
        self._rows_bytes = 0
        self._kinds: dict[str, str] | None = None  # fixed by the first row group
        self._writer: Any = None
        self._schema: Any = None

    def add(self, record: dict[str, Any], size: int) -> bool:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if _kind(value) == "json":
                value = _Encoded(json_dumps_bytes(value).decode("utf-8"))
                size += len(value)
            row[key] = value
        if self._kinds is not None and not all(
            (kind := self._kinds.get(k)) is not None and _fits(kind, v) for k, v in row.items()
        ):
            return False
        self._rows.append(row)
        self._rows_bytes += size
        self.records += 1
        self.bytes += size
        if len(self._rows) >= PARQUET_ROW_GROUP_ROWS or self._rows_bytes >= PARQUET_ROW_GROUP_BYTES:
            self._flush()
        return True

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows, self._rows, self._rows_bytes = self._rows, [], 0
        if self._kinds is None:
            kinds: dict[str, str | None] = {}
            for row in rows:
                for key, value in row.items():
                    kinds[key] = _merge_kinds(kinds.get(key), _kind(value))
            self._kinds = {k: v or "json" for k, v in kinds.items()}
            fields = [pa.field(k, _arrow_type(v)) for k, v in self._kinds.items()]
            json_cols = [k for k, v in self._kinds.items() if v == "json"]
            self._schema = pa.schema(fields, metadata={JSON_COLUMNS_KEY: json_dumps_bytes(json_cols)})
            self._writer = pq.ParquetWriter(self.fh, self._schema, compression="zstd", compression_level=ZSTD_LEVEL)
        columns = []
        for key, kind in self._kinds.items():
            values = [row.get(key) for row in rows]
            if kind == "json":
                values = [v if v is None or type(v) is _Encoded else json_dumps_bytes(v).decode("utf-8") for v in values]
            elif kind == "float":
                values = [float(v) if type(v) is int else v for v in values]
            columns.append(pa.array(values, type=_arrow_type(kind)))
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self._schema), row_group_size=len(rows))

    def finish(self) -> None:
        if self._rows or self._writer is None:
            self._flush()
        self._writer.close()

    def discard(self) -> None:
        try:
            if self._writer is not None:
                self._writer.close()  # else pyarrow complains when it is garbage-collected
        except Exception:  # noqa: BLE001 - the file is being thrown away
            pass
        finally:
            self.fh.close()


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}.get(kind, pa.string())


# ---------------------------------------------------------------- reading back


def _shard_number(path: str) -> int:
    return int(path.rstrip("/").rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1].split(".", 1)[0])


def list_shards(directory: str, *, fs_options: dict[str, Any] | None = None) -> list[str]:
    """The shard files in `directory` (as ShardWriter names them), sorted; temporary files excluded."""
    if is_url(directory):
        import fsspec

        fs = fsspec.core.url_to_fs(directory, **(fs_options or {}))[0]
        if not fs.isdir(directory):
            return []
        names = [p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(directory, detail=False)]
        base = directory.rstrip("/")
        return [f"{base}/{n}" for n in sorted(names) if SHARD_NAME.match(n)]
    if not os.path.isdir(directory):
        return []
    return [os.path.join(directory, n) for n in sorted(os.listdir(directory)) if SHARD_NAME.match(n)]


def read_records(path: str, *, fs_options: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """The records of one shard (.jsonl, .jsonl.gz, .jsonl.zst or .parquet), streamed. Errors raise:
    these are our own files, so a bad one is a bug or a damaged disk, not input to quarantine."""
    if path.lower().endswith(".parquet"):
        return _read_parquet_records(path, fs_options)
    return _read_jsonl_records(path, fs_options)


def _read_jsonl_records(path: str, fs_options: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    with open_binary(path, fs_options) as fh:
        for line in iter_lines(iter_decompressed(fh, detect_compression(path))):
            if line:
                yield json_loads(line)


def _read_parquet_records(path: str, fs_options: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    with open_binary(path, fs_options) as fh:
        pf = pq.ParquetFile(fh)
        decode = json_columns(pf.schema_arrow)
        for batch in pf.iter_batches(batch_size=PARQUET_ROW_GROUP_ROWS):
            for rec in batch.to_pylist():
                for col in decode:
                    if rec[col] is not None:
                        rec[col] = json_loads(rec[col])
                yield rec

"""Reading inputs into `Document`s: folders of .txt files, JSON Lines (plain, .gz, .zst), Parquet and
Common Crawl WET, from local paths or any fsspec URL (s3://, gs://, memory://, ...).

Every reader streams (line by line, Parquet batch by batch, WARC record by record). A bad record never
stops a run: it becomes a `Quarantined` record saying where and why, and so does a file that cannot be
read or ends early (truncated .gz/.zst), after which reading goes on with the next file. Only
problems visible before reading starts raise `InputError`: an input that does not exist, an explicit
file of an unsupported format, a folder that cannot be listed, or inputs that hold no readable file
at all. A JSONL or Parquet file holding no record yields one Quarantined record ("empty file").

Byte-level faults (`ReadOptions`, config section `input:`): invalid UTF-8 is decoded with U+FFFD
and the document carries `decode_errors` ({"count", "bytes": the first replaced sequences, hex}),
or, with `invalid_utf8: quarantine`, the record is quarantined; a record (a .txt file, a JSONL line, a
WET body, a Parquet text) holding more than `max_doc_bytes` bytes, or whose share of NUL bytes and
invalid UTF-8 passes `max_binary_byte_frac` (an image saved as .txt), is quarantined unparsed.

Resuming: `read_file(path, skip=k)` passes over the file's first k records (Documents and
Quarantined alike) without parsing them, so an interrupted run restarts inside a large file.

Ids: the `id_field` value (a string, or an integer turned into one); without it `"<file name>:<line>"`
(JSON Lines, 1-based line) or `"<file name>:<row>"` (Parquet, 0-based row); a .txt file's id is its
file name without ".txt"; a WET record's id is its WARC-Record-ID.

Folder expansion: files are taken recursively in sorted order (by path components, so the order is
the same on every machine); names starting with "." or "_" are skipped (hidden files, our writers'
temporary files, Spark's _SUCCESS and _temporary), as are files with no supported suffix.
"""

from __future__ import annotations

import codecs
import glob
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tamis.document import Document, Quarantined
from tamis.io.formats import (
    SUPPORTED_SUFFIXES,
    TruncatedInput,
    detect_compression,
    detect_format,
    is_url,
    iter_decompressed,
    iter_lines,
    json_columns,
    json_loads,
    open_binary,
)

Record = Document | Quarantined

RAW_CHARS = 200  # how much of an offending input a Quarantined record keeps
PARQUET_BATCH_ROWS = 2048
_BOM = b"\xef\xbb\xbf"
_REPLACEMENT_UTF8 = "\ufffd".encode()


_BINARY_SAMPLE = 1 << 16  # bytes looked at first to recognise binary content
MAX_DECODE_ERRORS_KEPT = 20  # replaced byte sequences listed in a document's `decode_errors`
INVALID_UTF8_MODES = ("replace", "quarantine")


class InputError(ValueError):
    """The inputs cannot be read at all (missing path, unsupported file, nothing to read)."""


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How byte-level faults are handled (config section `input:`)."""

    invalid_utf8: str = "replace"  # "replace": U+FFFD and `decode_errors`; "quarantine": the record goes
    max_doc_bytes: int | None = None  # larger records are quarantined unparsed; None = no bound
    max_binary_byte_frac: float | None = 0.3  # NUL + invalid UTF-8 bytes above this share: binary

    @classmethod
    def from_config(cls, section: dict[str, Any] | None) -> "ReadOptions":
        section = section or {}
        return cls(**{k: section[k] for k in ("invalid_utf8", "max_doc_bytes", "max_binary_byte_frac") if k in section})


class _Skip:
    """How many records of a file are still to be passed over (they were read before a restart)."""

    __slots__ = ("left", "position")

    def __init__(self, n: int) -> None:
        self.left = n
        self.position = 0  # of the last record passed over

    def take(self, position: int = 0) -> bool:
        if self.left > 0:
            self.left -= 1
            self.position = position
            return True
        return False


# ---------------------------------------------------------------- public API


def list_input_files(inputs: Iterable[str] | str, fs_options: dict[str, Any] | None = None) -> list[str]:
    """The files `inputs` stand for: folders expanded recursively, globs matched, each input's files
    in sorted order and the inputs in the order given (a file named twice is listed once).
    Raises `InputError` for a missing input or when nothing readable is found."""
    if isinstance(inputs, str):
        inputs = [inputs]
    inputs = list(inputs)
    if not inputs:
        raise InputError("no inputs given")
    files: list[str] = []
    seen: set[str] = set()
    for inp in inputs:
        expanded = _expand_url(inp, fs_options) if is_url(inp) else _expand_local(inp)
        for path in expanded:
            if path not in seen:
                seen.add(path)
                files.append(path)
    if not files:
        raise InputError(f"no readable input files in {', '.join(inputs)} (supported: {SUPPORTED_SUFFIXES})")
    return files


def read_documents(
    inputs: Iterable[str] | str,
    *,
    text_field: str = "text",
    id_field: str = "id",
    fs_options: dict[str, Any] | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Record]:
    """Every document of every input file, in `list_input_files` order. The inputs are checked now
    (raising `InputError`); the files are read lazily as the iterator is consumed."""
    files = list_input_files(inputs, fs_options)
    return _read_all(files, text_field, id_field, fs_options, options)


def read_file(
    path: str,
    *,
    text_field: str = "text",
    id_field: str = "id",
    fs_options: dict[str, Any] | None = None,
    options: ReadOptions | None = None,
    skip: int = 0,
) -> Iterator[Record]:
    """The documents of one file, its format taken from its name. A file that cannot be opened or
    read to its end yields a `Quarantined` record (position: the last position read) instead of
    raising; an unsupported file name raises `InputError` now. The first `skip` records are passed
    over unparsed (resuming a run)."""
    fmt = detect_format(path)
    if fmt is None:
        raise InputError(f"unsupported input format: {path} (supported: {SUPPORTED_SUFFIXES})")
    opts = options or ReadOptions()
    sk = _Skip(skip)
    if fmt == "txt":
        records = _read_txt(path, fs_options, opts, sk)
    elif fmt == "jsonl":
        records = _read_jsonl(path, text_field, id_field, fs_options, opts, sk)
    elif fmt == "parquet":
        records = _read_parquet(path, text_field, id_field, fs_options, opts, sk)
    else:
        from tamis.io.wet import read_wet

        records = read_wet(path, fs_options, opts, sk)
    return _guard(path, records, sk)


# ---------------------------------------------------------------- listing


def _sort_key(relpath: str) -> tuple[str, ...]:
    return tuple(relpath.split("/"))


def _skipped(name: str) -> bool:
    return name.startswith((".", "_"))


def _unlistable(exc: OSError) -> None:
    # A folder we cannot list would silently lose its documents: the run must not start.
    raise InputError(f"cannot list input folder {exc.filename}: {exc.strerror}")


def _expand_local(inp: str) -> list[str]:
    if os.path.isdir(inp):
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(inp, onerror=_unlistable):
            dirnames[:] = [d for d in dirnames if not _skipped(d)]
            rel_dir = os.path.relpath(dirpath, inp)
            for name in filenames:
                if not _skipped(name) and detect_format(name) is not None:
                    found.append(name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/"))
        found.sort(key=_sort_key)
        return [os.path.join(inp, rel) for rel in found]
    if os.path.exists(inp):
        if detect_format(inp) is None:
            raise InputError(f"unsupported input format: {inp} (supported: {SUPPORTED_SUFFIXES})")
        return [inp]
    if glob.has_magic(inp):
        matches = sorted(glob.glob(inp, recursive=True), key=lambda p: _sort_key(p.replace(os.sep, "/")))
        if matches:
            out: list[str] = []
            for m in matches:
                if os.path.isdir(m):
                    out.extend(_expand_local(m))
                elif detect_format(m) is not None:
                    out.append(m)
            return out
    raise InputError(f"no such input: {inp}")


def _expand_url(inp: str, fs_options: dict[str, Any] | None) -> list[str]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(inp, **(fs_options or {}))
    if glob.has_magic(root) and not fs.exists(root):
        matches = sorted(fs.glob(root), key=_sort_key)
        if not matches:
            raise InputError(f"no such input: {inp}")
        out: list[str] = []
        for m in matches:
            url = fs.unstrip_protocol(m)
            if fs.isdir(m):
                out.extend(_expand_url(url, fs_options))
            elif detect_format(m) is not None:
                out.append(url)
        return out
    if fs.isdir(root):
        prefix = root.rstrip("/") + "/"
        found = []
        for path in fs.find(root):
            rel = path[len(prefix) :] if path.startswith(prefix) else path.rsplit("/", 1)[-1]
            parts = rel.split("/")
            if not any(_skipped(p) for p in parts) and detect_format(rel) is not None:
                found.append(rel)
        found.sort(key=_sort_key)
        base = inp.rstrip("/")
        return [f"{base}/{rel}" for rel in found]
    if fs.exists(root):
        if detect_format(root) is None:
            raise InputError(f"unsupported input format: {inp} (supported: {SUPPORTED_SUFFIXES})")
        return [inp]
    raise InputError(f"no such input: {inp}")


# ---------------------------------------------------------------- per file


def _read_all(files: list[str], text_field: str, id_field: str, fs_options: dict[str, Any] | None,
              options: ReadOptions | None) -> Iterator[Record]:
    for path in files:
        yield from read_file(path, text_field=text_field, id_field=id_field, fs_options=fs_options, options=options)


def _guard(path: str, records: Iterator[Record], skip: _Skip) -> Iterator[Record]:
    """Turn an error that ends a file early into a Quarantined record, so the run goes on. When
    resuming, that record was already read if the error comes before the skipped records end."""
    last: int | None = None
    try:
        for rec in records:
            last = rec.position
            yield rec
    except Exception as exc:  # noqa: BLE001 - any failure of one file must not stop the run
        if skip.left:
            return
        if last is None:
            last = skip.position  # what a run that had read the skipped records would name
        if isinstance(exc, FileNotFoundError):
            error = "file not found"
        elif isinstance(exc, PermissionError):
            error = f"cannot read file: permission denied ({exc.strerror})"
        elif isinstance(exc, TruncatedInput):
            error = f"truncated or corrupt compressed file, stopped after position {last}: {exc}"
        else:
            error = f"cannot read file, stopped after position {last}: {type(exc).__name__}: {exc}"
        yield Quarantined(path, last, error)


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]


_collected = threading.local()


class _TooManyInvalid(Exception):
    pass


def _collect_invalid(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    bad = _collected.bad
    bad.append(exc.object[exc.start : exc.end])
    if len(bad) > _collected.limit:  # binary: no point decoding the rest one error at a time
        raise _TooManyInvalid()
    return "\ufffd", exc.end  # exactly what errors="replace" does


codecs.register_error("tamis-collect", _collect_invalid)


def decode_utf8(data: bytes, max_invalid: int | None = None) -> tuple[str, list[bytes]] | None:
    """`data` decoded as UTF-8, each invalid sequence replaced by U+FFFD (as errors="replace"
    does), and the invalid sequences in order; None once more than `max_invalid` are found."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        _collected.bad = bad = []
        _collected.limit = len(data) if max_invalid is None else max_invalid
        try:
            return data.decode("utf-8", errors="tamis-collect"), bad
        except _TooManyInvalid:
            return None
        finally:
            _collected.bad = []


def decode_errors(bad: list[bytes]) -> dict[str, Any]:
    """The `decode_errors` field of a document: how many sequences were replaced, the first ones."""
    return {"count": len(bad), "bytes": [b.hex() for b in bad[:MAX_DECODE_ERRORS_KEPT]]}


def check_bytes(data: bytes | str, opts: ReadOptions, what: str = "record") -> str | None:
    """Why `data` is too large to be read as a document, or None."""
    if opts.max_doc_bytes is not None and len(data) > opts.max_doc_bytes:
        return f"too large: {what} of {len(data)} bytes, over input.max_doc_bytes ({opts.max_doc_bytes})"
    return None


def decode_document(data: bytes, opts: ReadOptions) -> tuple[str, dict[str, Any]] | str:
    """Text and meta of a document's raw bytes, or why it goes to quarantine (binary content,
    invalid UTF-8 with `invalid_utf8: quarantine`)."""
    frac = opts.max_binary_byte_frac
    binary = (f"binary content: more than {frac:.0%} of its {len(data)} bytes are NUL or invalid UTF-8 "
              f"(input.max_binary_byte_frac)")
    if frac is not None and len(data) > _BINARY_SAMPLE:  # an image or archive shows in its first bytes
        sample = data[:_BINARY_SAMPLE]
        head = decode_utf8(sample, int(frac * len(sample)) + 3)  # + 3: a sequence cut at the end
        if head is None or sample.count(0) + sum(len(b) for b in head[1]) > frac * len(sample) + 3:
            return binary
    decoded = decode_utf8(data, None if frac is None else int(frac * len(data)))
    if decoded is None:
        return binary
    text, bad = decoded
    if frac is not None and data and data.count(0) + sum(len(b) for b in bad) > frac * len(data):
        return binary
    if bad:
        if opts.invalid_utf8 == "quarantine":
            return f"invalid UTF-8: {len(bad)} invalid byte sequence(s), the first {bad[0].hex()}"
        return text, {"decode_errors": decode_errors(bad)}
    return text, {}


def _read_txt(path: str, fs_options: dict[str, Any] | None, opts: ReadOptions, skip: _Skip) -> Iterator[Record]:
    if skip.take():
        return
    name = basename(path)
    doc_id = name[:-4] if name.lower().endswith(".txt") else name
    with open_binary(path, fs_options) as fh:
        data = fh.read() if opts.max_doc_bytes is None else fh.read(opts.max_doc_bytes + 1)
    if opts.max_doc_bytes is not None and len(data) > opts.max_doc_bytes:  # read only that far: "more than"
        yield Quarantined(path, 0, f"too large: file of more than {opts.max_doc_bytes} bytes, over "
                                   f"input.max_doc_bytes ({opts.max_doc_bytes})", id=doc_id)
        return
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    decoded = decode_document(data, opts)
    if isinstance(decoded, str):
        yield Quarantined(path, 0, decoded, id=doc_id, raw=_raw(data))
        return
    text, meta = decoded
    yield Document(doc_id, text, meta, source=path, position=0)


_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "integer", float: "number", bool: "boolean"}


def _json_type(value: Any) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _raw(line: bytes) -> str:
    return line[: RAW_CHARS * 4].decode("utf-8", errors="replace")[:RAW_CHARS]


_MISSING = object()


def _id_or_none(raw_id: Any) -> str | None:
    if isinstance(raw_id, str):
        return raw_id
    return str(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None


def _make_document(
    fields: dict[str, Any], text_field: str, id_field: str, default_id: str, path: str, position: int
) -> Record | str:
    """A Document from one record's fields (consumed: what is left becomes `meta`), or the error."""
    raw_id = fields.pop(id_field, None)
    if raw_id is None:
        doc_id = default_id
    elif isinstance(raw_id, str):
        doc_id = raw_id
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        doc_id = str(raw_id)
    else:
        return f"id field {id_field!r} must be a string or an integer, got {_json_type(raw_id)}"
    text = fields.pop(text_field, _MISSING)
    if text is _MISSING:
        return f"missing text field {text_field!r}"
    if not isinstance(text, str):
        return f"text field {text_field!r} must be a string, got {_json_type(text)}"
    return Document(doc_id, text, fields, source=path, position=position)


def _read_jsonl(path: str, text_field: str, id_field: str, fs_options: dict[str, Any] | None, opts: ReadOptions,
                skip: _Skip) -> Iterator[Record]:
    name = basename(path)
    empty = True
    with open_binary(path, fs_options) as fh:
        lines = iter_lines(iter_decompressed(fh, detect_compression(path)))
        for line_no, line in enumerate(lines, 1):
            if line_no == 1 and line.startswith(_BOM):
                line = line[len(_BOM) :]
            if not line or line.isspace():
                continue
            empty = False
            if skip.take(line_no):  # one record per non-blank line: read before a restart
                continue
            if (why := check_bytes(line, opts, "line")) is not None:
                yield Quarantined(path, line_no, why, raw=_raw(line))
                continue
            meta: dict[str, Any] = {}
            try:
                fields = json_loads(line)
            except UnicodeDecodeError:
                decoded = decode_document(line, opts)
                if isinstance(decoded, str):
                    yield Quarantined(path, line_no, decoded, raw=_raw(line))
                    continue
                try:
                    fields = json_loads(decoded[0])
                except (ValueError, RecursionError) as exc:
                    yield Quarantined(path, line_no, f"invalid JSON: {exc}", raw=_raw(line))
                    continue
                meta = decoded[1]
            except (ValueError, RecursionError) as exc:
                yield Quarantined(path, line_no, f"invalid JSON: {exc}", raw=_raw(line))
                continue
            if type(fields) is not dict:
                yield Quarantined(path, line_no, f"line is a JSON {_json_type(fields)}, not an object", raw=_raw(line))
                continue
            raw_id = fields.get(id_field)
            doc = _make_document(fields, text_field, id_field, f"{name}:{line_no}", path, line_no)
            if isinstance(doc, str):
                yield Quarantined(path, line_no, doc, id=_id_or_none(raw_id), raw=_raw(line))
            else:
                doc.meta.update(meta)
                yield doc
    if empty and not skip.take():  # said once, so that an empty file is not mistaken for a lost one
        yield Quarantined(path, 0, "empty file: no records")


def _read_parquet(path: str, text_field: str, id_field: str, fs_options: dict[str, Any] | None, opts: ReadOptions,
                  skip: _Skip) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = basename(path)
    with open_binary(path, fs_options) as fh:
        pf = pq.ParquetFile(fh)
        schema = pf.schema_arrow
        if text_field not in schema.names:
            if not skip.take():
                yield Quarantined(path, 0, f"missing text column {text_field!r} (columns: {', '.join(schema.names)})")
            return
        text_type = schema.field(text_field).type
        if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type) or pa.types.is_string_view(text_type)):
            if not skip.take():
                yield Quarantined(path, 0, f"text column {text_field!r} has type {text_type}, expected a string type")
            return
        decode = [c for c in json_columns(schema) if c not in (text_field, id_field)]
        if pf.metadata.num_rows == 0:
            if not skip.take():
                yield Quarantined(path, 0, "empty file: no rows")
            return
        row = 0
        for group in range(pf.num_row_groups):
            n_rows = pf.metadata.row_group(group).num_rows
            if skip.left >= n_rows:  # a whole row group read before a restart
                skip.left -= n_rows
                row += n_rows
                skip.position = row - 1
                continue
            for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, row_groups=[group]):
                for fields in batch.to_pylist():
                    if skip.take(row):
                        row += 1
                        continue
                    for col in decode:
                        if isinstance(fields.get(col), str):
                            fields[col] = json_loads(fields[col])
                    raw_id = fields.get(id_field)
                    text = fields.get(text_field)
                    too_big = check_bytes(text.encode("utf-8", "surrogatepass"), opts, "text") if (
                        isinstance(text, str) and opts.max_doc_bytes is not None and len(text) * 4 > opts.max_doc_bytes
                    ) else None
                    doc = too_big or _make_document(fields, text_field, id_field, f"{name}:{row}", path, row)
                    if isinstance(doc, str):
                        yield Quarantined(path, row, doc, id=_id_or_none(raw_id))
                    else:
                        yield doc
                    row += 1

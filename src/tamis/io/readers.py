"""Reading inputs into `Document`s: folders of .txt files, JSON Lines (plain, .gz, .zst), Parquet and
Common Crawl WET, from local paths or any fsspec URL (s3://, gs://, memory://, ...).

Every reader streams (line by line, Parquet batch by batch, WARC record by record). A bad record never
stops a run: it becomes a `Quarantined` record saying where and why, and so does a file that cannot be
read or ends early (truncated .gz/.zst), after which reading goes on with the next file. Only
problems visible before reading starts raise `InputError`: an input that does not exist, an explicit
file of an unsupported format, or inputs that hold no readable file at all.

Ids: the `id_field` value (a string, or an integer turned into one); without it `"<file name>:<line>"`
(JSON Lines, 1-based line) or `"<file name>:<row>"` (Parquet, 0-based row); a .txt file's id is its
file name without ".txt"; a WET record's id is its WARC-Record-ID.

Folder expansion: files are taken recursively in sorted order (by path components, so the order is
the same on every machine); names starting with "." or "_" are skipped (hidden files, our writers'
temporary files, Spark's _SUCCESS and _temporary), as are files with no supported suffix.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
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


class InputError(ValueError):
    """The inputs cannot be read at all (missing path, unsupported file, nothing to read)."""


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
) -> Iterator[Record]:
    """Every document of every input file, in `list_input_files` order. The inputs are checked now
    (raising `InputError`); the files are read lazily as the iterator is consumed."""
    files = list_input_files(inputs, fs_options)
    return _read_all(files, text_field, id_field, fs_options)


def read_file(
    path: str,
    *,
    text_field: str = "text",
    id_field: str = "id",
    fs_options: dict[str, Any] | None = None,
) -> Iterator[Record]:
    """The documents of one file, its format taken from its name. A file that cannot be opened or
    read to its end yields a `Quarantined` record (position: the last position read) instead of
    raising; an unsupported file name raises `InputError` now."""
    fmt = detect_format(path)
    if fmt is None:
        raise InputError(f"unsupported input format: {path} (supported: {SUPPORTED_SUFFIXES})")
    if fmt == "txt":
        records = _read_txt(path, fs_options)
    elif fmt == "jsonl":
        records = _read_jsonl(path, text_field, id_field, fs_options)
    elif fmt == "parquet":
        records = _read_parquet(path, text_field, id_field, fs_options)
    else:
        from tamis.io.wet import read_wet

        records = read_wet(path, fs_options)
    return _guard(path, records)


# ---------------------------------------------------------------- listing


def _sort_key(relpath: str) -> tuple[str, ...]:
    return tuple(relpath.split("/"))


def _skipped(name: str) -> bool:
    return name.startswith((".", "_"))


def _expand_local(inp: str) -> list[str]:
    if os.path.isdir(inp):
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(inp):
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


def _read_all(files: list[str], text_field: str, id_field: str, fs_options: dict[str, Any] | None) -> Iterator[Record]:
    for path in files:
        yield from read_file(path, text_field=text_field, id_field=id_field, fs_options=fs_options)


def _guard(path: str, records: Iterator[Record]) -> Iterator[Record]:
    """Turn an error that ends a file early into a Quarantined record, so the run goes on."""
    last = 0
    try:
        for rec in records:
            last = rec.position
            yield rec
    except FileNotFoundError:
        yield Quarantined(path, last, "file not found")
    except TruncatedInput as exc:
        yield Quarantined(path, last, f"truncated or corrupt compressed file, stopped after position {last}: {exc}")
    except Exception as exc:  # noqa: BLE001 - any failure of one file must not stop the run
        yield Quarantined(path, last, f"cannot read file, stopped after position {last}: {type(exc).__name__}: {exc}")


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]


def decode_utf8(data: bytes) -> tuple[str, int]:
    """`data` decoded as UTF-8, each invalid sequence replaced by U+FFFD, and how many were replaced."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, text.count("\ufffd") - data.count(_REPLACEMENT_UTF8)


def _read_txt(path: str, fs_options: dict[str, Any] | None) -> Iterator[Record]:
    with open_binary(path, fs_options) as fh:
        data = fh.read()
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    text, n_bad = decode_utf8(data)
    name = basename(path)
    doc_id = name[:-4] if name.lower().endswith(".txt") else name
    yield Document(doc_id, text, {"_decode_errors": n_bad} if n_bad else {}, source=path, position=0)


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


def _read_jsonl(path: str, text_field: str, id_field: str, fs_options: dict[str, Any] | None) -> Iterator[Record]:
    name = basename(path)
    with open_binary(path, fs_options) as fh:
        lines = iter_lines(iter_decompressed(fh, detect_compression(path)))
        for line_no, line in enumerate(lines, 1):
            if line_no == 1 and line.startswith(_BOM):
                line = line[len(_BOM) :]
            if not line or line.isspace():
                continue
            try:
                fields = json_loads(line)
            except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
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
                yield doc


def _read_parquet(path: str, text_field: str, id_field: str, fs_options: dict[str, Any] | None) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = basename(path)
    with open_binary(path, fs_options) as fh:
        pf = pq.ParquetFile(fh)
        schema = pf.schema_arrow
        if text_field not in schema.names:
            yield Quarantined(path, 0, f"missing text column {text_field!r} (columns: {', '.join(schema.names)})")
            return
        text_type = schema.field(text_field).type
        if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type) or pa.types.is_string_view(text_type)):
            yield Quarantined(path, 0, f"text column {text_field!r} has type {text_type}, expected a string type")
            return
        decode = [c for c in json_columns(schema) if c not in (text_field, id_field)]
        row = 0
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for fields in batch.to_pylist():
                for col in decode:
                    if isinstance(fields.get(col), str):
                        fields[col] = json_loads(fields[col])
                raw_id = fields.get(id_field)
                doc = _make_document(fields, text_field, id_field, f"{name}:{row}", path, row)
                if isinstance(doc, str):
                    yield Quarantined(path, row, doc, id=_id_or_none(raw_id))
                else:
                    yield doc
                row += 1

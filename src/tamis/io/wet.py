"""Common Crawl WET files: the plain text Common Crawl extracted from each page, one WARC
`conversion` record per page, read with FastWARC.

A Document per conversion record: id = WARC-Record-ID, text = the record body (UTF-8, see
`tamis.io.readers.decode_document` for invalid sequences, binary bodies and the size bound), meta `url` (WARC-Target-URI), `date`
(WARC-Date) and, when present, `content_language` (WARC-Identified-Content-Language, Common Crawl's
comma-separated ISO 639-3 guess such as "vie,eng"). `position` is the record's 0-based index among all
records of the file (the leading warcinfo record is 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tamis.document import Document, Quarantined
from tamis.io.formats import DecompressedReader, detect_compression, is_url, open_binary


def read_wet(path: str, fs_options: dict[str, Any] | None = None, opts: Any = None,
             skip: Any = None) -> Iterator[Document | Quarantined]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    from tamis.io.readers import ReadOptions, _Skip, basename, check_bytes, decode_document

    opts = opts or ReadOptions()
    skip = skip or _Skip(0)

    name = basename(path)
    compression = detect_compression(path)
    fh = None if compression is None and not is_url(path) else open_binary(path, fs_options)
    # FastWARC reads a local uncompressed file natively; gzip goes through our decompressor, which,
    # unlike FastWARC's, reports a file that ends inside a gzip member.
    stream: Any = path if fh is None else fh if compression is None else DecompressedReader(fh, compression)
    try:
        for index, record in enumerate(ArchiveIterator(stream, parse_http=False)):
            if record.record_type != WarcRecordType.conversion:
                continue
            headers = record.headers
            doc_id = record.record_id or f"{name}:{index}"
            body = record.reader.read()
            if len(body) < record.content_length:
                if not skip.take(index):
                    yield Quarantined(
                        path, index, f"truncated WET record: {len(body)} of {record.content_length} bytes", id=doc_id
                    )
                return
            if skip.take(index):  # one record per conversion record: read before a restart
                continue
            decoded = check_bytes(body, opts, "record") or decode_document(body, opts)
            if isinstance(decoded, str):
                yield Quarantined(path, index, decoded, id=doc_id)
                continue
            text, extra = decoded
            meta: dict[str, Any] = {"url": headers.get("WARC-Target-URI"), "date": headers.get("WARC-Date")}
            lang = headers.get("WARC-Identified-Content-Language")
            if lang:
                meta["content_language"] = lang
            meta.update(extra)
            yield Document(doc_id, text, meta, source=path, position=index)
    except BaseException as exc:
        # FastWARC reports some malformed input as a Rust panic, which is not an Exception.
        if type(exc).__name__ == "PanicException":
            raise RuntimeError(f"FastWARC failed: {exc}") from None
        raise
    finally:
        if fh is not None:
            fh.close()

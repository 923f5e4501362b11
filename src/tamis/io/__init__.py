"""Reading inputs into Documents and writing records into shards."""

from tamis.io.readers import InputError, list_input_files, read_documents, read_file
from tamis.io.writers import SHARD_FORMATS, ShardWriter, list_shards, read_records

__all__ = [
    "InputError",
    "SHARD_FORMATS",
    "ShardWriter",
    "list_input_files",
    "list_shards",
    "read_documents",
    "read_file",
    "read_records",
]

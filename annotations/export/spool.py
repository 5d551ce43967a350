"""Bytes an archive writes before it can place them: a temporary file, read back in any order.

A ZIP's entries are written one after another, but the archive reads each annotation once and
makes every format of its reading from it (CSV, JSON-LD, HTML, Markdown). What is made for the
entries not yet being written goes to a `Spool` on disk, as spans (offset, length); memory
holds only the spans. `Part` is one entry's spans in order.
"""

import os
import tempfile


class Spool:
    def __init__(self):
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.size = 0
        self.flushed = False

    def write(self, data):
        """Append `data` (bytes); its (offset, length)."""
        offset = self.size
        self.file.write(data)
        self.size += len(data)
        return offset, len(data)

    def read(self, offset, length):
        # pread, not mmap: pages mapped in would count as the process's own memory.
        if not self.flushed:
            self.file.flush()
            self.flushed = True
        return os.pread(self.file.fileno(), length, offset)

    def close(self):
        self.file.close()


class Part:
    """One entry's bytes, written to a spool a chunk at a time, read back in order."""

    def __init__(self, spool):
        self.spool, self.spans = spool, []

    def write(self, data):
        if data:
            self.spans.append(self.spool.write(data))

    def __iter__(self):
        for offset, length in self.spans:
            yield self.spool.read(offset, length)

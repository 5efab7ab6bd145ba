"""``with fs.transaction:``: every write of the block is published at its end, or none is.

Inside the block, writers send their content (an Upload's parts go up as they are written)
but make no file: no ``POST /files``, no ``complete``. Nothing is visible to other clients.

At the end of a block left normally, every file is made, in the order the writers were
closed; only once all of them exist are the overwrite policies applied (older versions
deleted). If making one fails, the files already made are deleted again and the rest are
cancelled, so no name gets a new file and no older version is deleted; the error is then
raised. A block left by an exception cancels every write. A writer discarded inside the
block is left out; one still open at the end fails the whole transaction.

What "all" cannot promise: between the first file made and the last, a reader elsewhere may
see some of the new files (the service has no atomic multi-file publish), and if deleting
them again fails too, the error names the files left behind.
"""

from __future__ import annotations

import logging
from typing import Any

from fsspec.transaction import Transaction

logger = logging.getLogger("openaifs")


class OpenAITransaction(Transaction):
    """The transaction type of :class:`~openaifs.core.OpenAIFileSystem`."""

    def start(self) -> None:
        """Begin; a transaction inside another one is refused (fsspec would silently drop
        the outer block's writes)."""
        if self.fs._intrans:
            raise RuntimeError(
                "a transaction is already open on this filesystem; nest the writes in it "
                "instead of opening another"
            )
        super().start()

    def complete(self, commit: bool = True) -> None:
        """Publish every deferred write (``commit``) or cancel them all."""
        writers = list(self.files)
        self.files.clear()
        try:
            if commit:
                self._publish_all(writers)
            else:
                for writer in writers:
                    writer.discard()
        finally:
            if self.fs is not None:
                self.fs._intrans = False
                self.fs._transaction = None
            self.fs = None

    @staticmethod
    def _publish_all(writers: list[Any]) -> None:
        writers = [w for w in writers if not w.discarded]  # given up inside the block
        unclosed = [w for w in writers if w.closed_seq is None]
        if unclosed:
            for writer in writers:
                writer.discard()
            names = ", ".join(f"openai://{w.path}" for w in unclosed)
            raise ValueError(
                f"the transaction ended with files still open ({names}); close every file "
                "before the block ends. Nothing was published"
            )
        writers.sort(key=lambda w: w.closed_seq)
        made: list[tuple[Any, dict]] = []
        for index, writer in enumerate(writers):
            try:
                made.append((writer, writer.make()))
                writer.publisher.confirm(writer.target, writer.file)
            except BaseException as exc:
                for rest in writers[index + 1 :]:
                    rest.discard()
                _withdraw(made, exc)
                raise
        for writer, file in made:
            writer.publisher.apply_policy(writer.target, file)


def _withdraw(made: list[tuple[Any, dict]], cause: BaseException) -> None:
    """Delete the files a failed transaction already made; say so loudly if that fails."""
    if not made:
        return
    catalog = made[0][0].publisher.catalog
    files = [file for _, file in made]
    try:
        catalog.delete_files(files, "a failed transaction")
    except Exception as exc:
        names = ", ".join(f"openai://{w.target.path} ({f['id']})" for w, f in made)
        raise OSError(
            f"the transaction failed ({cause}) and these files it had already made could "
            f"not be deleted again: {names}: {exc}"
        ) from cause
    logger.info("transaction failed: withdrew %d file(s) it had made", len(files))

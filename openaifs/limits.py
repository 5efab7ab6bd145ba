"""The service's facts that the client and the local server share, defined once.

Purposes, size limits and page sizes come from the OpenAI Files and Uploads documentation
(``../shared/API.md`` in the project's notes). Sizes the service states in MB/GB are decimal.
"""

from __future__ import annotations

#: The URL scheme of the file system.
PROTOCOL = "openai"
#: What every file id starts with.
FILE_ID_PREFIX = "file-"

#: Purposes a user may upload to.
WRITABLE_PURPOSES: tuple[str, ...] = (
    "assistants",
    "batch",
    "fine-tune",
    "vision",
    "user_data",
    "evals",
)
#: Purposes only the service creates files in; read-only for users.
OUTPUT_PURPOSES: tuple[str, ...] = ("assistants_output", "batch_output", "fine-tune-results")
KNOWN_PURPOSES: tuple[str, ...] = WRITABLE_PURPOSES + OUTPUT_PURPOSES
#: Purposes whose files must be JSON Lines (the service checks the filename's extension).
JSONL_PURPOSES: tuple[str, ...] = ("batch", "fine-tune")

MiB = 2**20
#: The largest file one ``POST /files`` accepts ("512 MB").
MAX_FILE_SIZE = 512_000_000
#: The largest file of purpose ``batch`` ("200 MB").
MAX_BATCH_SIZE = 200_000_000
#: The largest Upload ("8 GB").
MAX_UPLOAD_SIZE = 8_000_000_000
#: The largest Upload part (64 MiB).
MAX_PART_SIZE = 64 * MiB
#: The storage of one project ("2.5 TB").
PROJECT_STORAGE_LIMIT = 2_500_000_000_000

#: ``expires_after[seconds]`` bounds: one hour to thirty days.
MIN_EXPIRES_AFTER = 3600
MAX_EXPIRES_AFTER = 2_592_000

#: The largest (and default) ``limit`` of one ``GET /files`` page.
MAX_LIST_LIMIT = 10_000

#: Not the service's: the header in which openaifs names an Upload part's place in the final
#: file (0 for the first). The OpenAI service ignores it; the local server hashes parts in
#: that order as they arrive, whatever order they reach it in.
PART_INDEX_HEADER = "X-OpenAIFS-Part-Index"

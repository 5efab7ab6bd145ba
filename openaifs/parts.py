"""How a transfer of ``size`` bytes is cut into parts sent (or fetched) on several connections.

One rule serves uploads (Uploads API parts) and ranged downloads: parts of about equal size,
so that no small last part finishes a wave late, and, once there are more parts than
connections, a whole number of parts per connection, so that the last wave keeps every
connection busy.
"""

from __future__ import annotations

from openaifs.limits import MiB

#: Parts below this size are not worth another request: at 25 MB/s a 4 MiB part takes
#: about 170 ms, four times a typical request's round trip.
MIN_PART_SIZE = 4 * MiB


def plan_parts(
    size: int, *, max_part: int, concurrency: int, min_part: int = MIN_PART_SIZE
) -> list[tuple[int, int]]:
    """The ``(offset, length)`` of each part of ``size`` bytes, in order.

    Parameters
    ----------
    size : int
        The total number of bytes (0 gives no part).
    max_part : int
        The largest part.
    concurrency : int
        Connections available. A size that needs fewer parts than connections is cut into
        more, smaller parts (none below ``min_part``) so that every connection works; a
        size that needs more is cut into a multiple of ``concurrency`` parts.
    min_part : int
        The smallest part worth a request of its own, when cutting for concurrency.

    Returns
    -------
    list of (int, int)
        Contiguous parts covering ``0..size``, whose lengths differ by at most one byte.
    """
    if size <= 0:
        return []
    if max_part < 1 or concurrency < 1:
        raise ValueError("max_part and concurrency must be at least 1")
    count = -(-size // max_part)
    if count < concurrency:
        count = max(count, min(concurrency, size // max(1, min(min_part, max_part))))
    else:
        count = -(-count // concurrency) * concurrency
    count = min(count, size)
    # Exactly ``count`` parts: the first ``size % count`` are one byte longer.
    base, longer = divmod(size, count)
    plan = []
    offset = 0
    for index in range(count):
        length = base + (index < longer)
        plan.append((offset, length))
        offset += length
    return plan

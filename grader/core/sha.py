"""sha256 without importing hashlib, which loads OpenSSL first (~7 ms of a ~150 ms start-up).

CPython's own sha256 module gives the same digests; another interpreter gets hashlib's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha256 import sha256  # CPython <= 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # CPython >= 3.12
        except ImportError:
            from hashlib import sha256

__all__ = ["sha256"]

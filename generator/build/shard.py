"""Deterministic sharding of clients for CI fan-out: the same id always lands in the same shard."""

from __future__ import annotations

import hashlib


def in_shard(client_id: str, k: int, n: int) -> bool:
    """True when client_id belongs to shard k of n (1-based); the shards partition every set of ids."""
    digest = int.from_bytes(hashlib.sha256(client_id.encode()).digest()[:8], "big")
    return digest % n == k - 1

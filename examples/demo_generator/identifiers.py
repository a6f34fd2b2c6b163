"""Deterministic identifiers: commit shas, config fingerprints, run ids and argument hashes."""

from __future__ import annotations

import hashlib
import random
import uuid


def digest(*parts: object, n: int = 16) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


def fake_sha(label: str) -> str:
    return hashlib.sha1(label.encode()).hexdigest()


def fingerprint(*parts: object) -> str:
    return "cfg-" + digest(*parts, n=12)


def run_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


SHA = {
    "code_review_old": fake_sha("workflows/code_review.yaml: review team runs in parallel"),
    "code_review": fake_sha("workflows/code_review.yaml: review team runs sequentially"),
    "deep_research": fake_sha("workflows/research.yaml: consensus research team"),
    "release_notes": fake_sha("workflows/release_notes.yml: hierarchical release team"),
    "support_triage": fake_sha("workflows/support_triage.yaml: removed"),
}
FINGERPRINT = {key: fingerprint(key, sha) for key, sha in SHA.items()}

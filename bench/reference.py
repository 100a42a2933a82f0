#!/usr/bin/env python3
"""The routing of policies/support.yaml written the way an analyst would in pandas.

This is the benchmark's reference point (bench/run.sh): what `handoff replay` replaces. It
implements the decision semantics of DESIGN §2 for that one policy:

- rules are tried in order; a matching rule without `continue` ends the evaluation;
- the decision is the highest-ranked tier among the matched rules (`ai` < L1 < L2 < L3);
- a rule matches only when its condition is true: a missing (empty) value never matches;
- keywords are whole words, case-insensitive, on NFC-normalised text; `cancel*` matches any
  word that starts with `cancel`.

It prints the number of tickets decided per tier, one `tier count` line each, for the script
to compare with `handoff replay --format json`. It does not reproduce handoff's rejection of
bad records: the generated benchmark files have none.

Usage: reference.py TICKETS.csv
"""

import re
import sys
import unicodedata

import numpy as np
import pandas as pd

TIERS = ["ai", "L1", "L2", "L3"]  # rank = index


def keyword_pattern(keywords):
    """A regex that finds any of `keywords` as a whole word (`kw*` = a word starting with kw)."""
    parts = []
    for keyword in keywords:
        if keyword.endswith("*"):
            parts.append(re.escape(keyword[:-1]))
        else:
            parts.append(re.escape(keyword) + r"(?!\w)")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")")


LEGAL = keyword_pattern(["legal", "lawyer*", "lawsuit", "attorney", "gdpr", "subpoena"])
CANCEL = keyword_pattern(["cancel*", "refund*", "chargeback"])
TRUE_WORDS = {"true", "yes", "y", "1", "t"}


def normalise(text):
    # ASCII needs no NFC pass; lower-casing is enough.
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text).lower()


def main(path):
    columns = ["text", "confidence", "sentiment", "customer_tier", "requested_human"]
    frame = pd.read_csv(
        path,
        usecols=columns,
        dtype=str,
        keep_default_na=False,  # only an empty cell is missing, as in handoff
    )
    text = frame["text"].map(normalise)
    has_text = text.str.len() > 0
    legal = has_text & text.str.contains(LEGAL)
    cancel = has_text & text.str.contains(CANCEL)
    enterprise = frame["customer_tier"].str.strip().str.lower() == "enterprise"
    # NaN (missing or not a number) compares false: missing values never match.
    confidence = pd.to_numeric(frame["confidence"].str.strip(), errors="coerce")
    sentiment = pd.to_numeric(frame["sentiment"].str.strip(), errors="coerce")
    asks_for_human = frame["requested_human"].str.strip().str.lower().isin(TRUE_WORDS)

    # The first matching rule without `continue` ends evaluation; np.select takes the first
    # true condition, which is exactly that.
    stopping = np.select(
        [
            legal.to_numpy(),  # legal-risk → L3
            (cancel & enterprise).to_numpy(),  # enterprise-cancel → L2
            (confidence < 0.80).to_numpy(),  # low-confidence → L1
            (sentiment < -0.5).to_numpy(),  # angry-customer → L1
        ],
        [3, 2, 1, 1],
        default=0,
    )
    # asks-for-human (→ L1, continue: true) is recorded first; the highest tier wins.
    rank = np.maximum(stopping, np.where(asks_for_human.to_numpy(), 1, 0))
    counts = np.bincount(rank, minlength=len(TIERS))
    for tier, count in zip(TIERS, counts):
        print(f"{tier} {count}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1])

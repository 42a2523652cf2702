"""A record's label fields: the outlet's political leaning, the section, the country ... kept with the article.

JSON/JSONL/CSV exports often carry a label beside the text (ReCOVery's `political_bias`, a scraper's `section`):
they are what an analyst groups outlets by (the dashboard's Outlets page). The fields kept are LABEL_FIELDS, or
the comma-separated names in $MONITOR_LABEL_FIELDS (which replace them; empty: none). Field names are compared
case-, space- and hyphen-insensitively ("Political Bias" is `political_bias`) and stored in that snake_case.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping

# The default label fields: leaning, reliability and placement labels common in news datasets and exports.
LABEL_FIELDS = (
    "bias", "political_bias", "leaning", "political_leaning", "partisanship", "section", "category",
    "country", "region", "media_type", "outlet_type", "reach", "reliability", "factuality", "mbfc_level",
)
LABELS_VARIABLE = "MONITOR_LABEL_FIELDS"
# A label is a short category: longer values (a text pasted in the wrong column) are not labels.
MAX_VALUE_CHARS = 200
MAX_VALUES_PER_FIELD = 20
_SEPARATORS = re.compile(r"[\s\-]+")


def field_key(name: str) -> str:
    """Return a field's name as stored: NFKC, lower-case, spaces and hyphens as underscores, no edges."""
    folded = unicodedata.normalize("NFKC", name).casefold().strip()
    return _SEPARATORS.sub("_", folded).strip("_")


def label_fields(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Return the field names kept as labels: $MONITOR_LABEL_FIELDS (comma-separated) when set, else LABEL_FIELDS."""
    given = (os.environ if environ is None else environ).get(LABELS_VARIABLE)
    if given is None:
        return LABEL_FIELDS
    return tuple(dict.fromkeys(key for part in given.split(",") if (key := field_key(part))))


def record_labels(record: Mapping[object, object], fields: Iterable[str], skip: Iterable[object] = ()
                  ) -> tuple[tuple[str, str], ...]:
    """Return the (field, value) label pairs of a record: its keys among `fields` (by field_key), not in `skip`
    (the keys read as text, title, date ...). A value is a string, a number or a boolean, or a list of them
    (several labels); blanks, nulls, objects and over-long values are left out. In the record's key order."""
    wanted = {field_key(name) for name in fields}
    skipped = set(skip)
    pairs: list[tuple[str, str]] = []
    for key, value in record.items():
        if not isinstance(key, str) or key in skipped or (name := field_key(key)) not in wanted:
            continue
        values = value if isinstance(value, list) else [value]
        for one in values[:MAX_VALUES_PER_FIELD]:
            text = _label_value(one)
            if text is not None and (name, text) not in pairs:
                pairs.append((name, text))
    return tuple(pairs)


def _label_value(value: object) -> str | None:
    """Return one label value as a clean one-line string, or None when it is no label."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value) if value == value else ""  # NaN is no label
    elif isinstance(value, str):
        text = value
    else:
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    # Lone surrogates (a field that was not UTF-8) cannot be stored.
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")
    return cleaned if cleaned and len(cleaned) <= MAX_VALUE_CHARS else None

"""Page furniture: what a news page prints around an article that is not the article.

Caption toggles ("Hide Caption 3 of 12", "Enlarge this image toggle caption ..."), video rails ("Replay More
Videos ... MUST WATCH"), photo-credit labels ("Image source, Getty Images"), ads ("Advertisement"), share and
newsletter prompts ("Share this story!", "Sign up for our newsletter", "Click here to read more", "Read More").

Why it is removed from the *text* before the NLP reads it (``strip_furniture``), not only kept out of the names:
it is never the article's, so it must not feed anything the article is measured by. As text it glues onto the
names next to it ("Donald Trump Hide Caption" typed a person), it dilutes the article's tone (a sentence
"Advertisement" scores 0) or tilts it (VADER scores "Share", "Like" and "Follow" positive) and it hits topics
("Sign up for our coronavirus newsletter"). ``furniture_regions`` finds the same phrases in a sentence for the
entity step too, so a text that reached the NLP unstripped still yields no entity from them.
"""
from __future__ import annotations

import re

# Phrases that are furniture wherever they stand, in any case. A caption counter ("3 of 12") goes with them.
_INLINE = re.compile(
    r"\b(?:hide|show|toggle|close|expand)\s+caption(?:\s+\d+\s+of\s+\d+)?\b"
    r"|\benlarge\s+this\s+image\b"
    r"|\breplay\s+more\s+videos(?:\s*\.{3}|\s*…)?"
    r"|\bmore\s+videos\s*(?:\.{3}|…)"
    r"|\bmust\s+watch\b(?=\s*(?:$|[A-Z\n]))"
    r"|\bmedia\s+playback\s+is\s+unsupported\s+on\s+your\s+device\b"
    r"|\bimage\s+(?:source|copyright|caption|credit)\s*[,:]"
    r"|\bphoto\s+illustration\s*(?:by|:)\s*[^.;\n]{0,80}\.?|\b(?-i:Photo [Ii]llustration|PHOTO ILLUSTRATION)\b"
    r"|\(\s*read\s+more\s*\)|[-–—]\s*read\s+more\b",
    re.IGNORECASE)
# The same labels written as their own title ("Image Source Getty Images"): only capitalised.
_LABELS = re.compile(r"\bImage (?:[Ss]ource|[Cc]opyright|[Cc]redit)\b|\bIMAGE (?:SOURCE|COPYRIGHT|CREDIT)\b")
# Prompts that are furniture when they start a sentence or a line, capitalised ("Sign up", "Sign Up", "SIGN UP").
_PROMPT_WORDS = ("Click here", "Sign up", "Subscribe", "Share this", "Read more", "Follow us", "Like us on",
                 "Think your friends would be interested", "Story continues below", "Continue reading",
                 "Article continues below")
_PROMPTS = re.compile(
    r"(?:(?<=^)|(?<=\n)|(?<=[.!?…]\s)|(?<=[.!?…][\"\u201d\u2019)]\s)|(?<=\?\s\s))"
    r"(?:" + "|".join(f"{p[0]}(?i:{re.escape(p[1:])})" for p in _PROMPT_WORDS) + r")\b"
    # to the sentence's end: a mark after a word (not an initial, "N.B.A.", "M.") before a capital or the end
    r"[^\n]*?(?:(?<![A-Z])(?<!\b[A-Z][a-z])[.!?]+(?=\s+[A-Z\"\u201c]|\s*$)|$)")
# A sentence or line that is nothing but one of these words (share rails, ad slots).
_ALONE = re.compile(
    r"^\W*(?:advertisement|ad|sponsored|advert|read more|share|share this|share this article|share this story|tweet"
    r"|email|e-mail|print|facebook|twitter|reddit|pinterest|linkedin|whatsapp|flipboard|comments?|close|skip"
    r"|skip ad|related|related articles?|more from [\w ]{1,40}|follow us|watch|listen|caption"
    r"|[\d.,]+k?\s+shares?(?:\s+facebook)?)\W*$",
    re.IGNORECASE)
# A photo credit NPR prints twice after "toggle caption": "Elias Williams for NPR Elias Williams for NPR".
_DOUBLED = re.compile(r"^(?P<credit>\S.{2,80}?)\s+(?P=credit)\s*$")
# Headlines of other stories: "Related: ...", "RELATED: ...", "READ MORE: ...".
_RELATED = re.compile(r"^\s*(?:Related|RELATED|Read more|READ MORE|Also read|ALSO READ|WATCH|Watch)\s*:.*$")


def furniture_regions(text: str) -> list[tuple[int, int]]:
    """Return the character ranges of `text` (a sentence) that are page furniture.

    A toggled caption's credit ("toggle caption Elias Williams for NPR ...") runs to the sentence's end;
    a sentence that is furniture alone ("Advertisement", "Related: ...") is one region.
    """
    if _ALONE.match(text) or _RELATED.match(text):
        return [(0, len(text))]
    regions = []
    for match in (*_INLINE.finditer(text), *_LABELS.finditer(text), *_PROMPTS.finditer(text)):
        start, end = match.span()
        rest = text[end:]
        if re.match(r"\s*(?:toggle\s+caption|image\s+(?:source|copyright|credit))", match.group(), re.IGNORECASE) \
                or _DOUBLED.match(rest.strip()):
            end = _credit_end(text, end)
        regions.append((start, end))
    return regions


def _credit_end(text: str, start: int) -> int:
    """Return where the credit that starts at `start` ends: at an "Image caption" label, else the text's end
    (a credit has initials and agencies with periods: "J. Scott Applewhite/AP", "U.S. Navy")."""
    label = re.compile(r"\bimage\s+caption\b", re.IGNORECASE).search(text, start)
    return label.start() if label else len(text)


def strip_furniture(text: str) -> str:
    """Return `text` with its page furniture removed, paragraphs (blank-line breaks) kept.

    A paragraph left with nothing but punctuation, a counter or a doubled credit is dropped whole.
    """
    kept = []
    for paragraph in re.split(r"(\n\s*\n)", text):
        if not paragraph.strip() or paragraph.isspace():
            kept.append(paragraph)
            continue
        lines = [_strip_line(line) for line in paragraph.split("\n")]
        kept.append("\n".join(line for line in lines if line is not None))
    out = "".join(kept)
    return re.sub(r"(?:\n\s*){3,}", "\n\n", out).strip("\n") if out != text else text


def _strip_line(line: str) -> str | None:
    """Return one line without its furniture, or None when nothing of the article is left in it."""
    regions = furniture_regions(line)
    if not regions:
        return line
    out, last = [], 0
    for start, end in sorted(regions):
        if start >= last:
            out.append(line[last:start])
        last = max(last, end)
    out.append(line[last:])
    rest = re.sub(r"[ \t]{2,}", " ", "".join(out)).strip().lstrip(".,;:|-–— ")
    if not re.search(r"[^\W\d_]{2,}", rest) or _DOUBLED.match(rest) or _ALONE.match(rest):
        return None
    return rest

"""A generated corpus of fictional news articles, for tests that need many of them.

People, outlets and places are invented. Each article is distinct (its own date, subject
and wording), so every one is stored; `near_copies` adds lightly edited copies of some
articles in another outlet, which the store groups into one story.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

PEOPLE = ("Mara Velloso", "Tomas Brandt", "Ines Okafor", "Jonas Pereira", "Lena Marsh", "Odile Vance")
OUTLETS = ("The Northbridge Courier", "Lakeside Ledger", "Harbour Evening Post")
SUBJECTS = ("the tram line", "the harbour plan", "the flood defences", "the school budget", "the ferry strike",
            "the new library", "the bridge repairs", "the market hall", "the river clean-up", "the bus fares")
MOODS = (("praised", "a great success that will bring jobs"), ("attacked", "a reckless waste of money"),
         ("questioned", "a plan with open questions"), ("welcomed", "a wonderful step for the city"))


def article_text(n: int) -> tuple[str, str, str, str]:
    """Return (date, outlet, title, body) of fictional article number ``n``; different n, different text."""
    day = date(2021, 1, 4) + timedelta(days=n % 180)
    speaker, rival = PEOPLE[n % len(PEOPLE)], PEOPLE[(n * 5 + 1) % len(PEOPLE)]
    subject = SUBJECTS[n % len(SUBJECTS)]
    verb, judgement = MOODS[n % len(MOODS)]
    surname = speaker.split()[-1]
    body = (
        f"{speaker} {verb} {subject} at a meeting in Northbridge on day {n} of the council session. "
        f"{surname} said it was {judgement}. {rival} replied that voters deserved better than {subject}. "
        f"Residents interviewed after meeting number {n} were divided about the cost and the timetable.\n\n"
        f"The council will vote on {subject} next month. {rival} promised to campaign against it, "
        f"while {surname} said the economy would grow."
    )
    return day.isoformat(), OUTLETS[n % len(OUTLETS)], f"{speaker} {verb} {subject} ({n})", body


def write_article(folder: Path, name: str, day: str, outlet: str, title: str, body: str) -> Path:
    """Write one article as a .txt file with header lines; return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"date {day}\ntitle: {title}\nsource: {outlet}\n\n{body}\n", encoding="utf-8")
    return path


def write_corpus(folder: Path, count: int, start: int = 0, near_copies: int = 0) -> list[Path]:
    """Write articles ``start`` .. ``start + count - 1`` (and ``near_copies`` edited copies) into ``folder``."""
    paths = []
    for n in range(start, start + count):
        paths.append(write_article(folder, f"article-{n:04d}.txt", *article_text(n)))
    for n in range(start, start + near_copies):
        day, _outlet, title, body = article_text(n)
        other = OUTLETS[(n + 1) % len(OUTLETS)]
        # The same wire copy in another outlet, one sentence added: a near-duplicate.
        paths.append(write_article(folder, f"copy-{n:04d}.txt", day, other, title,
                                   body + " A spokesperson declined to comment."))
    return paths

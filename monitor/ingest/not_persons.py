"""Spans the model types as a person that are not one person: families, groups of people, headline words.

- A family in the plural ("the Clintons", "the Obamas", "the Bushes", "Kennedys") is the family, not a member:
  a group. It is told by its singular being a name of the article or the watchlist ("Clinton"), or by a plural
  no name has ("Kennedys": a consonant before "ys"; "Bushes": "es" after sh, ch, x or ss).
- Nationality, ethnic, religious and party-member words ("Latinos", "Hispanics", "Democrats", "Brits",
  "Muslims", "Evangelicals", "Black Americans", "Senate Republicans") name groups: typed group, never person.
- A title-case headline glues its verbs and common words to the names beside them ("Disavowing Obama",
  "Meet Kamala Harris", "Trump Slams Biden"): those words are cut off, the names kept.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from monitor.ingest.common_nouns import given_names


def _words(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of a word list written as a block of text."""
    return frozenset(text.split())


# Group nouns, singular and plural forms as written in news text (lower case).
GROUP_WORDS = _words("""
latino latinos latina latinas latinx latine hispanic hispanics chicano chicanos chicana chicanas
democrat democrats republican republicans dems gop independents libertarians progressives conservatives
liberals leftists socialists communists marxists fascists nationalists populists tories whigs greens
brits britons english scots scottish welsh irish dutch french swiss danes swedes finns norwegians poles czechs
slovaks hungarians serbs croats bosnians greeks turks kurds arabs persians jews muslims moslems christians
catholics protestants evangelicals mormons baptists methodists lutherans anglicans presbyterians pentecostals
quakers amish sikhs hindus buddhists jains atheists agnostics sunnis shiites shias copts druze yazidis
blacks whites asians africans europeans americans latin-americans natives aboriginals indigenous
chinese japanese vietnamese taiwanese burmese lebanese sudanese senegalese congolese portuguese maltese
nepalese bhutanese balinese javanese guyanese togolese beninese gabonese
israelis pakistanis iraqis saudis somalis bangladeshis kuwaitis qataris yemenis omanis emiratis nepalis
azeris afghans afghanis bahrainis
thais filipinos filipinas mexicans cubans haitians texans germans russians italians
boomers millennials zoomers veterans immigrants migrants refugees
""")
# Surnames and given names that look like a group plural.
NOT_GROUPS = frozenset({"evans", "hans", "jordans", "adams", "williams", "jones", "harris"})
_GROUP_SUFFIX = re.compile(r"(?:ians|icans|eans|ese|ites|ists)$")
# Capitalised words that qualify a group ("Black Americans", "Senate Republicans", "White Evangelicals").
_GROUP_QUALIFIERS = frozenset({"black", "white", "asian", "hispanic", "latino", "african", "native", "arab",
                               "muslim", "jewish", "christian", "catholic", "evangelical", "young", "older", "senate",
                               "house", "congressional", "state", "gop", "democratic", "republican", "moderate",
                               "conservative", "liberal", "progressive", "rural", "urban", "suburban", "working-class",
                               "white-collar", "blue-collar", "many", "most", "some", "fellow", "other", "british",
                               "american", "european", "chinese", "mexican", "indian", "korean", "irish", "italian"})
# Given names and surnames of one word that end like a plural of a name ("Gladys", "Rhys").
_NOT_FAMILIES = frozenset({"gladys", "rhys", "emrys", "carys", "dilys", "glenys", "keys", "hays", "mays", "rays",
                           "pays", "days", "reyes", "hayes"})
# Verbs a headline writes capitalised between names, cut wherever they stand ("Trump Slams Biden").
HEADLINE_VERBS = _words("""
says slams slammed blasts blasted urges urged warns warned calls called rips ripped praises praised
backs backed defends defended meets joins joined tells told asks asked sues sued fires fired picks picked
taps tapped endorses endorsed attacks attacked mocks mocked accuses accused thanks thanked dumps dumped ditches
disavows disavowed denies denied admits admitted rejects rejected vows vowed plans seeks wants needs gets
jabs knocks knocked trolls trolled torches scolds scolded lashes lauds hails hailed booed boos
snubs snubbed grills grilled confronts confronted battles fights spars clashes clashed feuds
nominates nominated appoints appointed pardons pardoned impeaches impeached indicts indicted
visits visited quits resigns resigned wins loses beats trails leads responds responded reacts reacted
signs signed vetoes vetoed offers offered
""")
# Words that open a clause, never part of a name: cut wherever they stand ("Bat Caves Where Coronaviruses Begin").
CLAUSE_WORDS = _words("because where whereas while although though unless whether whenever wherever")
# Words a headline or a sentence puts capitalised before a name, cut only there ("Meet Kamala Harris").
HEADLINE_LEADS = HEADLINE_VERBS | _words("""
ditch slam blast blame stop save help impeach arrest defund dump boycott forget remember ask tell vote
meet why how what when where who whose which inside exclusive breaking opinion analysis watch video photos
live update updated report sources fact check poll here here's this that these those every all both
after before despite against with without for from as is was are were has have had not only even also just
dear thank thanks sorry hey oh so but and or if then now did does should could would can
embattled defiant disgraced beleaguered outgoing incoming ousted former
""")
# One-word (or set) names the model calls a person that name no one: diseases, deities, drugs, events, feasts.
NOT_NAMES = _words("""
covid covid-19 covid19 coronavirus corona sars sars-cov-2 ebola h1n1 god allah brexit plaquenil remdesivir
hydroxychloroquine chloroquine ivermectin tylenol purell lysol clorox
email e-mail share shares subscribe caption captions advertisement courtesy
easter christmas xmas ramadan ramazan eid hanukkah chanukah passover diwali deepavali thanksgiving halloween
kwanzaa lent advent pentecost epiphany nowruz navruz vesak holi hajj umrah muharram ashura
""") | {"mother nature", "vitamin c", "vitamin d", "lady luck", "father time", "eid al-fitr", "eid al-adha",
       "eid ul-fitr", "eid ul-adha", "eid-ul-fitr", "yom kippur", "rosh hashanah", "good friday", "easter sunday",
       "christmas day", "christmas eve", "new year", "lunar new year", "chinese new year", "st patrick's day"}
# Platforms and services the model calls a person: organisations.
PLATFORMS = _words("""
twitter facebook instagram youtube tiktok whatsapp snapchat reddit zoom netflix google amazon skype telegram
wechat weibo linkedin pinterest twitch spotify uber lyft airbnb
""")
# Capitalised words at the end of a span that are page furniture, not part of the name ("Andy Page Caption").
FURNITURE_WORDS = _words("caption captions advertisement email subscribe replay enlarge")
# Pinyin syllables: a Chinese given name is two of them ("Meiying", "Zhibing"), a surname one ("Wu").
_PINYIN_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in"
    r"|un|ia|ie|iu|ua|uo|ui|er|a|e|i|o|u|v)")
_PINYIN_WORD = re.compile(rf"(?:{_PINYIN_SYLLABLE.pattern}){{2}}")
# Given names and surnames that end in -ing and so are not gerunds.
_NAME_ING = frozenset({"irving", "sterling", "channing", "manning", "fleming", "browning", "golding", "harding",
                       "whiting", "fielding", "loring", "waring", "gehring", "herring", "deming", "ewing", "bowling",
                       "rowling", "dowling", "cushing", "kipling", "spalding", "redding", "pickering", "downing",
                       "goring", "banning", "keating", "lansing", "jennings", "hastings", "cummings", "billings",
                       "stirling", "darling", "pershing", "worthing", "dering", "schilling", "kissling"})


def not_a_name(name: str) -> bool:
    """Return True when `name` names no one: a disease, a deity, a drug or an event ("Covid", "God", "Brexit")."""
    return " ".join(name.casefold().split()) in NOT_NAMES


def is_platform(name: str) -> bool:
    """Return True when `name` is a platform or an online service ("Twitter", "Zoom"): an organisation."""
    return name.casefold() in PLATFORMS


def is_group_word(word: str) -> bool:
    """Return True when `word` names a nationality, an ethnic or religious group or a party's members."""
    w = word.casefold().strip(".,'\u2019")
    if w in NOT_GROUPS:
        return False
    if w in GROUP_WORDS:
        return True
    # "Californians", "Republicans", "Koreans", "Taiwanese", "Shiites", "Marxists": only capitalised words come here.
    return len(w) >= 7 and bool(_GROUP_SUFFIX.search(w))


def is_group(name: str) -> bool:
    """Return True when `name` is a group of people: its last word a group word, any before it qualifiers."""
    words = name.split()
    if not 1 <= len(words) <= 3 or not is_group_word(words[-1]):
        return False
    return all(w.casefold() in _GROUP_QUALIFIERS or is_group_word(w) for w in words[:-1])


def singulars(word: str) -> list[str]:
    """Return the singular forms a capitalised plural could have ("Bushes" -> ["Bushe", "Bush"])."""
    out = []
    if word.endswith("s") and not word.endswith(("'s", "\u2019s", "ss")):
        out.append(word[:-1])
        if word.endswith("es"):
            out.append(word[:-2])
    return out


def is_family_plural(name: str, known: Iterable[str] = ()) -> bool:
    """Return True when a one-word `name` is a family in the plural ("Clintons", "Obamas", "Kennedys").

    `known` holds the lower-cased names (single words) of people the article or the watchlist names.
    """
    if len(name.split()) != 1 or not name[:1].isupper() or name.casefold() in _NOT_FAMILIES:
        return False
    forms = [s.casefold() for s in singulars(name)]
    if any(form in set(known) for form in forms if len(form) >= 3):
        return True
    low = name.casefold()
    return bool(re.search(r"[^aeiou]ys$|(?:sh|ch|x|ss)es$", low)) and len(low) >= 5


def lowercase_words(texts: Iterable[str]) -> set[str]:
    """Return the words the texts write in lower case (common words there: "lockdowns", "gyms", "apart")."""
    return {w for text in texts for w in re.findall(r"(?<![\w'\u2019-])[a-z][a-z'-]*[a-z](?![\w-])", text)}


def is_common_word(name: str, lowercase: set[str], known: Iterable[str] = ()) -> bool:
    """Return True when a one-word `name` is a word the article also writes in lower case (itself or its
    singular), and no person the article or the watchlist names has it as a surname ("Lockdowns", "Gyms";
    not "Trump")."""
    word = name.casefold()
    if len(name.split()) != 1 or word in set(known):
        return False
    return word in lowercase or any(form.casefold() in lowercase for form in singulars(name) if len(form) >= 4)


def headline_pieces(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets in `text` (a span) of its parts that are not headline words.

    "Disavowing Obama" -> the span of "Obama"; "Trump Slams Biden" -> "Trump" and "Biden"; a span with
    no headline word is returned whole.
    """
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    if len(words) < 2:
        return [(0, len(text))]
    other = words[1][2] if len(words) == 2 else ""
    cut = [_is_headline_word(word, i == 0, other) for i, (_, _, word) in enumerate(words)]
    if not any(cut):
        return [(0, len(text))]
    pieces: list[tuple[int, int]] = []
    current: list[int] = []
    for (start, end, _), drop in zip(words, cut, strict=True):
        if drop:
            if current:
                pieces.append((current[0], current[-1]))
            current = []
        else:
            current = [current[0] if current else start, end]
    if current:
        pieces.append((current[0], current[-1]))
    return pieces


def _is_headline_word(word: str, first: bool, other: str) -> bool:
    """Return True for a capitalised headline verb, common word or furniture word, or a gerund leading a span.

    `other` is the span's other word when it has two: a Chinese given name ending in "-ing" ("Meiying")
    before a one-syllable surname ("Wu") is a name, not a gerund.
    """
    w = word.casefold().strip(".,:;!?\"'\u201c\u201d")
    if not word[:1].isupper():
        return False
    if w in HEADLINE_VERBS or w in FURNITURE_WORDS or w in CLAUSE_WORDS or (first and w in HEADLINE_LEADS):
        return True
    if not (first and len(w) >= 6 and w.endswith("ing")) or w in _NAME_ING:
        return False
    return not (_PINYIN_WORD.match(w) and _PINYIN_SYLLABLE.fullmatch(other.casefold()))


# Words that follow "the X" when X is a thing or an assembly, not a person: a verb, a modal, a preposition, or
# nothing ("support the Majlis.", "The Majlis must", "at the Louvre,"). "the Trump administration" is a person's
# name modifying a noun, and stays.
_AFTER_THE_THING = re.compile(r"\s*(?:$|[.,;:!?)\]\u201d\"]|(?:is|was|are|were|has|had|have|will|would|must|can|could|"
                              r"should|may|might|said|says|and|or|of|in|on|at|to|for|with|by|from|as)\b)")
_BEFORE_THE = re.compile(r"(?:^|[^\w'\u2019])[Tt]he\s+$")
# What follows a name that makes it the start of a firm's name: "Aubrey G. Lanston and Co Inc.", "Lanston & Sons".
_FIRM_TAIL = re.compile(r"\s*(?:&|and)\s+(?:Co|Company|Sons)(?![\w-])"
                        r"|,?\s+(?:Inc|Ltd|LLC|LLP|Corp|Co|PLC|plc)(?![\w-])")
# What follows a first name that makes it the start of a couple's foundation: "Bill and Melinda Gates Foundation".
_COUPLE_TAIL = re.compile(r"\s+(?:&|and)\s+([A-Z][\w'\u2019-]+)\s+[A-Z][\w'\u2019-]+\s+"
                          r"(?:Foundation|Institute|Trust|Fund|Center|Centre|School|College|University|Hospital"
                          r"|Library|Museum|Prize|Award)\b")


def is_the_thing(text: str, start: int, end: int) -> bool:
    """Return True when a one-word span text[start:end] reads "the X" with nothing a name would modify after
    it ("the Majlis.", "The Louvre,"): a thing or an institution, not a person."""
    return bool(_BEFORE_THE.search(text[max(0, start - 6):start])) and bool(_AFTER_THE_THING.match(text[end:end + 12]))


def part_of_org(name: str, after: str) -> bool:
    """Return True when the text after a name continues it into an organisation's name: a firm's ("and Co
    Inc.", ", Inc.") or, after a first name, a couple's foundation ("Bill" and Melinda Gates Foundation). A
    full name before "and" and an organisation ("Paul Volcker and International Monetary Fund") is a person."""
    if _FIRM_TAIL.match(after):
        return True
    couple = _COUPLE_TAIL.match(after)
    given = given_names()
    return couple is not None and len(name.split()) == 1 and name.casefold() in given and \
        couple.group(1).casefold() in given

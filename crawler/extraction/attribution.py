"""Attribution: the outlet a story credits in a closing `Source: X` line, or the agency of a wire dateline."""

from __future__ import annotations

import re

from crawler.extraction.brackets import trim

SOURCE_LINE = re.compile(
    r"^[\s(\[«\"']*(?:source|sources|quelle|fuente|fonte|kaynak|المصدر|مصدر|المصادر|منبع)\s*[:：\-–—]\s*"
    r"(?P<outlet>[^\n]{1,64})$",
    re.I,
)
WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Za-z .,'-]{1,40},?\s+[A-Z][a-z]{2,8}\.? \d{1,2}\s+\((?P<agency>[A-Za-z][\w .&-]{1,30})\)\s+[-–—]"
)
# the wire agencies Arabic papers credit, by the names and abbreviations they print ("كونا", "أ ف ب", "رويترز")
ARABIC_AGENCIES = (
    r"كونا|قنا|وام|واس|بنا|العمانية|ومع|وفا|بترا|واع|سبأ|سانا|إرنا|ارنا|أ\.?\s?ف\.?\s?ب|ا\.?\s?ف\.?\s?ب|أ\.?\s?ب|"
    r"د\.?\s?ب\.?\s?أ|رويترز|الأناضول|سبوتنيك|شينخوا|وكالات|الوكالات"
)
# "الكويت - كونا:", "القاهرة - (أ ف ب) -": the place and the agency opening the text
ARABIC_DATELINE = re.compile(
    rf"^[\u0600-\u06ff ]{{2,30}}?\s*[-–—]\s*[(«]?\s*(?P<agency>{ARABIC_AGENCIES})\s*[)»]?\s*[:：\-–—]"
)
# "(كونا)" alone closing the text
CLOSING_AGENCY = re.compile(rf"^[(«]\s*(?P<agency>{ARABIC_AGENCIES})\s*[)»]\.?$")
WIRE_CREDIT_LINE = re.compile(r"^\((?:reporting|writing|editing|additional reporting|compiled) by [^)]*\)\.?$", re.I)


def split_attribution(lines: list[str]) -> tuple[list[str], str | None]:
    """Body lines without their closing credit lines, and the outlet credited (None when there is none)."""
    outlet = None
    kept = list(lines)
    while kept:
        last = kept[-1].strip()
        match = SOURCE_LINE.match(last)
        if match and len(last.split()) <= 10:
            outlet = outlet or trim(match["outlet"]) or None
            kept.pop()
        elif WIRE_CREDIT_LINE.match(last):
            kept.pop()
        elif CLOSING_AGENCY.match(last):
            outlet = outlet or CLOSING_AGENCY.match(last)["agency"]
            kept.pop()
        else:
            break
    if outlet is None and kept:
        dateline = WIRE_DATELINE.match(kept[0]) or ARABIC_DATELINE.match(kept[0])
        if dateline:
            outlet = dateline["agency"].strip()
    return kept, outlet

from __future__ import annotations

import re

from .namelists import _EN, _INTERESTING, _NOT_NAME, _ROLE_WORDS, _inflected_en
from .tokens import _fold
# What a person does, straight after a name: "Vignesh missed", "Willow crying", "Dami now in",
# "Siân ... from the hv team" (checked on the text after the name, lower case).
_PRED_RE = re.compile(
    r"\s+(?:(?:not|now|also|still|then|just|really|often|always|never|has|had|is|was|were|keeps|kept|been)\s+)*"
    r"(?:[a-z]{3,}(?:ed|ing)|said|says|told|tells|is|was|has|had|will|won['’]?t|can['’]?t|cannot|doesn['’]?t|didn['’]?t|"
    r"isn['’]?t|wasn['’]?t|hasn['’]?t|hadn['’]?t|does|did|wants|needs|gets|got|came|comes|went|goes|ran|runs|left|lives|seems|feels|felt|asked|"
    r"saw|made|took|gave|broke|fell|hit|hurt|stole|threw|wrote|spoke|sat|ate|slept|knew|began|found|seen|caught|taken|"
    r"sent|brought|lost|met|put|stayed|missing|absent|upset|scared|in\s+the\s+care|"
    r"(?:in|at)\s+(?:school|nursery|college|care|hospital|a\&e)|from\s+the\s+[a-z]+\s+team|and\s+(?:her|his|their)\b)\b")
_STRONG_PRED_RE = re.compile(
    r"\s+(?:(?:not|now|also|still|then|just|has|had|is|was|been|hasn['’]?t|hadn['’]?t|isn['’]?t|wasn['’]?t)\s+)*"
    r"(?:said|says|told|tells|disclosed|missing|went\s+missing|was\s+seen|crying|cried|upset|refus\w+|being\s+\w+ed|"
    r"groomed|exploited|abused|bullied|harmed|neglected|threatened|targeted|"
    r"(?:not\s+)?speaking|struggl\w+|found|seen|hit|kicked|punched|screamed|shouted|ran|came|arrived|left|"
    r"absent|late|hungry|scared|frightened|worried|excluded|arrested|assaulted|injured|hurt|self\s*harm\w*)\b")
# A person cue before a token: a contact verb or a role ("told joy", "spoke to kacper", "sw kelechi").
_CONTACT_BEFORE_RE = re.compile(
    r"(?:\b(?:told|asked|saw|seen|met|phoned|rang|texted|messaged|visited|collected|picked\s+up|dropped|"
    r"(?:spoke|speaking|spoken|talked|talking|chatted|chatting|chat|talk|speak|sat|went|came|lives|living|stays|staying|"
    r"worked|working|met|meeting|play(?:s|ed|ing)?|fight(?:s|ing)?|fought)\s+(?:to|with)|"
    r"(?:scared|afraid|frightened|terrified|wary|jealous|fond)\s+of|"
    r"with|and|by|sw|hv|dsl|pa|sgt|pc|dc|ds|cllr|ta|tutor|bf|gf|partner|boyfriend|girlfriend|friend|mate|"
    r"cousin|uncle|auntie|aunty|aunt|nan|nana|gran|grandad|grandma|brother|sister|sibling|mum|dad|mam|stepdad|stepmum)"
    r"|&)\s+$", re.IGNORECASE)
_CONTACT_LAST = frozenset(
    "told asked saw seen met phoned rang texted messaged visited collected up dropped with and by sw hv dsl pa sgt pc dc "
    "ds cllr ta tutor bf gf partner boyfriend girlfriend friend mate cousin uncle auntie aunty aunt nan nana gran grandad "
    "grandma brother sister sibling mum dad mam stepdad stepmum keyworker worker teacher nurse midwife visitor of".split())
_STRONG_CONTACT_RE = re.compile(
    r"\b(?:told|asked|(?:spoke|speaking|spoken|talked|talking|chatted|chatting)\s+(?:to|with)|sw|hv|dsl|pc|sgt|ds|dc|"
    r"keyworker|worker|teacher|tutor|nurse|midwife|social\s+worker|health\s+visitor|mum|dad|mam|nan|gran|grandad|"
    r"uncle|auntie|aunty|aunt|cousin|brother|sister|boyfriend|girlfriend|bf|gf|partner|friend|mate|stepdad|stepmum)\s+$",
    re.IGNORECASE)
_KIN_AFTER_RE = re.compile(r"['’]s?\s+(?:(?:older|younger|little|big|baby|twin|new|ex|step|half|eldest|youngest|"
                           r"foster)[\s\-]?)?([a-z]+)", re.IGNORECASE)
_PLACE_PREP_BEFORE_RE = re.compile(r"\b(?:in|at|to|from|near|towards|around|outside|into|via|of|the|a|an)\s+$", re.IGNORECASE)
_ORG_RUN_WORDS = frozenset(
    "minster cathedral abbey priory chapel home homes guardian cross wing suite "
    "centre center house place trust hospice hospital foundation kitchen ark clinic unit ward service services school "
    "academy college nursery surgery practice project charity society fund institute partnership team road street lane "
    "close avenue drive way court park hall church mosque library station".split())
_CAPS_TOKEN_RE = re.compile(r"[A-Z][^\W\d_]*(?:['’\-][^\W\d_]+)*")
_PLURAL_SURNAME_RE = re.compile(r"[Tt](?<!\w[Tt])he\s+([A-Z][a-z'’\-]+?)e?s\b(?!['’])")
_DOTTED_INITIALS_RE = re.compile(r"(?<![A-Za-z.])[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?")
_DOTTED_NOT_NAME = frozenset({"UK", "US", "AM", "PM", "EG", "IE", "NB", "PS", "GP", "AE", "TV", "DS", "PC", "DC"})
_ROLE_INITIALS_RE = re.compile(
    r"\b(?:child|pupil|young\s+person|yp|boy|girl|mum|mother|dad|father|brother|sister|sibling|baby|son|daughter|"
    r"uncle|aunt|auntie|nan|grandad|grandma|partner|boyfriend|girlfriend|friend|carer|stepdad|stepmum|cousin|lad|"
    r"victim|perpetrator|teen|student)\s*(?:,\s*|\(\s*)([A-Z]{2,3})\s*[,)]")
_INITIALS_ROLE_RE = re.compile(r"(?<![A-Za-z.])([A-Z]\.?[A-Z]\.?|[A-Z]{2})\s*\(\s*(?:(?:step|half|older|younger|ex|foster)[\s\-]?)?"
                               r"(?:[a-z]+\s+)?(?:" + "|".join(sorted(_ROLE_WORDS, key=len, reverse=True)) + r")\s*\)")
_NAME_ROLE_BRACKET_RE = re.compile(r"([A-Z][^\W\d_]+)\s*\(\s*(?:(?:step|half|older|younger|ex|foster|birth)[\s\-]?)?"
                                   r"(?:[a-z]+\s+)?(?:" + "|".join(sorted(_ROLE_WORDS | {"grandad", "step grandad"},
                                                                           key=len, reverse=True)) + r")\s*\)")
# Handles: discord tags ("frostbyte#0093"), a platform and its name ("twitch as sn1pezz",
# "roblox username starlight_kitty77", "xbox gamertag TTV Ghost Lord").
_DISCORD_TAG_RE = re.compile(r"(?<![\w#])[A-Za-z0-9_.]{2,32}#\d{4}(?!\d)")
_PLATFORM_HANDLE_RE = re.compile(
    r"\b(?:snapchat|snap|insta|instagram|ig|tiktok|tik\s*tok|twitter|discord|telegram|kik|twitch|roblox|youtube|yt|"
    r"steam|fortnite|minecraft|psn|xbox|playstation|ps[45]|threads|bereal|whatsapp|facebook|fb|reddit|onlyfans|"
    r"username|user\s*name|user|handle|gamertag|gamer\s*tag|tag|acc|account|profile|channel)\b"
    r"(?:\s+(?:username|user\s*name|name|id|handle|account|acc|tag|gamertag|profile|channel))?"
    r"\s*(?:(?:is|was|as|called|named|under|=|:|-|–)\s*)*[\"'“]?"
    r"((?=[A-Za-z0-9_.]*[\d_.])[A-Za-z0-9_.]{3,30}|[A-Za-z][a-z]+[A-Z][A-Za-z0-9]*|[A-Z]{2,}(?:\s+[A-Z][a-z]+){1,3})"
)
_STRONG_HANDLE_RE = re.compile(
    r"\b(?:username|user\s*name|gamertag|gamer\s*tag|handle|psn\s+id|xbox\s+(?:name|tag))\s*(?:(?:is|was|as|called|:|-|=)\s*)*"
    r"[\"'“]?([A-Za-z0-9_.]{3,30}(?:\s+[A-Z][a-z]+){0,2})", re.IGNORECASE)
# Addresses: a number and a capitalised name after an address cue, or before a postcode
# ("placement address is 14 Fernbank", "8 Mill Race, S6 2QP"); a named street someone is on
# ("moved in with her new bf on Harrow Lane"); a house name ("house is called Bryn Teg").
_ADDR_CUE_NUMBER_RE = re.compile(
    r"\b(?:address(?:\s+is)?|addresses|lives?\s+(?:at|in)|living\s+(?:at|in)|staying\s+(?:at|in)|stays\s+at|"
    r"moved\s+(?:in\s+)?(?:to|into)|moving\s+(?:to|into)|placed\s+at|placement(?:\s+address)?\s+(?:is|at)|"
    r"resides\s+at|home\s+is|house\s+is|flat\s+is|now\s+at|is\s+at|back\s+at|round\s+at|went\s+to|go\s+to|"
    r"dropped\s+(?:off\s+)?at|left\s+at)\s*:?\s*"
    r"(?:no\.?\s*)?(\d{1,4}[A-Za-z]?,?\s+[A-Z][a-zA-Z'’]+(?:[\s\-][A-Z][a-zA-Z'’]+){0,2})")
_NUMBER_CAPS_POSTCODE_RE = re.compile(
    r"(\d(?<![\w£$]\d)\d{0,3}[A-Za-z]?,?\s+[A-Z][a-zA-Z'’]+(?:[\s\-][A-Z][a-zA-Z'’]+){0,2}),\s*"
    r"(?:[A-Z][a-z]+,\s*)?[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")
_ON_STREET_RE = re.compile(
    r"(?:\b(?:on|off|along|at|in|to|from|near|down|up)|[a-z],)\s+((?:[A-Z][a-zA-Z'’\-]+\s+){1,2}"
    r"(?:Lane|Road|Street|Close|Avenue|Drive|Crescent|Grove|Terrace|Gardens|Way|Court|Walk|Row|Mews|Rise|Place|"
    r"Parade|Square|Wynd|Brae|Crescent|Fold|Croft|Chase|Rd|St|Ave|Dr|Cl))\b(?!\s+(?:[A-Z][a-z]+\s+)?"
    r"(?:clinic|surgery|school|primary|academy|college|health|medical|centre|center|police|station|practice|nursery|"
    r"library|hospital|family|children['’]s|community|fire|leisure|sports|playing|park|baptist|methodist|church|"
    r"mosque|job\s*centre|day|hub|office|offices|campus|site|depot|unit|ward|Clinic|Surgery|School|Primary|Academy|"
    r"College|Health|Medical|Centre|Police|Station|Practice|Nursery|Library|Hospital|Family|Children['’]s|Community|"
    r"Fire|Leisure|Sports|Church|Mosque|Hub|Office|Campus|Unit|Baptist|Methodist|Mosque|Stadium|stadium|"
    r"Retail|retail|Industrial|industrial|Trading|trading|Business|business|Park|Jobcentre|jobcentre))")
_HOUSE_CALLED_RE = re.compile(r"\b(?:house|home|cottage|farm|farmhouse|bungalow|property|place|flat)\s+(?:is\s+)?"
                              r"(?:called|named|known\s+as)\s+[\"'“]?([A-Z][^\W\d_]+(?:\s+[A-Z][^\W\d_]+){0,2})")
# An outward code in lower case after a move ("family relocated to kt6").
_LOWER_OUTWARD_RE = re.compile(
    r"\b(?:moved|moving|relocated|relocating|rehoused|housed|lives|living|live|based|staying|stays|placed|address)\s+"
    r"(?:back\s+|now\s+|out\s+)?(?:to|in|into|at|is|near)\s+(?:the\s+)?([a-z]{1,2})(\d[a-z\d]?)\b(?!\s*\d)")
# A reference: a short code word and "number" ("LAC number 45022"), or letters with digits and
# / or - ("CP/2024/1187", "MASH-44821").
_CODE_NUMBER_RE = re.compile(r"\b[A-Za-z]{2,8}\s+(?:number|no\.?|num|ref(?:erence)?|id)\s*(?:is\s*)?[:#]?\s*"
                             r"([A-Za-z]{0,4}[\-/]?\d{5,}[A-Za-z0-9\-/]*)\b")
_SLASH_REF_RE = re.compile(r"(?<![\w/\-])[A-Z]{1,6}\d{0,4}[/\-](?:[A-Z0-9]+[/\-])*\d{3,}[A-Z0-9]*(?![\w/\-])")


# Words ending -ing/-ed that are mostly nouns or adjectives ("Stonewall training").
_ING_NOUNS = frozenset(
    "training meeting funding housing planning parenting counselling counseling building setting wedding evening "
    "morning clothing bedding string thing nothing something anything everything king ring spring swing wing "
    "bullying safeguarding offending grooming mentoring tutoring screening testing marking schooling "
    "shopping parking booking ceiling feeling hearing reading writing spelling boarding fostering "
    "advertising lodging listing filing bed red shed need seed speed breed feed weed".split())


def _pred(after_low: str) -> bool:
    m = _PRED_RE.match(after_low)
    if not m:
        return False
    last = re.findall(r"[a-z]+", m.group())[-1]
    return last not in _ING_NOUNS


def _unknown(word: str) -> bool:
    """Not a common English word, not a place or a known non-name, and shaped like a word."""
    low = _fold(word).lower()
    if _CONTRACTION_RE.search(low):
        return False  # "hasn't", "they'll", "we've": English, not a name
    if len(low) < 3 or low in _EN or low in _NOT_NAME or not low.replace("'", "").replace("’", "").replace("-", "").isalpha():
        return False
    if "-" in low:
        return all(p in _INTERESTING or (p not in _EN and p not in _NOT_NAME) for p in low.split("-") if p)
    return not (word.islower() and _inflected_en(low))


def _name_like(word: str) -> bool:
    """In a name list (diacritics folded) or not a common English word."""
    low = _fold(word).lower()
    if low in _NOT_NAME:
        return False
    if _MAC_RE.match(word):
        return True  # "MacLeod", "McAllister", "O'Donnell"
    return low in _INTERESTING or _unknown(word)


_MAC_RE = re.compile(r"(?:Ma?c|O['’])[A-Z][a-z]{2,}$")


_LOWER_SURNAME_CONTEXT_RE = re.compile(
    r"[Tt](?<!\w[Tt])he\s+([a-z][a-z'’\-]{2,})\s+(?:family|families|household|address|house|home|flat|property|children|kids|boys|"
    r"girls|siblings|twins|brothers|sisters|case|parents|grandparents|residence|tenancy)\b")
_NICKNAME_RE = re.compile(r"\b(lil['’]?|Lil['’]?|Big|Little|Young)\s+([A-Za-z][a-z'’]+)\b")
_CONTRACTION_RE = re.compile(r"(?:n['’]t|['’](?:ll|ve|re|d|m))$")

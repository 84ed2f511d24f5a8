"""Screen free text for personal details before anything is stored.

Pure logic: no Slack, no database, no logging, no I/O.  ``screen()`` returns
the *kinds* of personal detail it found (never the matched text), and
``explain()`` turns them into one short message for a Slack modal inline
error.

Rules in brief (details next to each detector below):

* nhs_number    10 digits (plain, 3-3-4 spaced or hyphenated) passing mod-11.
* ni_number     two prefix letters (HMRC exclusions), six digits, suffix A-D.
* postcode      full UK postcode (real postcode area, valid inward code),
                any case, with or without the space.
* phone         phonenumbers.PhoneNumberMatcher (region GB), written with a
                leading 0, + or 00 and not overlapping another finding.
* email         local@domain.tld
* date_of_birth a date next to birth words (DOB, d.o.b, born, birthday,
                date of birth, aged), or a bare full date with a year that is
                not clearly the date of an event (see ``_scan_dates``).
* name          honorific + name, role word + name ("pupil Jayden"),
                name + role context ("Amelia Brown, the child", "Leo's mum",
                "Mia, aged 7"), "the Hughes family", or a known first name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency

__all__ = ["Finding", "KINDS", "LABELS", "screen", "explain"]


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str


# Stable output order of kinds.
KINDS: tuple[str, ...] = (
    "nhs_number",
    "ni_number",
    "postcode",
    "phone",
    "email",
    "date_of_birth",
    "name",
)

LABELS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "date_of_birth": "a date of birth",
    "name": "a name",
}

_FINDINGS: dict[str, Finding] = {k: Finding(k, LABELS[k]) for k in KINDS}

_MAX_EXPLAIN = 149
_EXPLAIN_HEAD = "This looks like it contains "
_EXPLAIN_TAIL = ". Please describe it without details that identify someone."


# --------------------------------------------------------------------------
# NHS numbers
# --------------------------------------------------------------------------
# 10 digits: plain, 3-3-4 with spaces, or 3-3-4 with hyphens.  Not part of a
# longer digit run.  Valid only if the modulus-11 check digit passes.
_NHS_RE = re.compile(
    r"(?<![\d+])(?:\d{10}|\d{3}[ \u00a0]\d{3}[ \u00a0]\d{4}|\d{3}-\d{3}-\d{4})(?![\d])"
)


def _nhs_check_ok(digits: str) -> bool:
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


# --------------------------------------------------------------------------
# National Insurance numbers
# --------------------------------------------------------------------------
# First letter not D F I Q U V; second letter not D F I O Q U V; prefixes
# BG GB KN NK NT TN ZZ never issued.  Six digits (optionally in pairs), then
# suffix A-D.  Any case, but an all-lower-case match whose prefix is a
# common two-letter word ("at 12 34 56 a") is ignored.
_NI_RE = re.compile(
    r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ \-]?(\d{2})[ \-]?(\d{2})[ \-]?(\d{2})[ \-]?([A-D])\b",
    re.IGNORECASE,
)
_NI_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_NI_LOWER_WORDS = frozenset(
    {"at", "an", "as", "am", "be", "by", "he", "me", "my", "no", "or", "so", "up", "us",
     "we", "it", "go", "ok", "ha", "hm", "eh", "ah", "oh", "pa", "ma", "yr", "pm"}
)


# --------------------------------------------------------------------------
# Postcodes
# --------------------------------------------------------------------------
# Full postcode only (outward + inward).  The outward area must be a real UK
# postcode area, and the inward letters exclude C I K M O V.  Partial
# postcodes ("the LS6 area") are not flagged.
_POSTCODE_RE = re.compile(
    r"\b([A-Z]{1,2})(\d[A-Z\d]?)[ \t\u00a0]{0,2}(\d)([ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
    DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA
    KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO
    PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W
    WA WC WD WF WN WR WS WV YO ZE""".split()
)
_ORDINAL_SUFFIX = {"1": "st", "2": "nd", "3": "rd"}


# --------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+'\-]*[A-Za-z0-9_%+\-])?@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b"
)


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------
# phonenumbers' strict VALID leniency rejects unallocated ranges (including
# Ofcom's drama numbers), so matches are taken at POSSIBLE leniency and then
# required to be written the way people write phone numbers: a leading 0,
# + or 00 (optionally inside a bracket).  UK numbers must have a 9-10 digit
# national number.  A cheap pre-check skips the matcher for text that has no
# candidate at all.
_PHONE_HINT_RE = re.compile(r"(?:\+|(?<!\d)0)[\d \t().\-\u00a0/]{7,}\d")
_PHONE_START_RE = re.compile(r"^(?:\+|0|\(\s*[0+])")


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2})"

# Numeric d/m/y with one consistent separator, or ISO y-m-d.
_NUM_DATE_RE = re.compile(
    r"(?<![\d./\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[./\-]\d)"
    r"|(?<![\d./\-])((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?![\d]|[./\-]\d)"
)
# Textual dates; groups: full day-month-year, month-day-year, day-month,
# month-day, month-year.
_TEXT_DATE_RE = re.compile(
    rf"\b(?P<dmy>{_DAY}(?:\s+of)?\s+{_MON},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<mdy>{_MON}\s+{_DAY},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<dm>{_DAY}(?:\s+of)?\s+{_MON})(?![a-z])"
    rf"|\b(?P<md>{_MON}\s+{_DAY})\b"
    rf"|\b(?P<my>{_MON},?\s+(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# Words saying "this is when someone was born".
_DOB_WORD_RE = re.compile(
    r"(?<![A-Za-z])(?:d\.?\s?o\.?\s?b\.?(?![A-Za-z])|date\s+of\s+birth|birth\s?date|born|"
    r"birthday|b['’]?day|aged)",
    re.IGNORECASE,
)
# Words that mark a date as the date of an event (meeting, visit, ...).
_EVENT_WORD_RE = re.compile(
    r"\b(?:meeting|meet|met|visit(?:ed|s|ing)?|referr(?:al|ed)|conference|review(?:ed)?|"
    r"appointment|appt|session|call(?:ed)?|phoned|rang|contact(?:ed)?|strategy|discussion|"
    r"discussed|assessment|assessed|hearing|court|incident|letter|e-?mail(?:ed)?|report(?:ed)?|"
    r"exclu(?:sion|ded)|suspen(?:sion|ded)|attend(?:ed|ance)?|seen|saw|held|took\s+place|"
    r"happened|occurred|start(?:ed|s|ing)?|began|ended|finish(?:ed|es)|moved|left|joined|"
    r"returned|missing|absent|arrested|admitted|discharged|closed|opened|allocated|"
    r"transferred|escalated|booked|arranged|scheduled|planned|cancelled|postponed|"
    r"rearranged|due|deadline|expir(?:es|ed|y)|commencing|w/c|term|week|trip|"
    r"disclos(?:ed|ure)|shared|sent|received|recorded|logged|notified|notification|"
    r"plan|icpc|rcpc|cp|cin|lac|cla|taf|tac|eha|pep|ehcp|marac|mash|s47|s17|"
    r"core\s+group|consultation|interview(?:ed)?|panel|training|next|last|until|since|"
    r"dated|updated|completed|submitted|issued|signed|agreed|tested|checked|started)\b",
    re.IGNORECASE,
)
# A preposition straight before the date marks an event date too.
_EVENT_PREP_RE = re.compile(
    r"(?:\b(?:on|since|from|until|till|til|by|before|after|dated|between|and|to|of|"
    r"commencing|beginning|ending|w/c|wc|until|for|during|at)|[\-–—])\s*(?:the\s+)?$",
    re.IGNORECASE,
)
_SECTION_PREFIX_RE = re.compile(
    r"\b(?:section|sections|s|para|paragraph|version|v|chapter|clause|rule|step|table|"
    r"figure|fig|item|point|standard|page|pp?)\.?\s*$",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?](?:\s+|$)|[\n;]")

_DOB_BEFORE_WINDOW = 50
_DOB_AFTER_WINDOW = 25
_EVENT_WINDOW = 90


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*(?:['’](?![^\W\d_]))?")

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master", "mstr", "prof", "sir"})

# Words for a person, after which a capitalised word is taken as a name
# ("pupil Jayden", "mum, Kerry Hughes") and before which a name may stand
# ("Amelia Brown, the child", "Leo's mum").
_ROLE_WORDS = frozenset(
    """child children kid kids mum mom mam mummy mommy mother dad daddy father pupil
    pupils student students learner baby babies infant toddler son sons daughter daughters
    carer carers stepdad step-dad stepfather step-father stepmum step-mum stepmother
    step-mother grandmother grandfather grandma grandad granddad grandpa nan nana nanny
    gran granny grandparent grandparents sibling siblings brother brothers sister sisters
    half-brother half-sister stepbrother stepsister step-brother step-sister boy boys girl
    girls teen teenager aunt auntie aunty uncle cousin niece nephew partner ex-partner
    boyfriend girlfriend ex-boyfriend ex-girlfriend husband wife ex-husband ex-wife parent
    parents guardian friend friends neighbour lodger lad twin twins client patient
    resident victim perpetrator yp cyp""".split()
)
# Two-word roles whose last word is not a role on its own.
_ROLE_PAIRS = frozenset({("young", "person"), ("young", "people"), ("foster", "carer")})
_NAME_CONNECTORS = frozenset({"called", "named", "known", "as", "aka"})

# Words after which a capitalised word is part of a place or institution.
_PLACE_PREFIX = frozenset(
    {"st", "saint", "queen", "king", "prince", "princess", "lady", "lord", "mount", "port",
     "fort", "lake", "cape", "bishop", "cardinal", "pope", "holy", "sacred", "our"}
)

# Capitalised words that are institutions/places: a capitalised run that
# contains one of these is an organisation, not a person.
_ORG_WORDS = frozenset(
    """school schools academy academies primary secondary infant infants junior juniors
    nursery nurseries college university uni high grammar council police constabulary
    hospital hospitals infirmary trust nhs service services team teams unit units centre
    center centres care help support hub hubs bank banks project projects programme
    program panel conference plan order forum group groups club clubs fund allowance
    benefit credit premium finance association society foundation charity aid line
    helpline network partnership partnerships board agency agencies office department
    ward wards clinic surgery practice road street lane avenue close crescent drive way
    park station estate court courts house houses church mosque temple gurdwara
    synagogue chapel library centre gardens garden square place terrace row hill green
    bridge dock village town city borough county district region authority brigade guides
    scouts cadets army navy force forces federation institute commission government
    ministry tribunal prison probation refuge shelter hostel pantry foodbank kitchen
    cafe café shop store market mall arena stadium museum theatre cinema services
    children's childrens women's womens men's family families healthcare health""".split()
)

# Capitalised words that are not names.
_STOP_WORDS = frozenset(
    """i a an the this that these those there here he she they we you it his her hers
    their theirs them him our ours my mine your yours its me us one some any no none
    all both each every either neither other another such what which who whom whose
    where when why how whatever whoever everyone everybody someone somebody anyone
    anybody nobody noone nothing something everything anything and but or nor so yet
    if then than though although because as at on in of for from to with without by
    about above below after before since until till during while whilst into onto over
    under between among amongst through across near not yes ok okay please thanks
    thank hi hello dear also just only still even however therefore meanwhile
    afterwards later earlier today yesterday tomorrow tonight now recently currently
    previously initially finally firstly secondly thirdly additionally furthermore
    overall following further next last first second third new old again sadly
    unfortunately thankfully hopefully apparently luckily separately otherwise instead
    update note notes summary background concern concerns outcome action actions
    agreed reason reasons info information consent shared sharing share did does do
    is are was were be been being have has had will would can could should may might
    must shall let lets let's was wasn't isn't didn't doesn't don't can't won't
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu
    thur thurs fri sat sun january february march april may june july august september
    october november december jan feb mar apr jun jul aug sep sept oct nov dec
    christmas easter eid diwali ramadan hanukkah passover halloween bonfire
    half term summer autumn spring winter holiday holidays weekend morning afternoon
    evening night day week month year years reception nursery key stage form tutor
    class classes room block floor building site set group lesson lessons period
    mum mom mam mummy dad daddy nan nana nanny gran granny grandma grandad grandpa
    mother father parent parents carer carers child children baby sibling siblings
    brother sister son daughter aunt auntie uncle cousin partner pupil pupils student
    students boy girl young person people teen teenager family families household
    social worker workers work practitioner practitioners professional professionals
    teacher teachers teaching assistant ta head headteacher headmaster headmistress
    deputy principal vice senco sendco send sen dsl ddsl lead leads designated
    safeguarding officer officers manager managers coordinator co-ordinator
    nurse nurses midwife midwives visitor visitors doctor doctors gp gps paediatrician
    paediatric paediatrics consultant consultants therapist therapists counsellor
    counsellors psychologist psychiatrist mentor mentors coach advocate advocates
    chair governor governors trustee trustees director directors inspector detective
    constable sergeant pc ds dc sgt ofsted cafcass lado mash marac mappa camhs cahms
    early help children's childrens women's womens men's youth justice offending
    service services team teams school schools academy college university nursery
    council police hospital nhs trust care support hub centre center unit panel
    conference meeting meetings strategy discussion plan plans protection order orders
    section act acts law policy policies procedure procedures guidance framework
    working together keeping safe education welfare attendance inclusion exclusion
    exclusions behaviour behavior learning pastoral virtual looked leaving fostering
    foster adoption adopted agency independent reviewing iro domestic abuse violence
    sexual criminal exploitation exploited neglect emotional physical harm risk risks
    mental health wellbeing wellness emergency department urgent walk-in accident
    maternity midwifery visiting nursing substance misuse drug drugs alcohol recovery
    food foodbank citizens advice jobcentre plus universal credit housing benefit
    benefits tax allowance premium finance pensions dwp hmrc home office border
    immigration asylum visa court courts magistrates family judge solicitor solicitors
    barrister legal aid prevent channel operation encompass multi multi-agency agency
    front door duty desk contact referral referrals assessment assessments review
    reviews core initial child-protection cp cin lac cla cic icpc rcpc taf tac eha
    ehcp ehc pep iep pru ap sre rse pshe pe re art music drama english maths math
    mathematics science history geography french spanish german computing ict design
    technology gcse gcses sats mock mocks exam exams test tests coursework homework
    zoom teams microsoft google whatsapp snapchat instagram tiktok facebook youtube
    xbox playstation fortnite roblox discord minecraft netflix iphone ipad android
    uk gb england scotland wales ireland northern britain british english scottish
    welsh irish european polish romanian syrian afghan somali eritrean sudanese
    roma traveller travellers gypsy pakistani indian bangladeshi nigerian ghanaian
    muslim christian jewish sikh hindu catholic anglican asian black white african
    caribbean chinese vietnamese albanian kurdish iraqi iranian ukrainian lithuanian
    portuguese italian turkish arabic urdu punjabi bengali tigrinya amharic somali
    north south east west central upper lower greater royal general local county city
    borough district metropolitan national regional international community public
    private voluntary statutory county-lines lines county line gang gangs
    god allah jesus lord sir madam staff team dr mr mrs ms miss mx
    barnardo's barnardos nspcc kooth brook childline samaritans shelter mind
    youngminds relate gingerbread homestart home-start action actionforchildren
    think thinking remember remembered reported told said asked explained
    confirmed advised called rang emailed spoke discussed noted felt feels thinks
    believes appears seems seemed stated disclosed shared informed contacted visited
    saw seen met attended
    is am are dated regarding re fw fwd subject cc bcc attached attachment
    ref reference case record records file log number numbers no. tel mobile phone
    email address postcode dob nhs ni""".split()
)

# Common first names (UK births and parents' generations, varied origins).
# Used to catch a first name or full name with no role word nearby.
_FIRST_NAMES = frozenset(
    """aaliyah aaron abbie abby abdul abdullah abdulrahman abigail ada adam adil adrian
    agnieszka ahmad ahmed aidan aiden aimee aisha aishah aleksander alex alexa alexander
    alexandra alfie ali alice alicia alisha alison amanda amara amaya amelia amelie amina
    amir amira amy ana andre andrea andrew andy aneesa angela angelina anita ann anna
    anne annabelle annie anthony anton antonia archie aria ariana arianna arlo arthur
    arun asha ashleigh ashley ashton aurora ava ayaan ayesha barbara beatrice becky bella
    ben benjamin beth bethany betty beverley billy blake bobby bogdan bradley brandon
    brian brianna bronwen bryony caitlin caleb callum calum cameron carl carla carly
    caroline carys casey cassie catherine cerys charlene charlie charlotte chantelle
    chloe chris christina christine christopher ciara cieran claire clara craig cynthia
    daisy dakota dale damian damien dan daniel daniella danielle danny dante darius
    darren david dawid dawn dean declan demi denise derek destiny devon dexter diane
    dominic donna dylan eddie edward edwin eileen elaine eleanor eli elijah elise
    elizabeth ella elle ellie elliot elliott ellis elsie emilia emily emma eric erin esme
    ethan evan evelyn evie ewan fatima fatma felix finlay finley finn fiona florence
    francesca frankie freddie freya gabriel gabriella gareth gary gemma george georgie
    gerald gillian gracie greg gregory hamza hana hannah harper harriet harrison harry
    harvey hassan hayden hayley heidi helen henry hollie hugo ian ibrahim idris imogen
    imran isaac isabel isabella isabelle isaiah isla ismail isobel ivan jack jackson
    jacob jacqueline jade jake james jamie jan jane janet jasmine jason jay jayden jaylen
    jayson jean jenna jennifer jenny jeremy jessica jessie jim jimmy joanna joanne jodie
    joe joel joey john johnny jonathan jordan joseph josh joshua josie joy julia julie
    julian justin kacey kai kaitlyn kamal kane karen karina kasia kate katherine kathryn
    katie katy kayden kayla kaylee keeley keira keith kelly kenneth kerry kevin khadija
    kian kiara kieran kim kimberley kirsty kyle kyra lacey lana laura lauren layla leah
    lee leigh leila lena leo leon leonardo lewis lexi lexie liam lilly lily lindsey lisa
    logan lola lorraine louie louis louise luca lucas lucia lucy luke luna lydia lyla
    maddison madison maisie maja malachi malik mandy marcus margaret maria mariam marie
    marion marley martha martin mary maryam matilda matthew matteo max maya megan mehmet
    melissa mia michael michaela michelle mikayla mila millie mohamed mohammad mohammed
    molly muhammad musa mustafa nadia naomi natalia natalie natasha nathan nathaniel
    neil nevaeh niamh nicholas nicola nicole nikita nina noah noor nora oakley olivia
    oliver ollie omar oscar owen paige pamela patricia patrick paul paula peter phoebe
    piotr poppy priya rachel rafael rebecca reece reggie rhianna rhys ricky riley rio
    rita robert robyn rohan ronan ronnie rory rosie ross ruby rupert ruth ryan sadie
    safiya sahil sally sam samantha samira samuel sandra sara sarah scarlett sean
    sebastian shannon sharon shauna shaun shelby sienna simon skye sofia sonia sophia
    sophie stacey stanley stephanie stephen steven stuart sue susan suzanne sylvia
    tamara tanya tara tasha teagan terry theo theodore thomas tia tiffany tilly tim
    timothy toby tom tommy tony tracey tracy tyler tyrone usman valerie vanessa vicky
    vincent wayne wendy william willow wojciech yasmin yousef yusuf zachary zak zain
    zainab zara zoe zofia zoë zuzanna""".split()
)
# First names that are also ordinary words, months or places: only counted
# as part of "Firstname Surname", never on their own.
_AMBIGUOUS_FIRST = frozenset(
    """will mark grace hope faith joy rose summer april may june august dawn eve holly
    ivy ruby amber jade crystal bill pat rob sky storm angel chase hunter mason taylor
    jordan georgia india paris florence sydney victoria chelsea brooklyn austin lincoln
    bailey harley brook autumn willow heather violet iris hazel olive ginger sandy frank
    guy max miles drew dean king prince duke earl major sunny honey star river ocean
    rain noel christian patience destiny harmony melody liberty justice genesis trinity
    eden zion heaven carter cooper parker spencer morgan lane art ray don bob kit""".split()
)
_LONE_FIRST_NAMES = _FIRST_NAMES - _AMBIGUOUS_FIRST - _STOP_WORDS

# Context straight after a capitalised run that shows it is a person:
# ", the child", " (mum)", " - pupil", ", aged 7", " (Year 9)", ", DOB ...".
_AFTER_ROLE_RE = re.compile(
    r"^\s*(?:[,(:\-–—]\s*)?(?:(?:the|her|his|their|a|an|our|my|your|who\s+is\s+(?:the|a|her|his|their))\s+)?"
    r"(?P<w>[a-z][a-z\-]*)",
    re.IGNORECASE,
)
_AFTER_AGE_RE = re.compile(
    r"^\s*(?:[,(:\-–—]\s*)?(?:aged?\s*\d|\d{1,2}\s*(?:yrs?|years?|y/?o)\b|\(\s*\d{1,2}\s*\)|"
    r"(?:in\s+)?year\s*\d|yr\s*\d|d\.?\s?o\.?\s?b|born\b)",
    re.IGNORECASE,
)
_FAMILY_AFTER_RE = re.compile(r"^\s+(?:family|household|twins|children|kids|boys|girls)\b", re.IGNORECASE)


class _Tok:
    __slots__ = ("start", "end", "text", "base", "low", "poss", "cap", "initial", "sent_start", "gap_before")

    def __init__(self, m: re.Match, text: str, prev_end: int) -> None:
        self.start = m.start()
        self.end = m.end()
        word = m.group()
        self.text = word
        poss = False
        base = word
        if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
            base = word[:-2]
            poss = True
        elif word[-1] in "'’":
            base = word[:-1]
            poss = True
        self.base = base
        self.low = base.lower()
        self.poss = poss
        first = base[0]
        self.initial = len(base) == 1 and first.isupper() and first not in "IA"
        # Capitalised word: upper-case first letter and some lower case (so
        # not an acronym like CAMHS or DSL).
        self.cap = first.isupper() and any(c.islower() for c in base)
        self.gap_before = text[prev_end:self.start]
        self.sent_start = False


# --------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------
def _spans_overlap(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _scan_nhs(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _NHS_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if _nhs_check_ok(digits):
            out.append(m.span())
    return out


def _scan_ni(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _NI_RE.finditer(text):
        prefix = m.group(1)
        if prefix.upper() in _NI_BAD_PREFIX:
            continue
        if prefix.islower() and prefix in _NI_LOWER_WORDS:
            continue
        out.append(m.span())
    return out


def _scan_postcodes(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _POSTCODE_RE.finditer(text):
        area, district, digit, unit = m.groups()
        if area.upper() not in _POSTCODE_AREAS:
            continue
        # "M1 2nd" / "E5 4th": an ordinal, not an inward code.
        if unit.islower() and unit == _ORDINAL_SUFFIX.get(digit, "th"):
            continue
        if unit.lower() in ("st", "nd", "rd", "th") and not unit.isupper():
            continue
        out.append(m.span())
    return out


def _scan_emails(text: str) -> list[tuple[int, int]]:
    if "@" not in text:
        return []
    return [m.span() for m in _EMAIL_RE.finditer(text)]


def _scan_phones(text: str, taken: list[tuple[int, int]]) -> bool:
    if not _PHONE_HINT_RE.search(text):
        return False
    for m in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE):
        raw = m.raw_string
        if not _PHONE_START_RE.match(raw):
            continue
        if _spans_overlap((m.start, m.end), taken):
            continue
        num = m.number
        nsn = str(num.national_number)
        if num.country_code == 44:
            if len(nsn) not in (9, 10) or nsn[0] not in "1235789":
                continue
        elif not phonenumbers.is_possible_number(num):
            continue
        return True
    return False


def _sentence_start(text: str, pos: int) -> int:
    start = 0
    for m in _SENTENCE_END_RE.finditer(text, 0, pos):
        start = m.end()
    return start


def _sentence_end(text: str, pos: int) -> int:
    m = _SENTENCE_END_RE.search(text, pos)
    return m.start() if m else len(text)


def _valid_dm(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _scan_dates(text: str) -> tuple[bool, list[tuple[int, int]]]:
    """Return (found a date of birth, spans of every date seen).

    Rule: a date is a date of birth when
      * a birth word (DOB, d.o.b, date of birth, born, birthday, aged) is in
        the same sentence up to 50 characters before it, or up to 25
        characters after it ("03/04/2012 (DOB)"); partial dates ("born on
        3rd April", "DOB: March 2019") count in this case; or
      * it is a full calendar date with a year that is not clearly an
        event date.  A date is an event date when it follows a preposition
        ("on", "since", "from", "until", "by", "dated", ...) or an event word
        (meeting, visit, referral, conference, review, appointment, call,
        incident, seen, received, ...) appears earlier in the same sentence
        within 90 characters.  Even then, a date written straight after a
        capitalised name and a comma or bracket ("Leah, 03/04/2012",
        "Leah (3.4.12)") is treated as a date of birth.
    Numbers after "section"/"para"/"version" etc. are not dates.
    """
    dates: list[tuple[int, int, bool]] = []  # start, end, has_year
    for m in _NUM_DATE_RE.finditer(text):
        if m.group(1) is not None:
            d, mo = int(m.group(1)), int(m.group(3))
        else:
            mo, d = int(m.group(6)), int(m.group(7))
        if not _valid_dm(d, mo):
            continue
        if _SECTION_PREFIX_RE.search(text, max(0, m.start() - 12), m.start()):
            continue
        dates.append((m.start(), m.end(), True))
    if any(c.isalpha() for c in text):
        for m in _TEXT_DATE_RE.finditer(text):
            kind = m.lastgroup
            dates.append((m.start(), m.end(), kind in ("dmy", "mdy")))
    if not dates:
        return False, []
    dates.sort()
    spans = [(s, e) for s, e, _ in dates]
    prev_end = 0
    for s, e, has_year in dates:
        sent_s = _sentence_start(text, s)
        lo = max(sent_s, prev_end, s - _DOB_BEFORE_WINDOW)
        before = text[lo:s]
        after_hi = min(_sentence_end(text, e), e + _DOB_AFTER_WINDOW)
        after = text[e:after_hi]
        prev_end = e
        if _DOB_WORD_RE.search(before) or _DOB_WORD_RE.search(after):
            return True, spans
        if not has_year:
            continue
        near = text[max(sent_s, s - 40):s]
        if re.search(r"[A-Z][a-z’']+(?:\s+[A-Z][a-z’'\-]+)?\s*[,(]\s*$", near):
            word = re.search(r"([A-Z][a-z’'\-]+)\s*[,(]\s*$", near).group(1).lower()
            if word not in _STOP_WORDS and word not in _MONTHS:
                return True, spans
        if _EVENT_PREP_RE.search(text, max(sent_s, s - 30), s):
            continue
        if _EVENT_WORD_RE.search(text, max(sent_s, s - _EVENT_WINDOW), s):
            continue
        return True, spans
    return False, spans


def _tokenise(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = 0
    prev: _Tok | None = None
    for m in _TOKEN_RE.finditer(text):
        t = _Tok(m, text, prev_end)
        gap = t.gap_before
        if prev is None:
            t.sent_start = True
        elif "\n" in gap or any(c in gap for c in "!?:;•") or (
            "." in gap and not (prev.low in _HONORIFICS or prev.low in _PLACE_PREFIX or prev.initial)
        ):
            t.sent_start = True
        # Bullets, quotes and brackets at the very start still count.
        toks.append(t)
        prev = t
        prev_end = t.end
    return toks


def _is_role(toks: list[_Tok], i: int) -> bool:
    t = toks[i]
    if t.low in _ROLE_WORDS:
        return True
    if i > 0 and (toks[i - 1].low, t.low) in _ROLE_PAIRS and toks[i].gap_before.strip() == "":
        return True
    return False


def _is_candidate(t: _Tok) -> bool:
    """A capitalised word that could be part of a person's name."""
    return t.cap and t.low not in _STOP_WORDS and t.low not in _ORG_WORDS


def _joined(toks: list[_Tok], i: int) -> bool:
    """True when toks[i] continues the capitalised run of toks[i-1]."""
    gap = toks[i].gap_before
    return gap in (" ", "\u00a0") and not toks[i - 1].poss


def _runs(toks: list[_Tok]) -> list[tuple[int, int, bool]]:
    """Capitalised runs as (first index, last index, is_org)."""
    runs = []
    n = len(toks)
    i = 0
    while i < n:
        if not (toks[i].cap or toks[i].initial):
            i += 1
            continue
        j = i
        while j + 1 < n:
            nxt = toks[j + 1]
            if (nxt.cap or nxt.initial) and _joined(toks, j + 1):
                j += 1
                continue
            # "University of Leeds", "Action for Children", "Team Around the Family"
            if (
                nxt.low in ("of", "for", "upon", "the", "and")
                and not nxt.cap
                and _joined(toks, j + 1)
                and j + 2 < n
                and toks[j + 2].cap
                and _joined(toks, j + 2)
                and (nxt.low != "and" or toks[j + 2].low in _ORG_WORDS or toks[j].low in _ORG_WORDS)
            ):
                j += 2
                continue
            break
        is_org = any(
            toks[k].low in _ORG_WORDS or (toks[k].low in _PLACE_PREFIX and toks[k].cap) for k in range(i, j + 1)
        )
        # A run that starts after a place prefix ("St Mary's") is a place.
        if i > 0 and toks[i - 1].low in _PLACE_PREFIX and toks[i - 1].cap and _joined(toks, i):
            is_org = True
        runs.append((i, j, is_org))
        i = j + 1
    return runs


def _scan_names(text: str) -> bool:
    # Cheap exit: no capitalised word at all.
    if not any(c.isupper() for c in text):
        return False
    toks = _tokenise(text)
    n = len(toks)
    if not n:
        return False
    run_of = [None] * n
    for r in _runs(toks):
        for k in range(r[0], r[1] + 1):
            run_of[k] = r

    def usable(k: int) -> bool:
        r = run_of[k]
        return r is not None and not r[2] and _is_candidate(toks[k])

    for i, t in enumerate(toks):
        # 1. Honorific + name: "Mrs Okafor", "Dr. Achebe", "Mr J Smith".
        if t.low in _HONORIFICS and t.cap and not t.poss and i + 1 < n:
            nxt = toks[i + 1]
            gap = nxt.gap_before
            if gap in (" ", ". ", ".", "\u00a0") and (
                (nxt.cap and nxt.low not in _STOP_WORDS and nxt.low not in _ORG_WORDS) or nxt.initial
            ):
                if t.low == "sir" and not nxt.cap:
                    continue
                if t.low in ("miss", "master", "sir") and gap != " ":
                    continue
                return True

        # 2. Role word + name: "pupil Jayden", "mum, Kerry Hughes",
        #    "a boy called Jayden", "the young person (Kacey)".
        if _is_role(toks, i) and not t.cap or (_is_role(toks, i) and t.cap):
            j = i + 1
            while j < n and toks[j].low in _NAME_CONNECTORS and not toks[j].cap:
                j += 1
            if j < n and not toks[j].sent_start and usable(j):
                gap = toks[j].gap_before
                if re.fullmatch(r"\s*[,:(\-–—\"“']?\s*", gap) and "\n" not in gap:
                    return True

        # 3. Known first name on its own ("said Jayden", "Olivia's mum").
        if t.cap and usable(i):
            parts = t.low.split("-")
            if t.low in _LONE_FIRST_NAMES or any(p in _LONE_FIRST_NAMES for p in parts if len(p) > 2):
                return True
            # "Grace Williams": ambiguous first name + surname.
            if t.low in _FIRST_NAMES | _AMBIGUOUS_FIRST and i + 1 < n and usable(i + 1) and _joined(toks, i + 1):
                return True

    # 4. Name + role/age context: "Amelia Brown, the child", "Leo's mum",
    #    "Mia Robinson, aged 7", "Tyler (Year 8)", "the Hughes family".
    for i0, j0, is_org in _runs(toks):
        if is_org:
            continue
        # Longest trailing stretch of candidate tokens in the run.
        k = j0
        while k >= i0 and _is_candidate(toks[k]):
            k -= 1
        first = k + 1
        if first > j0:
            continue
        last = toks[j0]
        length = j0 - first + 1
        if length > 3:
            continue
        after = text[last.end: last.end + 40]
        if last.poss:
            m = re.match(r"^\s+(?:(?:step|half|ex|foster|birth|adoptive|biological|older|younger|little|big|baby|twin|new|former)[\s\-]?)?([a-z][a-z\-]*)", after, re.IGNORECASE)
            if m and m.group(1).lower() in _ROLE_WORDS:
                return True
        if _AFTER_AGE_RE.match(after):
            return True
        if length >= 2:
            m = _AFTER_ROLE_RE.match(after)
            if m and m.group("w").lower() in _ROLE_WORDS and not after.startswith(" and"):
                return True
            if m and m.group("w").lower() == "young" and re.match(r"^\W*(?:\w+\s+)?young\s+(?:person|people)", after, re.IGNORECASE):
                return True
        # "the Hughes family"
        if length == 1 and first > 0 and toks[first - 1].low == "the" and _FAMILY_AFTER_RE.match(after):
            return True
    return False


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
def screen(text: str) -> list[Finding]:
    """Return the distinct kinds of personal detail found in ``text``.

    Findings are in the fixed order of ``KINDS`` and carry only a kind and a
    plain-English label, never any part of the text itself.
    """
    if not text or not isinstance(text, str):
        return []
    found: set[str] = set()

    nhs = _scan_nhs(text) if any(c.isdigit() for c in text) else []
    if nhs:
        found.add("nhs_number")
    ni = _scan_ni(text) if nhs is not None and any(c.isdigit() for c in text) else []
    if ni:
        found.add("ni_number")
    has_digit = any(c.isdigit() for c in text)
    if has_digit and _scan_postcodes(text):
        found.add("postcode")
    emails = _scan_emails(text)
    if emails:
        found.add("email")
    dob, date_spans = _scan_dates(text) if (has_digit or "birth" in text.lower()) else (False, [])
    if dob:
        found.add("date_of_birth")
    if has_digit and _scan_phones(text, nhs + ni + date_spans + emails):
        found.add("phone")
    if _scan_names(text):
        found.add("name")
    return [_FINDINGS[k] for k in KINDS if k in found]


def _join(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def explain(findings: list[Finding]) -> str:
    """One short message (< 150 characters) naming what was found.

    Built only from the fixed labels, so it can never echo the user's text.
    Returns "" when there is nothing to explain.
    """
    kinds = [k for k in KINDS if any(f.kind == k for f in findings)]
    if not kinds:
        return ""
    labels = [LABELS[k] for k in kinds]
    msg = _EXPLAIN_HEAD + _join(labels) + _EXPLAIN_TAIL
    if len(msg) <= _MAX_EXPLAIN:
        return msg
    for keep in range(len(labels) - 1, 0, -1):
        msg = _EXPLAIN_HEAD + ", ".join(labels[:keep]) + " and other personal details" + _EXPLAIN_TAIL
        if len(msg) <= _MAX_EXPLAIN:
            return msg
    return _EXPLAIN_HEAD + "personal details" + _EXPLAIN_TAIL

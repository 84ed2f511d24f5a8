"""Screen free text for personal details before anything is stored.

Pure logic: no Slack, no database, no logging, no I/O.  ``screen()`` returns
the *kinds* of personal detail it found (never the matched text) and
``explain()`` turns them into one short message for a Slack modal inline
error.  Typical cost is well under 1 ms for a 500-character description.

Rules (details next to each detector):

* nhs_number    10 digits (plain, 3-3-4 spaced or hyphenated) whose
                modulus-11 check digit is valid.
* ni_number     two prefix letters (HMRC exclusions), six digits (pairs may
                be spaced), suffix A-D.
* postcode      full UK postcode with a real postcode area, any case, with or
                without the space.  Partial postcodes ("LS6") are not flagged.
* phone         phonenumbers.PhoneNumberMatcher, region GB, written with a
                leading 0, + or 00 and not overlapping another finding.
* email         local@domain.tld
* date_of_birth a date near a birth word (DOB, d.o.b, date of birth, born,
                birthday, aged, "turns 16", "will be 18"), or a bare full date
                with a year that is not clearly an event date ("meeting on
                12/03/2024" is an event date).  See ``_scan_dates``.
* name          honorific + name ("Mrs Okafor"), role word + name ("pupil
                Jayden", "mum, Kerry Hughes", "mum kerry"), name + person
                context ("Amelia Brown, the child", "Leo's mum", "Mia, aged 7",
                "Kai and his sister", "the Hughes family"), "her name is
                Brogan", a single unknown capitalised word that says something
                ("Olamide said"), or a common first name (built-in list; names
                that are also words or places, like Grace or Jordan, only as
                "Firstname Surname").  Capitalised runs containing an
                institution word ("St Mary's Primary School") and a long stop
                list (days, months, services, roles, pronouns, ...) are never
                names.

Known limits: an unusual name with no role word, honorific or other cue
("spoke with Kwabena Mensah") is missed; an organisation or place used as a
speaker ("Leeds said") or a product named after a person ("Hollie Guard") is
flagged.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
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

_Span = tuple[int, int]

# --------------------------------------------------------------------------
# NHS numbers
# --------------------------------------------------------------------------
# 10 digits: plain, 3-3-4 with spaces, or 3-3-4 with hyphens, not part of a
# longer number.  Valid only if the modulus-11 check digit passes (weights
# 10..2 on the first nine digits; 11 - remainder, 11 -> 0, 10 -> invalid).
# Ten identical digits pass the check but are placeholders, not numbers.
_NHS_RE = re.compile(r"\d{3}(?:\d{7}|[ \u00a0]\d{3}[ \u00a0]\d{4}|-\d{3}-\d{4})")
_LONGER_BEFORE_RE = re.compile(r"[\d+][ \u00a0\-]$")
_LONGER_AFTER_RE = re.compile(r"[ \u00a0\-]\d")


def _nhs_check_ok(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# --------------------------------------------------------------------------
# National Insurance numbers
# --------------------------------------------------------------------------
# First letter not D F I Q U V; second letter not D F I O Q U V; prefixes
# BG GB KN NK NT TN ZZ are never issued.  Six digits (optionally spaced or
# hyphenated in pairs, or 6 together), then suffix A-D.  Any case, but an
# all-lower-case match whose prefix is a common two-letter word
# ("at 12 34 56 a") is ignored.
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
# Outward code (area + district) + inward code (digit + two letters, never
# C I K M O V).  The area must be a real UK postcode area.  "E5 4th" style
# ordinals are not postcodes.
_POSTCODE_RE = re.compile(
    r"\b([A-Za-z]{1,2})(\d[A-Za-z\d]?)[ \t\u00a0]{0,2}(\d)([ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\b"
)
_POSTCODE_AREAS = frozenset(
    """AB AL B BA BB BD BF BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
    DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA
    KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO
    PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W
    WA WC WD WF WN WR WS WV YO ZE""".split()
)

# --------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------
# A cheap bounded candidate pass keeps the scan linear; each candidate is
# then checked with the stricter pattern.
_EMAIL_CAND_RE = re.compile(r"[A-Za-z0-9._%+'\-]{1,64}@[A-Za-z0-9.\-]{1,255}")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+'\-]{0,62}[A-Za-z0-9_%+\-])?@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}\b"
)

# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------
# phonenumbers' VALID leniency rejects unallocated ranges (including Ofcom's
# drama numbers and a mistyped real number), so matches are taken at
# POSSIBLE leniency and must be written the way people write phone numbers:
# a leading 0, + or 00 (optionally inside a bracket).  UK numbers need a
# 9-10 digit national number starting 1, 2, 3, 5, 7, 8 or 9.  The matcher
# only runs on small windows around candidates found by a cheap regex.
_PHONE_HINT_RE = re.compile(r"(?:\+|(?<!\d)0)[\d \t().\-\u00a0/]{7,24}\d")
_PHONE_START_RE = re.compile(r"\(?\s*[0+]")

# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------
_MONTH_WORDS = frozenset(
    """jan january feb february mar march apr april may jun june jul july aug august sep
    sept september oct october nov november dec december""".split()
)
_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2})"

# Numeric d/m/y with one consistent separator (/ . -), or ISO y-m-d; not
# part of a longer dotted/slashed number.  The pattern starts with a digit
# (fast scan); boundaries are checked in code.
_NUM_DATE_RE = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})")
_DIGIT_RE = re.compile(r"\d")
_NUM_DATE_HINT_RE = re.compile(r"\d[/.\-]\d")
# Textual dates.  Groups: day-month-year, month-day-year (both full dates),
# then the partial forms day-month, month-day, month-year.
_TEXT_DATE_RE = re.compile(
    rf"\b(?P<dmy>{_DAY}(?:\s+of)?\s+{_MON},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<mdy>{_MON}\s+{_DAY},?\s+{_YEAR})(?!\d)"
    rf"|\b(?P<dm>{_DAY}(?:\s+of)?\s+{_MON})(?![A-Za-z])"
    rf"|\b(?P<md>{_MON}\s+{_DAY})\b"
    rf"|\b(?P<my>{_MON},?\s+(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# Words that say "this is when someone was born".
_DOB_WORD_RE = re.compile(
    r"(?<![A-Za-z])(?:d\.?\s?o\.?\s?b\.?(?![A-Za-z])|date\s+of\s+birth|birth\s?date|born|"
    r"birthday|b['’]?day|aged|(?:turns?|turning|will\s+be|is\s+going\s+to\s+be)\s+\d{1,2}\b"
    r"(?!\s*(?:months?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?|%|am\b|pm\b|[.:/])))",
    re.IGNORECASE,
)
# Words that make a date the date of an event (checked as whole words in the
# same sentence, up to 90 characters before the date).
_EVENT_WORDS = frozenset(
    """meeting meetings meet met visit visits visited visiting referral referred conference
    review reviewed appointment appt session call called phoned rang contact contacted
    strategy discussion discussed assessment assessed hearing court incident letter email
    emailed e-mail report reported exclusion excluded suspension suspended attend attended
    attendance seen saw held happened occurred start starts started starting began begins
    end ends ended ending finish finishes finished moved move moves left leaves joined
    returned missing absent arrested admitted discharged closed opened allocated
    transferred escalated booked arranged scheduled planned cancelled postponed rearranged
    due deadline expires expired expiry commencing term week day trip disclosed disclosure
    shared sent received recorded logged notified notification plan icpc rcpc cp cin lac
    cla taf tac eha pep ehcp marac mash s47 s17 consultation interview interviewed panel
    training next last until since dated updated completed submitted issued signed agreed
    tested checked evening exam exams holiday holidays placement sentencing bail""".split()
)
_EVENT_PHRASES = ("took place", "core group", "section 47", "w/c")
# A preposition straight before the date marks an event date too.
_EVENT_PREP_RE = re.compile(
    r"(?:\b(?:on|since|from|until|till|til|by|before|after|dated|between|and|to|of|"
    r"commencing|beginning|ending|wc|for|during|at)|w/c|[\-–—])\s*(?:the\s+)?$",
    re.IGNORECASE,
)
_SECTION_PREFIX_RE = re.compile(
    r"\b(?:section|sections|s|para|paragraph|version|v|chapter|clause|rule|step|table|"
    r"figure|fig|item|point|standard|page|pp?)\.?\s*$",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s|$)|[\n;]")
_NAME_BEFORE_RE = re.compile(r"([A-Z][^\W\d_]+)(?:\s+([A-Z][^\W\d_'’\-]+(?:[-'’][A-Za-z]+)?))?\s*[,(]\s*$")

_DOB_BEFORE_WINDOW = 50
_DOB_AFTER_WINDOW = 25
_EVENT_WINDOW = 90

# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*['’]?")

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master", "mstr", "prof", "sir"})
_ROLE_PAIRS = frozenset({("young", "person"), ("young", "people"), ("foster", "carer")})
_NAME_CONNECTORS = frozenset({"called", "named", "known", "as", "aka"})
_RUN_JOINERS = frozenset({"of", "for", "upon", "the", "and"})
_ROLE_QUALIFIERS = frozenset(
    """step half ex foster birth adoptive biological older younger little big baby twin new
    former eldest youngest oldest""".split()
)

# Words after which a capitalised word is part of a place or institution.
_PLACE_PREFIX = frozenset(
    {"st", "saint", "queen", "king", "prince", "princess", "lady", "lord", "mount", "port",
     "fort", "lake", "cape", "bishop", "cardinal", "pope", "holy", "sacred", "our"}
)

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
    scouts cadets brownies rainbows beavers cubs army navy force forces federation institute commission government
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
    zainab zara zoe zofia zoë zuzanna
    albert albie arabella ayla bonnie connor darcie delilah edith eliza eloise eva ezra
    grayson hallie jaxon jenson jesse jude lottie lyra mabel maeve margot milo myla nancy
    ophelia orla otis penelope ralph reuben teddy thea""".split()
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
    eden zion heaven carter cooper parker spencer morgan lane art ray don bob kit hudson
    roman rowan sonny jasper nova penny chester""".split()
)
_FIRST_OR_AMBIGUOUS = _FIRST_NAMES | _AMBIGUOUS_FIRST
# First names that may stand on their own (also used after a role word in
# lower case: "mum kerry").
_LONE_FIRST_NAMES = _FIRST_NAMES - _AMBIGUOUS_FIRST - _STOP_WORDS - _ORG_WORDS - _ROLE_WORDS

# Person context straight after a capitalised run: ", aged 7", " (14)",
# " (Year 9)", " in Year 4", ", DOB ...".
_AFTER_AGE_RE = re.compile(
    r"\s*(?:[,(:\-–—]\s*)?(?:aged?\s*\d|\d{1,2}\s*(?:yrs?|years?|y/?o)\b|\d{1,2}\s*\)|"
    r"(?:in\s+)?year\s*\d|yr\s*\d|d\.?\s?o\.?\s?b|born\b)"
    r"|\s*[,(]\s*\d{1,2}\s*[,)]",
    re.IGNORECASE,
)
# Role straight after a capitalised run: ", the child", " (mum)", " - pupil".
_AFTER_ROLE_RE = re.compile(
    r"\s*(?:[,(:\-–—]\s*)?(?:(?:the|her|his|their|a|an|our|my|your|(?:who\s+)?is\s+(?:the|a|her|his|their))\s+)?"
    r"(?:(?:step|half|ex|foster|birth|older|younger|eldest|youngest|little|big|baby|twin)[\s\-]?)?"
    r"([A-Za-z][A-Za-z\-]*)(?:\s+([A-Za-z]+))?",
    re.IGNORECASE,
)
# "Precious and her brother", "Kai and his mum".
_AND_ROLE_RE = re.compile(
    r"\s+(?:and|&)\s+(?:her|his|their)\s+(?:(?:step|half|older|younger|little|big|baby|twin)[\s\-]?)?"
    r"([A-Za-z\-]+)",
    re.IGNORECASE,
)
# Words that introduce a name: "her name is Brogan", "known as Kai",
# "a man called Dean".
_NAME_INTRO_RE = re.compile(
    r"(?:\bname\s+is|\bname['’]s|\bnamed|\bnicknamed|\bknown\s+as|\bgoes\s+by|"
    r"\b(?:someone|somebody|a\s+[a-z]+|an\s+[a-z]+)\s+called)\s*[:\"“']?\s*$",
    re.IGNORECASE,
)
# A single capitalised word that says something is a person ("Olamide
# said", "Bartosz disclosed").  Two-word runs are not used: organisations
# say things too ("Alder Hey said").
_SAID_AFTER_RE = re.compile(
    r"\s+(?:has\s+|had\s+|then\s+|later\s+|also\s+)?(?:said|says|told|tells|disclosed|discloses|"
    r"reported|explained|stated|shouted|screamed|cried|admitted|denied|alleged|whispered|"
    r"texted|messaged|confided|mentioned)\b"
)
_NAME_PREFIXES = frozenset({"mc", "mac", "o", "d", "de", "la", "le", "di", "da", "van", "von", "fitz", "st"})
_STOP_OR_ORG = _STOP_WORDS | _ORG_WORDS
_FAMILY_AFTER_RE = re.compile(r"\s+(?:family|household|twins|children|kids|boys|girls)\b", re.IGNORECASE)
_GAP_AFTER_ROLE_RE = re.compile(r"\s*[,:(\-–—\"“']?\s*")
_SENTENCE_GAP_CHARS = frozenset(".!?;\n•")


# --------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------
def _overlaps(a: int, b: int, spans: list[_Span]) -> bool:
    return any(a < e and s < b for s, e in spans)


def _scan_nhs(text: str) -> list[_Span]:
    out = []
    for m in _NHS_RE.finditer(text):
        s, e = m.span()
        if (s and (text[s - 1].isdigit() or text[s - 1] == "+")) or (e < len(text) and text[e].isdigit()):
            continue
        # Part of a longer spaced number, e.g. "+44 161 496 0321".
        if _LONGER_BEFORE_RE.search(text, max(0, s - 3), s) or _LONGER_AFTER_RE.match(text, e):
            continue
        if _nhs_check_ok(m.group().replace(" ", "").replace("\u00a0", "").replace("-", "")):
            out.append((s, e))
    return out


def _scan_ni(text: str) -> list[_Span]:
    out = []
    for m in _NI_RE.finditer(text):
        prefix = m.group(1)
        if prefix.upper() in _NI_BAD_PREFIX or (prefix.islower() and prefix in _NI_LOWER_WORDS):
            continue
        out.append(m.span())
    return out


def _scan_postcodes(text: str) -> list[_Span]:
    out = []
    for m in _POSTCODE_RE.finditer(text):
        area, _district, _digit, unit = m.groups()
        if area.upper() not in _POSTCODE_AREAS:
            continue
        if not unit.isupper() and unit.lower() in ("st", "nd", "rd", "th"):
            continue  # "E5 4th", "M1 1st"
        out.append(m.span())
    return out


def _scan_emails(text: str) -> list[_Span]:
    if "@" not in text:
        return []
    out: list[_Span] = []
    for cand in _EMAIL_CAND_RE.finditer(text):
        m = _EMAIL_RE.search(text, cand.start(), cand.end())
        if m:
            out.append(m.span())
    return out


def _scan_phones(text: str, taken: list[_Span]) -> bool:
    n = len(text)
    for hint in _PHONE_HINT_RE.finditer(text):
        lo = max(0, hint.start() - 3)
        hi = min(n, hint.end() + 2)
        window = text[lo:hi]
        for m in phonenumbers.PhoneNumberMatcher(window, "GB", leniency=Leniency.POSSIBLE):
            if not _PHONE_START_RE.match(m.raw_string):
                continue
            if _overlaps(lo + m.start, lo + m.end, taken):
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


class _Text:
    """Per-call shared view of the text: tokens and sentence boundaries."""

    __slots__ = ("text", "toks", "starts", "sent_ends")

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]
        self.starts = [t[0] for t in self.toks]
        self.sent_ends = [m.end() for m in _SENTENCE_END_RE.finditer(text)]

    def sentence_start(self, pos: int) -> int:
        i = bisect_right(self.sent_ends, pos) - 1
        return self.sent_ends[i] if i >= 0 else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect_left(self.sent_ends, pos + 1)
        return self.sent_ends[i] - 1 if i < len(self.sent_ends) else len(self.text)

    def words_between(self, lo: int, hi: int) -> list[str]:
        i = bisect_left(self.starts, lo)
        j = bisect_left(self.starts, hi)
        return [self.toks[k][2].lower() for k in range(i, j) if self.toks[k][1] <= hi]


def _valid_dm(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _find_dates(tv: _Text) -> list[tuple[int, int, bool]]:
    """All dates as (start, end, has_year), sorted."""
    text = tv.text
    dates: list[tuple[int, int, bool]] = []
    n = len(text)
    if _NUM_DATE_HINT_RE.search(text):
        for m in _NUM_DATE_RE.finditer(text):
            a, sep, b, c = m.groups()
            s, e = m.span()
            # Boundaries: "v1.2.3.4", "2023-24-1", "12/3/2024/5" are not dates.
            if s and (text[s - 1].isdigit() or text[s - 1] in "./" or (
                text[s - 1] == "-" and s > 1 and text[s - 2].isdigit()
            )):
                continue
            if e < n and (text[e].isdigit() or (text[e] in "./-" and e + 1 < n and text[e + 1].isdigit())):
                continue
            if len(a) <= 2 and len(c) in (2, 4):
                d, mo = int(a), int(b)
            elif len(a) == 4 and sep == "-" and len(c) <= 2 and a[:2] in ("19", "20"):
                mo, d = int(b), int(c)
            else:
                continue
            if not _valid_dm(d, mo):
                continue
            if _SECTION_PREFIX_RE.search(text, max(0, m.start() - 12), m.start()):
                continue  # "section 2.3.1", "version 3.2.1"
            dates.append((m.start(), m.end(), True))
    # Textual dates: only look around month words.
    seen_to = -1
    n = len(text)
    for s, e, w in tv.toks:
        if w.lower().rstrip(".") not in _MONTH_WORDS or s < seen_to:
            continue
        lo = max(0, s - 14)
        floor = max(0, s - 30)
        while lo > floor and not text[lo - 1].isspace():
            lo -= 1
        hi = min(n, e + 12)
        ceil = min(n, e + 30)
        while hi < ceil and not text[hi].isspace():
            hi += 1
        for m in _TEXT_DATE_RE.finditer(text, lo, hi):
            if m.end() <= seen_to:
                continue
            dates.append((m.start(), m.end(), m.lastgroup in ("dmy", "mdy")))
            seen_to = m.end()
    dates.sort()
    return dates


def _scan_dates(tv: _Text) -> tuple[bool, list[_Span]]:
    """Return (found a date of birth, spans of all dates).

    A date is a date of birth when:
      1. a birth word (DOB, d.o.b, date of birth, born, birthday, aged, or an
         age milestone such as "turns 16" / "will be 18" - but not "will be
         6 months") is in the same sentence up to 50 characters before it,
         or up to 25 characters after it ("03/04/2012 (DOB)").  Partial dates
         count here ("born on 3rd April", "DOB: March 2019"); or
      2. it is a full calendar date with a year written straight after a
         name and a comma or bracket ("Leah, 03/04/2012", "Leah Smith
         (3.4.12)"); or
      3. it is any other full calendar date with a year, unless it is
         clearly an event date: straight after a preposition ("on", "since",
         "from", "until", "by", "dated", "between ... and", ...) or with an
         event word earlier in the same sentence within 90 characters
         (meeting, visit, referral, conference, review, appointment, call,
         incident, seen, received, started, due, next, last, day, term, ...).
    So "meeting on 12/03/2024" is not flagged, "Child: 12/06/2016" is.
    Dates without a year are only flagged under rule 1.
    """
    text = tv.text
    dates = _find_dates(tv)
    if not dates:
        return False, []
    spans = [(s, e) for s, e, _ in dates]
    prev_end = 0
    for s, e, has_year in dates:
        sent_s = tv.sentence_start(s)
        before = text[max(sent_s, prev_end, s - _DOB_BEFORE_WINDOW):s]
        after = text[e:min(tv.sentence_end(e), e + _DOB_AFTER_WINDOW)]
        prev_end = e
        if _DOB_WORD_RE.search(before) or _DOB_WORD_RE.search(after):
            return True, spans
        if not has_year:
            continue
        m = _NAME_BEFORE_RE.search(text, max(sent_s, s - 40), s)
        if m and _looks_like_name(m.group(1), m.group(2)):
            return True, spans
        if _EVENT_PREP_RE.search(text, max(sent_s, s - 30), s):
            continue
        lo = max(sent_s, s - _EVENT_WINDOW)
        if any(w in _EVENT_WORDS for w in tv.words_between(lo, s)):
            continue
        window = text[lo:s].lower()
        if any(p in window for p in _EVENT_PHRASES):
            continue
        return True, spans
    return False, spans


def _looks_like_name(first: str, second: str | None) -> bool:
    f = _split_possessive(first)[0].lower()
    if second is None:
        return f in _LONE_FIRST_NAMES
    s = second.lower()
    if f in _STOP_WORDS or f in _ORG_WORDS or s in _STOP_WORDS or s in _ORG_WORDS:
        return False
    return f in _FIRST_OR_AMBIGUOUS or s in _LONE_FIRST_NAMES


def _camel_case(word: str) -> bool:
    """True for brand-like words ("FaceTimed", "WhatsApp"), not "McDonald"."""
    seg = 0
    for i in range(1, len(word)):
        c = word[i]
        if c in "-'’":
            seg = i + 1
        elif c.isupper() and i > seg and word[seg:i].lower() not in _NAME_PREFIXES:
            return True
    return False


def _split_possessive(word: str) -> tuple[str, bool]:
    if word[-1] in "'’":
        return word[:-1], True
    if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
        return word[:-2], True
    return word, False


def _scan_names(tv: _Text) -> bool:
    text = tv.text
    toks = tv.toks
    n = len(toks)
    if not n:
        return False

    base = [""] * n
    low = [""] * n
    poss = [False] * n
    cap = [False] * n
    initial = [False] * n
    for k, (_s, _e, w) in enumerate(toks):
        if w[-1] in "'’sS":
            b, p = _split_possessive(w)
        else:
            b, p = w, False
        base[k] = b
        low[k] = b.lower()
        poss[k] = p
        c0 = b[0]
        if c0.isupper():
            if len(b) == 1:
                initial[k] = c0 not in "IA"
            else:
                cap[k] = not b.isupper()

    def gap(k: int) -> str:  # text between token k-1 and token k
        return text[toks[k - 1][1]:toks[k][0]]

    def sentence_break(k: int) -> bool:
        if k == 0:
            return True
        g = gap(k)
        if not any(c in _SENTENCE_GAP_CHARS for c in g):
            return False
        if "." in g and not any(c in "!?;\n•" for c in g):
            pl = low[k - 1]
            if pl in _HONORIFICS or pl in _PLACE_PREFIX or initial[k - 1]:
                return False
        return True

    def joined(k: int) -> bool:  # token k continues a capitalised run
        return not poss[k - 1] and gap(k) in (" ", "\u00a0")

    # Capitalised runs: (first, last, is_org).
    run_of: list[tuple[int, int, bool] | None] = [None] * n
    runs: list[tuple[int, int, bool]] = []
    k = 0
    while k < n:
        if not (cap[k] or initial[k]):
            k += 1
            continue
        j = k
        while j + 1 < n:
            if (cap[j + 1] or initial[j + 1]) and joined(j + 1):
                j += 1
                continue
            # "University of Leeds", "Action for Children", "Team Around the Family"
            if (
                j + 2 < n
                and low[j + 1] in _RUN_JOINERS
                and not cap[j + 1]
                and cap[j + 2]
                and joined(j + 1)
                and joined(j + 2)
                and (low[j + 1] != "and" or low[j + 2] in _ORG_WORDS or low[j] in _ORG_WORDS)
            ):
                j += 2
                continue
            break
        is_org = any(low[x] in _ORG_WORDS or (low[x] in _PLACE_PREFIX and cap[x]) for x in range(k, j + 1))
        if k > 0 and low[k - 1] in _PLACE_PREFIX and base[k - 1][0].isupper() and gap(k) in (". ", "."):
            is_org = True  # "St. Mary's"
        r = (k, j, is_org)
        runs.append(r)
        for x in range(k, j + 1):
            run_of[x] = r
        k = j + 1

    def candidate(x: int) -> bool:
        """A capitalised word that could be (part of) a person's name."""
        if not cap[x]:
            return False
        lw = low[x]
        if lw in _STOP_OR_ORG or toks[x][2].lower() in _STOP_OR_ORG:
            return False
        if "-" in lw and lw.split("-", 1)[0] in _STOP_OR_ORG:
            return False  # "Facebook-messaged", "Social-care"
        if _camel_case(base[x]):
            return False
        r = run_of[x]
        return r is None or not r[2]

    for i in range(n):
        lw = low[i]
        # 1. Honorific + name: "Mrs Okafor", "Dr. Achebe", "Mr J Smith".
        if lw in _HONORIFICS and base[i][0].isupper() and not poss[i] and i + 1 < n:
            g = gap(i + 1)
            nxt = i + 1
            if g in (" ", ". ", "\u00a0") and (
                (cap[nxt] and low[nxt] not in _STOP_WORDS and low[nxt] not in _ORG_WORDS) or initial[nxt]
            ):
                if not (lw in ("miss", "master", "sir") and g != " "):
                    return True

        # 2. Role word + name: "pupil Jayden", "mum, Kerry Hughes",
        #    "a boy called Jayden", "the young person (Kacey)", "mum kerry".
        if i + 1 < n and (lw in _ROLE_WORDS or (i > 0 and (low[i - 1], lw) in _ROLE_PAIRS and gap(i) == " ")):
            j = i + 1
            while j < n and low[j] in _NAME_CONNECTORS and not cap[j]:
                j += 1
            if j < n and not sentence_break(j) and _GAP_AFTER_ROLE_RE.fullmatch(gap(j)):
                if candidate(j):
                    return True
                if not cap[j] and low[j] in _LONE_FIRST_NAMES and not base[j].isupper():
                    return True

        # 3. A common first name: "said Jayden", "Olivia-Rose", and
        #    "Grace Williams" (ambiguous first name + surname).
        if cap[i] and candidate(i):
            if lw in _LONE_FIRST_NAMES:
                return True
            if "-" in lw:
                parts = base[i].split("-")
                # "Olivia-Rose", "Bailey-Jo": double-barrelled first names.
                if any(p.lower() in _LONE_FIRST_NAMES for p in parts):
                    return True
                if all(p[:1].isupper() for p in parts) and any(p.lower() in _FIRST_OR_AMBIGUOUS for p in parts):
                    return True
            if lw in _FIRST_OR_AMBIGUOUS and i + 1 < n and candidate(i + 1) and joined(i + 1):
                return True
            # 4. "her name is Brogan", "a man called Dean".
            if _NAME_INTRO_RE.search(text, max(0, toks[i][0] - 30), toks[i][0]):
                return True

    # 5. Name + person context: "Amelia Brown, the child", "Leo's mum",
    #    "Mia Robinson, aged 7", "Tyler (Year 8)", "the Hughes family".
    for run_first, last, is_org in runs:
        if is_org:
            continue
        k = last
        while k >= run_first and candidate(k):
            k -= 1
        first = k + 1  # trailing stretch of candidate words
        if first > last or last - first >= 3:
            continue
        length = last - first + 1
        end = toks[last][1]
        if poss[last]:
            m = _AFTER_ROLE_RE.match(text, end)
            if m and m.group(1).lower() in _ROLE_WORDS:
                return True
        if _AFTER_AGE_RE.match(text, end):
            return True
        if length >= 2:
            m = _AFTER_ROLE_RE.match(text, end)
            if m and not text.startswith(" and", end):
                w1 = m.group(1).lower()
                w2 = (m.group(2) or "").lower()
                if w1 in _ROLE_WORDS or (w1, w2) in _ROLE_PAIRS:
                    return True
        m = _AND_ROLE_RE.match(text, end)
        if m and m.group(1).lower() in _ROLE_WORDS:
            return True
        if length == 1 and first > 0 and low[first - 1] == "the" and _FAMILY_AFTER_RE.match(text, end):
            return True
        # 6. A single name saying something: "Olamide said ...".
        if length == 1 and first == run_first and _SAID_AFTER_RE.match(text, end):
            return True
    return False


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
def screen(text: str) -> list[Finding]:
    """Return the distinct kinds of personal detail found in ``text``.

    Findings come in the fixed order of ``KINDS`` and carry only a kind and
    a plain-English label, never any part of the text.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    found: set[str] = set()
    has_digit = _DIGIT_RE.search(text) is not None
    taken: list[_Span] = []
    if has_digit:
        nhs = _scan_nhs(text)
        if nhs:
            found.add("nhs_number")
        ni = _scan_ni(text)
        if ni:
            found.add("ni_number")
        if _scan_postcodes(text):
            found.add("postcode")
        taken = nhs + ni
    emails = _scan_emails(text)
    if emails:
        found.add("email")
        taken += emails
    if emails:
        # Keep offsets, but do not read names out of email addresses.
        chars = list(text)
        for a, b in emails:
            chars[a:b] = " " * (b - a)
        tv = _Text("".join(chars))
    else:
        tv = _Text(text)
    if has_digit:
        dob, date_spans = _scan_dates(tv)
        if dob:
            found.add("date_of_birth")
        if _scan_phones(text, taken + date_spans):
            found.add("phone")
    if _scan_names(tv):
        found.add("name")
    return [_FINDINGS[k] for k in KINDS if k in found]


def _join(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def explain(findings: list[Finding]) -> str:
    """One short message (under 150 characters) naming what was found.

    Built only from the fixed labels, so it can never echo the user's text.
    Returns "" when there is nothing to explain.
    """
    kinds = {f.kind for f in findings if isinstance(f, Finding)}
    labels = [LABELS[k] for k in KINDS if k in kinds]
    if not labels:
        return ""
    msg = _EXPLAIN_HEAD + _join(labels) + _EXPLAIN_TAIL
    if len(msg) <= _MAX_EXPLAIN:
        return msg
    for keep in range(len(labels) - 1, 0, -1):
        msg = _EXPLAIN_HEAD + ", ".join(labels[:keep]) + " and other personal details" + _EXPLAIN_TAIL
        if len(msg) <= _MAX_EXPLAIN:
            return msg
    return _EXPLAIN_HEAD + "personal details" + _EXPLAIN_TAIL

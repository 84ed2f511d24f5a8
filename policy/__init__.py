"""Policy packs as data, and their validator. Imports nothing else of ours."""
from .pack import ANSWER_LABELS, ANSWERS, ESCALATIONS, OUTCOME_LABELS, OUTCOMES, Pack, PackError, load_pack, load_pack_file, parse_pack

__all__ = ["ANSWER_LABELS", "ANSWERS", "ESCALATIONS", "OUTCOME_LABELS", "OUTCOMES", "Pack", "PackError", "load_pack", "load_pack_file", "parse_pack"]

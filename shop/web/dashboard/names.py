"""The words the indicators' screens show for each pillar, category, kind, measure and lock."""

from shop.cooperative.models import Sex
from shop.errors import N_
from shop.indicators.models import Category, Measure, Pillar
from shop.indicators.rules import Kind, Lock
from shop.indicators.service import APPROVED_NOTE
from shop.web.workspace.cooperative.trainings import AGE_NAMES

PILLARS = {
    Pillar.mobilization: N_("Mobilization"),
    Pillar.gender_equality: N_("Gender equality"),
    Pillar.government_alliances: N_("Alliances with government"),
}
CATEGORIES = {
    Category.leadership: N_("Leadership and governance"),
    Category.government_cooperation: N_("Government cooperation"),
    Category.sustainable_development: N_("Sustainable development"),
    Category.mindset_shift: N_("Mindset shift"),
    Category.food_security: N_("Food security"),
    Category.womens_empowerment: N_("Women's empowerment"),
    Category.income_generation: N_("Income generation"),
}
KINDS = {Kind.output: N_("output"), Kind.outcome: N_("outcome"), Kind.impact: N_("impact")}
MEASURES = {
    Measure.count: N_("a count"),
    Measure.percentage: N_("a percentage"),
    Measure.money: N_("an amount in pesos"),
}
LOCKS = {
    Lock.approved: N_("Approved: its values are locked."),
    Lock.window_closed: N_("Past the entry window: its values are locked."),
    Lock.not_open: N_("The quarter has not begun."),
}
SEXES = {"": N_("total"), Sex.woman.value: N_("women"), Sex.man.value: N_("men"), Sex.other.value: N_("other")}
AGES = {"": "", **{band.value: name for band, name in AGE_NAMES.items()}}

NAMES = {
    "pillars": PILLARS,
    "categories": CATEGORIES,
    "kinds": KINDS,
    "measures": MEASURES,
    "lock_names": LOCKS,
    "sexes": SEXES,
    "ages": AGES,
    "system_notes": {APPROVED_NOTE},  # written by the shop, not typed: shown in the reader's language
}

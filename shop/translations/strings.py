"""The workspace's strings, each with its Spanish and the screens where it appears.

The list comes from the Tzotzil catalog under version control (``shop/locale/tzo``), which is written from the
extracted template with its source references kept (without line numbers): ``#: templates/workspace/x.html``
or ``#: shop/web/workspace/y.py``. Each reference is turned into a screen: a workspace template is its own
screen; a workspace module is the screen of the template with its name, when there is one; anything else the
workspace shows (a message from the records, the ledger, a sign-in) is "Messages". Strings only the store or the
partners' dashboard use are left out: they are never shown in Tzotzil. Read once per process. A test keeps the
catalog in step with the code (see the README's Translations section for the command that refreshes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from shop.errors import N_
from shop.i18n import LOCALE_DIR, translations

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "workspace"
CATALOG = LOCALE_DIR / "tzo" / "LC_MESSAGES" / "messages.po"
MESSAGES = "messages"  # the screen of messages that come from the records rather than one page
# Only buyers (the store, its e-mails, its pages and notices), partners and API clients see these.
NOT_WORKSPACE = (
    "templates/store/",
    "shop/web/store/",
    "templates/email/",
    "shop/storefront/",
    "shop/notices/",
    "templates/dashboard/",
    "shop/web/dashboard/",
    "shop/api/v1/",  # the JSON API's routes; shop/api/http is what the pages share with it, the workspace's too
    "shop/api/contract.py",
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

# Screens with a plain name; any other is named after its file.
SCREEN_NAMES = {
    "workspace/home.html": N_("Home"),
    "workspace/inventory.html": N_("Inventory"),
    "workspace/product_form.html": N_("Piece"),
    "workspace/orders.html": N_("Orders"),
    "workspace/order.html": N_("Order"),
    "workspace/sale.html": N_("Sale"),
    "workspace/earnings.html": N_("Earnings"),
    "workspace/people.html": N_("People"),
    "workspace/login.html": N_("Sign in"),
    "workspace/pin.html": N_("PIN"),
    "workspace/tiles.html": N_("Who are you?"),
    "workspace/payouts.html": N_("Pay the weavers"),
    "workspace/bank.html": N_("Bank"),
    "workspace/audit_log.html": N_("Audit log"),
    "workspace/translations.html": N_("Tzotzil translation"),
    "workspace/spoken_help.html": N_("Spoken help"),
    MESSAGES: N_("Messages"),
}


@dataclass(frozen=True)
class WorkspaceString:
    msgid: str
    plural: str | None
    spanish: str
    spanish_plural: str | None
    screens: tuple[str, ...]

    @property
    def key(self) -> str:
        return string_key(self.msgid)

    @property
    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.plural or self.msgid))


def string_key(msgid: str) -> str:
    """A short, stable name for a string in addresses."""
    import hashlib

    return hashlib.sha256(msgid.encode()).hexdigest()[:16]


def screen_of(location: str) -> str | None:
    """The screen a source reference belongs to, or None if the workspace never shows it."""
    if location.startswith(NOT_WORKSPACE):
        return None
    if location.startswith("templates/workspace/"):
        return location.removeprefix("templates/")
    if location.startswith("shop/web/workspace/") and location.endswith(".py"):
        stem = location.removeprefix("shop/web/workspace/").removesuffix(".py")
        if (TEMPLATES / f"{stem}.html").exists():
            return f"workspace/{stem}.html"
        return f"workspace/{stem}"
    return MESSAGES


TITLE = re.compile(r'\{%\s*block title\s*%\}\{\{\s*_\("([^"]+)"\)\s*\}\}\{%\s*endblock')


@cache
def screen_title(screen: str) -> str | None:
    """The English title a screen's template gives its page (``{% block title %}{{ _("…") }}``), if any."""
    path = TEMPLATES / screen.removeprefix("workspace/")
    if path.suffix != ".html" or not path.is_file():
        return None
    found = TITLE.search(path.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def screen_name(gettext, screen: str) -> str:
    """A screen's name for people: a plain name given here, else its page's own title, else its file."""
    if screen in SCREEN_NAMES:
        return gettext(SCREEN_NAMES[screen])
    title = screen_title(screen)
    return gettext(title) if title and title != "Workspace" else screen_label(screen)


def screen_label(screen: str) -> str:
    """The name of a screen that has no plain name: its file, in words."""
    stem = screen.removeprefix("workspace/").removesuffix(".html").lstrip("_")
    return stem.replace("/", " · ").replace("_", " ")


@cache
def workspace_strings() -> tuple[WorkspaceString, ...]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    spanish = translations("es")
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid, plural = (message.id[0], message.id[1]) if isinstance(message.id, tuple) else (message.id, None)
        screens = [screen_of(filename) for filename, _ in message.locations]
        if message.locations and all(screen is None for screen in screens):
            continue
        shown = tuple(dict.fromkeys(s for s in screens if s)) or (MESSAGES,)
        found.append(
            WorkspaceString(
                msgid,
                plural,
                spanish.ugettext(msgid) if plural is None else spanish.ungettext(msgid, plural, 1),
                None if plural is None else spanish.ungettext(msgid, plural, 2),
                shown,
            )
        )
    return tuple(found)


@cache
def by_msgid() -> dict[str, WorkspaceString]:
    return {s.msgid: s for s in workspace_strings()}


@cache
def by_key() -> dict[str, WorkspaceString]:
    return {s.key: s for s in workspace_strings()}


@cache
def all_screens() -> tuple[str, ...]:
    """Every screen some string appears on, in the order of their names."""
    return tuple(sorted({screen for s in workspace_strings() for screen in s.screens}))


def workspace_pages() -> list[str]:
    """The workspace's whole pages (not the parts pages share), which may each have spoken help."""
    pages = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if path.name.startswith("_") or relative in {"base.html", "error.html"} or path.name.startswith("print_"):
            continue
        pages.append(f"workspace/{relative}")
    return pages

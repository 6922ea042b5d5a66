"""axe-core finds no serious or critical problem on any page a visitor or a signed-in person can reach.

The pages are not listed by hand: starting from the store's front pages and from each role's workspace home, a
browser follows every link, one address per route (per language, and per set of query parameters, up to three),
on a copy of the demo, which has records of every kind. Then every GET route of the application must have been
reached, or be named below with the reason it is not, so a new page cannot escape the check by being forgotten.
"""

from __future__ import annotations

import json
import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from factories import make_user, place
from route_table import routes
from sqlmodel import select

from shop.accounts.models import Role, User
from shop.accounts.service import set_password
from shop.catalogue.models import Product, ProductKind, ProductStatus
from shop.clock import utcnow
from shop.orders.service import cancel
from shop.payments.offline import record_money_to_resolve
from shop.payments.service import open_payment

pytestmark = [pytest.mark.browser, pytest.mark.demo]

PASSWORD = "a long password 1"
VARIANTS_PER_ROUTE = 3
# Routes no link leads to, each with where its page is checked instead (or why it is not a page).
NOT_LINKED = {
    "/taller": "the sign-in page: tests/e2e/test_workspace_browser.py checks it, refused too",
    "/taller/pin/{user_id}": "the PIN keypad of a registered computer: tests/e2e/test_workspace_browser.py",
    "/taller/registro": "registering a shared computer, reached by typing its address: test_workspace_browser.py",
    "/taller/fotos-en-espera/{token}": "a held photo's picture, not a page",
    "/taller/latido": "the sign-in's heartbeat, not a page",
    "/taller/ayuda-hablada/escuchar": "a recording, played by the audio element",
    "/taller/contabilidad/movimientos.csv": "a download, asked for with the accounting screen's dates",
    "/taller/alianzas/{partnership_id}/documentos/{document_id}": "a partnership's file",
    "/taller/cooperativa/asambleas/{assembly_id}/paginas/{page_id}": "a scanned page of signed minutes",
    "/taller/banco/importar/{statement_id}": "a statement being imported: tests/e2e/test_bank_browser.py",
    "/taller/pagos-tejedoras/lotes/{batch_id}": "the demo pays no one: tests/e2e/test_payouts_browser.py",
    "/taller/pagos-tejedoras/lotes/{batch_id}/spei.csv": "a batch's bank file",
    "/taller/pagos-tejedoras/pagos/{payout_id}/recibo": "a payout's receipt: tests/e2e/test_payouts_browser.py",
    "/taller/pagos-tejedoras/pagos/{payout_id}/comprobante": "a payout's proof, a file",
    "/{lang:store_lang}/notify/card-payment": "offered when no way to pay works: tests/e2e/test_accessibility.py",
    "/{lang:store_lang}/cart": "a visitor's cart: tests/e2e/test_accessibility.py, with pieces in it",
    "/{lang:store_lang}/checkout": "the checkout: tests/e2e/test_accessibility.py, every step",
    "/{lang:store_lang}/checkout/cancel/{token}": "Stripe's way back to a cancelled payment, a redirect",
    "/{lang:store_lang}/checkout/return/{token}": "Stripe's way back after paying, a redirect",
    "/{lang:store_lang}/orders/{token}": "an order's own page: tests/e2e/test_accessibility.py",
    "/{lang:store_lang}/orders/{token}/confirm/{key}": "the link in an e-mail, a redirect to the order",
    "/{lang:store_lang}/notify/forget/{token}": "the delete link in a notice's e-mail: test_product_facts_browser.py",
    "/{lang:store_lang}/ship-to": "the product page's country form, a redirect",
    "/lang/{lang:store_lang}": "the language switch's target, a redirect",
    "/favicon.ico": "an icon",
    "/healthz": "for the load balancer",
    "/robots.txt": "for crawlers",
    "/sitemap.xml": "for crawlers",
}
# Old and other-language addresses that redirect to a page the crawl reaches by its own address.
REDIRECTS = re.compile(
    r"^/$|^/(products|weavers|comercio-justo|fair-trade)(/|$)|^/api/"
    r"|^/\{lang:store_lang\}/(fair-trade|comercio-justo)$"
    r"|^/es/(about|contact|privacy|returns|shipping|terms)$"
    r"|^/en/(la-cooperativa|contacto|aviso-de-privacidad|devoluciones|envios|terminos)$"
)
SIGN_OUT = ("/taller/salir",)


def route_patterns(app) -> list[tuple[str, re.Pattern]]:
    """Each GET route's path with its regular expression, in the order Starlette tries them."""
    found = []
    for method, path, _route in routes(app):
        if method == "GET":
            regex = re.sub(r"\\\{(\w+)(:\w+)?\\\}", "[^/]+", re.escape(path))
            found.append((path, re.compile(f"^{regex}$")))
    return list(dict.fromkeys(found))


def route_of(patterns, path: str) -> str | None:
    for template, regex in patterns:
        if regex.match(path):
            return template
    return None


class Sweep:
    """Visits pages in one browser context, checking each HTML page with axe."""

    def __init__(self, context, base: str, patterns, check, *, inside: tuple[str, ...]):
        self.page = context.new_page()
        self.base, self.patterns, self.check, self.inside = base, patterns, check, inside
        self.reached: set[str] = set()
        self.seen: set[tuple[str, tuple[str, ...]]] = set()
        self.found: dict[str, list] = {}
        self.failed: dict[str, int] = {}
        self.checked = 0

    def wanted(self, url: str) -> str | None:
        """The address to visit for a link, or None when it leaves the area or its route has been seen enough."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base or not parts.path.startswith(self.inside):
            return None
        if parts.path.startswith(SIGN_OUT):
            return None
        template = route_of(self.patterns, parts.path)
        if template is None:
            return None
        # A store page is seen in each language; otherwise one address per set of query parameters, up to three.
        language = parts.path.split("/")[1] if template.startswith("/{lang") else ""
        keys = (language, *sorted({key for key, _ in parse_qsl(parts.query)}))
        visits = sum(1 for seen, _ in self.seen if seen == template)
        if (template, keys) in self.seen or visits >= VARIANTS_PER_ROUTE:
            return None
        self.seen.add((template, keys))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def crawl(self, *starts: str) -> None:
        queue = deque(address for address in (self.wanted(self.base + s) for s in starts) if address)
        while queue:
            address = queue.popleft()
            self.visit(address)
            for href in self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                following = self.wanted(href.split("#")[0])
                if following:
                    queue.append(following)

    def visit(self, address: str) -> None:
        template = route_of(self.patterns, urlsplit(address).path)
        head = self.page.request.get(self.base + address, max_redirects=0)
        self.reached.add(template)
        if head.status >= 400:
            self.failed[address] = head.status
        if not head.headers.get("content-type", "").startswith("text/html") or head.status in (301, 302, 303, 307):
            self.page.goto("about:blank")
            return
        self.page.goto(self.base + address)
        self.checked += 1
        violations = self.check(self.page)
        if violations:
            self.found[address] = violations


@pytest.fixture
def demo_people(session):
    """Someone of each role on the demo, with a known password (the demo's own are random); the member is a demo
    weaver's own account, so her earnings and pieces are real."""
    make_user(session, roles=[Role.admin, Role.treasurer], username="sweep-admin", name="Ana Sweep")
    make_user(session, roles=[Role.council], username="sweep-council", name="Consejo Sweep")
    make_user(session, roles=[Role.partner_staff], username="sweep-partner", name="Lucía Sweep")
    member = session.exec(select(User).where(User.weaver_id.is_not(None)).order_by(User.id)).first()
    set_password(session, member, PASSWORD)
    money_to_resolve(session)
    session.commit()
    return ("sweep-admin", "sweep-council", "sweep-partner", member.username)


def money_to_resolve(session) -> None:
    """A transfer that arrived for a cancelled order, so the treasurer's home links to a payment to resolve."""
    piece = session.exec(
        select(Product)
        .where(Product.status == ProductStatus.active, Product.kind == ProductKind.unique, Product.stock_on_hand == 1)
        .order_by(Product.id)
    ).first()
    order = place(session, [(piece, 1)])
    open_payment(session, order, now=utcnow())
    cancel(session, order, actor="test", note="Ya no lo quiere", now=utcnow())
    record_money_to_resolve(session, order, actor="test", reference="SPEI 1", now=utcnow(), base_url="http://x")


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/taller")
    page.get_by_label("Correo o usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r"/taller/(inicio|panel)"))


def test_every_page_has_no_serious_or_critical_problem(
    browser, app, settings, live_server, demo_people, serious_violations
):
    patterns = route_patterns(app)
    reached: set[str] = set()
    checked: list[int] = []
    found: dict[str, list] = {}
    failed: dict[str, int] = {}

    def sweep(inside: tuple[str, ...], *starts: str, username: str | None = None):
        context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
        try:
            sweeper = Sweep(context, live_server, patterns, serious_violations, inside=inside)
            if username:
                sign_in(sweeper.page, live_server, username)
            sweeper.crawl(*starts)
            reached.update(sweeper.reached)
            checked.append(sweeper.checked)
            found.update({f"{username or 'visitor'} {a}": v for a, v in sweeper.found.items()})
            failed.update({f"{username or 'visitor'} {a}": s for a, s in sweeper.failed.items()})
            return sweeper
        finally:
            context.close()

    sweep(("/es/", "/en/"), "/es/", "/en/")
    settings.iati_reporting_org_ref = "MX-RFC-THP000000XX0"  # so the dashboard offers its IATI file
    admin = sweep(("/taller",), "/taller/inicio", username="sweep-admin")
    for username in demo_people[1:]:
        sweep(("/taller",), "/taller/inicio", username=username)

    assert failed == {}, failed
    assert found == {}, json.dumps(found, indent=2)
    every = {path for path, _ in patterns}
    left = sorted(every - reached - set(NOT_LINKED) - {p for p in every if REDIRECTS.search(p)})
    assert left == [], f"pages no link reaches (link them, or say in NOT_LINKED why): {left}"
    assert len(admin.reached) > 60
    print(f"axe checked {sum(checked)} pages (visitor, admin, council, partner, member: {checked})")

"""The cooperative's records in a real browser: the council calls an assembly, records its attendance with a
proxy and its resolutions, has a re-election refused without two thirds and accepted with them, and prints the
minutes; a member then signs in and prints the certificate of the course she completed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from factories import fresh
from playwright.sync_api import expect
from signing_in import sign_in_as
from sqlalchemy import select
from workspace_helpers import person

from shop.accounts.models import Role
from shop.cooperative import trainings
from shop.cooperative.models import Attendance, CompletionRule, Resolution, SessionLanguage, Term, Topic
from shop.cooperative.trainings import Rule


@pytest.fixture
def history(session, coop):
    """Rosa was presidenta from 2023 to 2026, and completed the computer course."""
    elected = Resolution(assembly_id=coop.founding.id, number=2, text="Elección del consejo", votes_for=12)
    session.add(elected)
    session.flush()
    rosa = coop.members[0]
    session.add(
        Term(
            member_id=rosa.id,
            body_id=coop.administration.id,
            position="presidenta",
            starts_on=date(2023, 3, 1),
            ends_on=date(2026, 3, 1),
            resolution_id=elected.id,
        )
    )
    course = trainings.add_course(
        session, topic=Topic.computer_skills, title="Computación básica", rule=Rule(CompletionRule.sessions, 2)
    )
    for day in (date(2026, 2, 2), date(2026, 2, 9)):
        held = trainings.add_session(
            session,
            course.id,
            held_on=day,
            place="Casa",
            community="Nachij",
            facilitator="Ana Díaz",
            language=SessionLanguage.both,
        )
        trainings.attend(session, held.id, member_id=rosa.id)
    person(session, "carmen", Role.council, name="Carmen López")
    person(session, "rosa", Role.member, weaver=rosa.weaver_id, name="Rosa Pérez")
    session.commit()
    return coop


def resolve(page, number: int, text: str, *, votes_for: int, votes_against: int) -> None:
    """Record a resolution on the assembly's page."""
    acuerdos = page.locator("#acuerdos")
    acuerdos.get_by_label("Lo que acordó la asamblea").fill(text)
    acuerdos.get_by_label("Votos a favor").fill(str(votes_for))
    acuerdos.get_by_label("Votos en contra").fill(str(votes_against))
    acuerdos.get_by_role("button", name="Guardar").click()
    page.get_by_text(f"El acuerdo {number} está registrado.").wait_for()


def elect_rosa_again(page, live_server: str, resolution: str) -> None:
    """Submit Rosa's election as presidenta for 2026–2029 under ``resolution``."""
    page.goto(live_server + "/taller/cooperativa/organos")
    page.get_by_label("Acuerdo que las eligió").select_option(label=resolution)
    page.get_by_label("Los cargos empiezan el").fill("2026-03-14")
    page.get_by_label("Los cargos terminan el").fill("2029-03-14")
    page.get_by_label("Socia 1", exact=True).select_option(label="Rosa Pérez")
    page.get_by_label("Órgano 1", exact=True).select_option(label="Consejo de Administración")
    page.get_by_label("Cargo 1", exact=True).fill("presidenta")
    page.locator("#eleccion").get_by_role("button", name="Guardar").click()


def test_the_council_keeps_an_assembly_and_a_member_prints_her_certificate(
    browser, live_server, session, history, screenshots, tmp_path
):
    context, page = sign_in_as(browser, live_server, "carmen")
    try:
        page.get_by_role("link", name="La cooperativa").first.click()
        page.get_by_role("link", name="Asambleas").first.click()
        # 1. The notice, then attendance with a proxy.
        page.get_by_label("Tipo", exact=True).select_option(value="ordinary")
        page.get_by_label("Convoca", exact=True).select_option(value="administration")
        page.get_by_label("Convocatoria", exact=True).select_option(value="first")
        page.get_by_label("Fecha de la asamblea").fill("2026-03-07")
        page.get_by_label("Lugar de la asamblea").fill("Casa de la cooperativa, Nachij")
        page.get_by_label("Aviso publicado el").fill("2026-03-02")
        page.get_by_label("Dónde se publicó el aviso").fill("Tablero de la casa")
        page.get_by_label("Orden del día").fill("Informe del consejo\nElección de la presidenta")
        # The form comes back at the same address, and the page's hint already says "at least 7": wait for it.
        with page.expect_navigation():
            page.get_by_role("button", name="Guardar").click()
        page.get_by_text("Una primera convocatoria necesita al menos 7").first.wait_for()
        page.get_by_label("Fecha de la asamblea").fill("2026-03-14")
        page.get_by_role("button", name="Guardar").click()
        page.get_by_text("La asamblea está convocada.").wait_for()
        for name in history.names[:6]:
            page.get_by_label(f"Asistencia de {name}").select_option(value="present")
        page.get_by_label("Asistencia de Antonia Girón").select_option(label="representada por Rosa Pérez")
        page.get_by_label("Carta poder de Antonia Girón firmada ante dos testigos").check()
        page.screenshot(path=screenshots / "assembly-attendance-1024.png", full_page=True)
        page.get_by_role("button", name="Guardar la asistencia").click()
        page.get_by_text("7 de 12 socias activas presentes o representadas; se necesitan 7.").first.wait_for()
        expect(page.get_by_text("Hay quórum.").first).to_be_visible()
        # 2. A re-election: refused on a narrow vote, accepted on two thirds.
        resolve(page, 1, "Reelegir a Rosa Pérez como presidenta", votes_for=4, votes_against=3)
        elect_rosa_again(page, live_server, "2026-03-14 · 1. Reelegir a Rosa Pérez como presidenta")
        refusal = page.get_by_text("Para Rosa Pérez: Es una reelección")
        refusal.wait_for()
        expect(refusal).to_contain_text("dos terceras partes", use_inner_text=True)
        page.screenshot(path=screenshots / "election-refused-1024.png", full_page=True)
        page.goto(live_server + "/taller/cooperativa/asambleas")
        page.get_by_role("link", name="14 mar 2026").click()
        resolve(page, 2, "Reelegir a Rosa Pérez, en votación nominal", votes_for=5, votes_against=2)
        elect_rosa_again(page, live_server, "2026-03-14 · 2. Reelegir a Rosa Pérez, en votación nominal")
        page.get_by_text("La elección está registrada: Rosa Pérez.").wait_for()
        page.screenshot(path=screenshots / "bodies-1024.png", full_page=True)
        # 3. The minutes, written and printed.
        page.goto(live_server + "/taller/cooperativa/asambleas")
        page.get_by_role("link", name="14 mar 2026").click()
        page.get_by_label("Texto del acta").fill("Se abrió la sesión a las 10:00 con la presencia de siete socias.")
        page.get_by_role("button", name="Guardar el acta").click()
        page.get_by_text("El acta está guardada.").wait_for()
        page.get_by_role("link", name="Imprimir el acta").click()
        page.wait_for_url(re.compile("/imprimir/acta$"))  # the paper, loaded, before it is read
        page.emulate_media(media="print")
        paper = page.locator("article.paper")
        assert "Acta de asamblea general" in paper.inner_text()
        assert "Antonia Girón (representada por Rosa Pérez)" in paper.inner_text()
        assert "A favor: 5 · en contra: 2 · abstenciones: 0" in paper.inner_text()
        assert not page.locator(".ws-bar").is_visible()  # only the paper is printed
        page.screenshot(path=screenshots / "minutes-print-1024.png", full_page=True)
        printed = page.pdf(path=str(tmp_path / "acta.pdf"))
        assert printed[:5] == b"%PDF-"
        page.emulate_media(media="screen")
        printing = page.url.removesuffix("/acta")
        for path, name in (("/aviso", "notice-print"), ("/lista", "attendance-list-print")):
            page.goto(printing + path)
            page.screenshot(path=screenshots / f"{name}-1024.png", full_page=True)
        for path, name in (
            ("/taller/cooperativa", "cooperative-overview"),
            ("/taller/cooperativa/socias", "members"),
            ("/taller/cooperativa/estatutos", "bylaws"),
            ("/taller/cooperativa/cursos/1", "course"),
        ):
            page.goto(live_server + path)
            page.screenshot(path=screenshots / f"{name}-1024.png", full_page=True)
    finally:
        context.close()
    fresh(session)
    rosa = history.members[0]
    assert len(session.scalars(select(Term).where(Term.member_id == rosa.id)).all()) == 2
    assert (
        session.scalar(select(Attendance.represented_by_id).where(Attendance.member_id == history.members[7].id))
        == rosa.id
    )

    # 4. Rosa signs in and prints the certificate of the course she completed.
    context, page = sign_in_as(browser, live_server, "rosa", width=390)
    try:
        page.get_by_role("link", name="Mi cooperativa").first.click()
        page.wait_for_url(live_server + "/taller/mi-cooperativa")
        expect(page.get_by_text("Computación básica")).to_be_visible()
        page.screenshot(path=screenshots / "my-cooperative-390.png", full_page=True)
        page.get_by_role("link", name="Constancia de terminación").click()
        page.wait_for_url(re.compile("/taller/constancias/"))  # the certificate, loaded, before it is read
        paper = page.locator("article.paper")
        assert "Constancia de terminación" in paper.inner_text() and "Rosa Pérez" in paper.inner_text()
        assert "Biil" in paper.inner_text()  # Tzotzil beside the Spanish, where the catalog has it
        page.screenshot(path=screenshots / "completion-certificate-390.png", full_page=True)
    finally:
        context.close()

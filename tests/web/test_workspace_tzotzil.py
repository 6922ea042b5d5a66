"""The workspace's Tzotzil, by the cooperative's own speakers: written by one, reviewed by another, and only
then shown; kept in the database and compiled by every worker; out and back in as a .po file. And the spoken
help each screen may carry."""

import html
import io
import time

import pytest
from babel.messages.pofile import read_po
from factories import fresh
from fastapi.testclient import TestClient
from sqlalchemy import select
from workspace_helpers import csrf_of, person, signed_in

from shop.accounts.models import Role, User
from shop.audit.models import AuditEvent
from shop.main import create_app
from shop.translations.models import SpokenHelp, TextState, TzotzilText
from shop.translations.strings import string_key

WELCOME = f"/taller/traducciones/{string_key('Welcome')}"
DONE = f"/taller/traducciones/{string_key('Done')}"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400


@pytest.fixture
def speakers(session):
    """Two council members who speak Tzotzil, an admin, and the treasurer."""
    rosa = person(session, "rosa", Role.council, name="Rosa")
    pascuala = person(session, "pascuala", Role.council, name="Pascuala")
    person(session, "ana", Role.admin, name="Ana")
    person(session, "maria", Role.treasurer, name="María")
    for user in session.scalars(select(User)):
        user.language = "tzo"
    session.commit()
    return rosa, pascuala


def send(client, path: str, data: dict, form_page: str):
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def text_row(session, msgid: str) -> TzotzilText | None:
    fresh(session)
    return session.scalars(select(TzotzilText).where(TzotzilText.msgid == msgid)).first()


def test_the_sourced_words_are_seeded_reviewed_with_their_sources(app, session, speakers):
    fresh(session)
    rows = {row.msgid: row for row in session.scalars(select(TzotzilText))}
    assert rows["Save"].text == "Tsk'ej" and rows["Save"].source == "MC"
    assert rows["Money"].source == "W 11-43"
    assert all(row.state is TextState.reviewed for row in rows.values())
    # The same as the .po under version control, where they come from.
    with open("shop/locale/tzo/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    in_po = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
    assert in_po == {msgid: row.text for msgid, row in rows.items()}
    rosa = signed_in(app, "rosa")
    page = rosa.get("/taller/traducciones?estado=reviewed&q=guardar").text
    assert "Tsk&#39;ej" in page and "MC" in page
    assert "Ochan me" in rosa.get("/taller/inicio").text  # the workspace shows them


def test_only_the_council_and_the_admin_translate_and_only_the_admin_records_help(app, speakers):
    assert signed_in(app, "maria").get("/taller/traducciones").status_code == 403
    assert signed_in(app, "ana").get("/taller/traducciones").status_code == 200
    assert signed_in(app, "rosa").get("/taller/ayuda-hablada").status_code == 403
    assert signed_in(app, "ana").get("/taller/ayuda-hablada").status_code == 200
    anonymous = TestClient(app, raise_server_exceptions=False)
    assert anonymous.get("/taller/traducciones", follow_redirects=False).status_code in (303, 401)


def test_the_list_filters_by_screen_and_state_searches_and_pages(app, speakers):
    rosa = signed_in(app, "rosa")
    everything = rosa.get("/taller/traducciones")
    assert everything.status_code == 200
    assert "Página 1 de" in everything.text and 'rel="next"' in everything.text
    assert everything.text.count("<tr>") == 1 + 50  # the header and one page
    on_home = rosa.get("/taller/traducciones?pantalla=workspace/home.html").text
    assert html.escape("Vender en persona", quote=False) in on_home and "Agotado" not in on_home
    missing = rosa.get("/taller/traducciones?estado=missing&q=hola").text
    assert "Ochan me" not in missing
    reviewed = rosa.get("/taller/traducciones?estado=reviewed&q=hola").text
    assert "Ochan me" in reviewed
    bad = rosa.get("/taller/traducciones?estado=nonsense")
    assert bad.status_code == 422 and "Elija un estado de la lista." in bad.text
    assert rosa.get("/taller/traducciones?pagina=99999").status_code == 200  # the last page


def test_a_second_speaker_reviews_and_only_then_the_workspace_shows_it(app, session, speakers):
    rosa, pascuala = speakers
    by_rosa, by_pascuala = signed_in(app, "rosa"), signed_in(app, "pascuala")
    assert send(by_rosa, DONE, {"text": "Lek"}, DONE).status_code == 303
    row = text_row(session, "Done")
    assert (row.text, row.state, row.written_by_id) == ("Lek", TextState.waiting, rosa.id)
    assert app.state.tzotzil.compiled.tzotzil.gettext("Done") != "Lek"  # not reviewed: Spanish

    refused = send(by_rosa, f"{DONE}/revisar", {}, DONE)
    assert refused.status_code == 403
    assert "Otra hablante debe revisar este texto: usted lo escribió." in refused.text
    assert text_row(session, "Done").state is TextState.waiting

    assert send(by_pascuala, f"{DONE}/revisar", {}, DONE).status_code == 303
    row = text_row(session, "Done")
    assert (row.state, row.reviewed_by_id) == (TextState.reviewed, pascuala.id)
    by_rosa.get("/taller/inicio")  # the next request of this worker compiles again
    assert app.state.tzotzil.compiled.tzotzil.gettext("Done") == "Lek"
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "tzotzil_texts")).all()
    assert {e.actor_name for e in events} == {"Rosa", "Pascuala"}


def test_changing_a_reviewed_text_makes_it_wait_and_the_spanish_shows_meanwhile(app, session, speakers):
    by_rosa, by_pascuala = signed_in(app, "rosa"), signed_in(app, "pascuala")
    assert "Ochan me," in by_rosa.get("/taller/inicio").text
    assert send(by_rosa, WELCOME, {"text": "Ochan me!"}, WELCOME).status_code == 303
    assert text_row(session, "Welcome").state is TextState.waiting
    home = by_rosa.get("/taller/inicio").text
    assert "Ochan me" not in home and "<h1>Hola," in home
    send(by_pascuala, f"{WELCOME}/revisar", {}, WELCOME)
    assert "Ochan me!," in by_rosa.get("/taller/inicio").text


def test_another_app_on_the_same_database_picks_up_a_change_within_seconds(app, settings, session, speakers):
    other = create_app(settings.model_copy(update={"tzotzil_check_seconds": 0.5}))
    try:
        with TestClient(other, raise_server_exceptions=False) as second:
            signed_in(other, "pascuala", second)
            assert "Ochan me," in second.get("/taller/inicio").text
            by_rosa, by_pascuala = signed_in(app, "rosa"), signed_in(app, "pascuala")
            send(by_rosa, WELCOME, {"text": "Ochan me!"}, WELCOME)
            send(by_pascuala, f"{WELCOME}/revisar", {}, WELCOME)
            deadline = time.monotonic() + 5
            while "Ochan me!," not in second.get("/taller/inicio").text:
                assert time.monotonic() < deadline, "the other app never compiled the change"
                time.sleep(0.2)
    finally:
        other.state.engine.dispose()


def test_mistakes_in_a_text_are_shown_by_the_field(app, session, speakers):
    by_rosa = signed_in(app, "rosa")
    key = string_key("%(name)s can now sign in.")
    path = f"/taller/traducciones/{key}"
    refused = send(by_rosa, path, {"text": "%(nombre)s och"}, path)
    assert refused.status_code == 422 and "%(nombre)s" in refused.text
    assert text_row(session, "%(name)s can now sign in.") is None
    assert by_rosa.get("/taller/traducciones/0123456789abcdef").status_code == 404


def test_export_all_or_the_missing_ones_and_import_with_a_preview(app, session, speakers):
    by_rosa, by_pascuala = signed_in(app, "rosa"), signed_in(app, "pascuala")
    everything = by_rosa.get("/taller/traducciones/exportar")
    assert everything.headers["content-type"].startswith("text/x-gettext-translation")
    catalog = read_po(io.BytesIO(everything.content))
    assert catalog.get("Save").string == "Tsk'ej"
    missing = read_po(io.BytesIO(by_rosa.get("/taller/traducciones/exportar?que=faltan").content))
    assert missing.get("Save") is None and missing.get("Done") is not None

    catalog.get("Done").string = "Lek"  # new
    catalog.get("Welcome").string = "Ochan me!"  # changed
    catalog.add("Not a workspace string", "Lek")  # unknown
    buffer = io.BytesIO()
    from babel.messages.pofile import write_po

    write_po(buffer, catalog)
    form = by_pascuala.get("/taller/traducciones/importar").text
    preview = by_pascuala.post(
        "/taller/traducciones/importar",
        data={"csrf_token": csrf_of(form)},
        files={"file": ("tzo.po", buffer.getvalue(), "text/plain")},
    )
    assert preview.status_code == 200
    text = preview.text
    assert "<strong>1</strong> textos nuevos" in text and "<strong>1</strong> textos cambiados" in text
    assert "<strong>1</strong> textos que el taller no tiene" in text
    assert text_row(session, "Done") is None  # nothing changed yet
    applied = by_pascuala.post(
        "/taller/traducciones/importar/aplicar",
        data={"csrf_token": csrf_of(text), "po": html.unescape(text.split('name="po" value="')[1].split('"')[0])},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    assert text_row(session, "Done").state is TextState.waiting
    assert text_row(session, "Welcome").state is TextState.waiting
    assert text_row(session, "Save").state is TextState.reviewed  # reviewed with the same text: kept


def test_a_bad_file_gets_a_clear_message_never_a_500(app, speakers):
    by_rosa = signed_in(app, "rosa")
    form = by_rosa.get("/taller/traducciones/importar").text
    for content in (b"\x89PNG\r\n\x1a\n\x00\x00", b'msgid "x"\nmsgstr', b""):
        answer = by_rosa.post(
            "/taller/traducciones/importar",
            data={"csrf_token": csrf_of(form)},
            files={"file": ("x.po", content, "text/plain")},
        )
        assert answer.status_code == 422, content
    too_big = by_rosa.post(
        "/taller/traducciones/importar",
        data={"csrf_token": csrf_of(form)},
        files={"file": ("x.po", b"#" * (2 * 1024 * 1024 + 10), "text/plain")},
    )
    assert too_big.status_code == 413


def test_spoken_help_is_uploaded_heard_on_its_screen_and_removed(app, session, speakers):
    admin = signed_in(app, "ana")
    form = "/taller/ayuda-hablada"
    sent = admin.post(
        "/taller/ayuda-hablada/grabar",
        data={"csrf_token": csrf_of(admin.get(form).text), "pantalla": "workspace/home.html"},
        files={"file": ("ayuda.bin", MP3, "application/octet-stream")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    rosa = signed_in(app, "rosa")
    home = rosa.get("/taller/inicio").text
    assert '<audio controls preload="none" src="/taller/ayuda-hablada/escuchar?pantalla=workspace/home.html"' in home
    assert "<audio" not in rosa.get("/taller/traducciones").text  # only the screen that has one
    heard = signed_in(app, "maria").get("/taller/ayuda-hablada/escuchar?pantalla=workspace/home.html")
    assert heard.status_code == 200 and heard.content == MP3
    assert heard.headers["content-type"] == "audio/mpeg"
    assert heard.headers["cache-control"].startswith("private")
    again = rosa.get(
        "/taller/ayuda-hablada/escuchar?pantalla=workspace/home.html", headers={"If-None-Match": heard.headers["etag"]}
    )
    assert again.status_code == 304
    stranger = TestClient(app, raise_server_exceptions=False)
    assert (
        stranger.get("/taller/ayuda-hablada/escuchar?pantalla=workspace/home.html", follow_redirects=False).status_code
        != 200
    )

    replaced = admin.post(
        "/taller/ayuda-hablada/grabar",
        data={"csrf_token": csrf_of(admin.get(form).text), "pantalla": "workspace/home.html"},
        files={"file": ("nueva.mp3", b"OggS" + b"\x00" * 200, "audio/mpeg")},
        follow_redirects=False,
    )
    assert replaced.status_code == 303
    heard = rosa.get("/taller/ayuda-hablada/escuchar?pantalla=workspace/home.html")
    assert heard.headers["content-type"] == "audio/ogg"  # by its bytes, not its name

    removed = send(admin, "/taller/ayuda-hablada/quitar", {"pantalla": "workspace/home.html"}, form)
    assert removed.status_code == 303
    assert "<audio" not in rosa.get("/taller/inicio").text
    fresh(session)
    spoken = select(AuditEvent).where(AuditEvent.entity == "spoken_help").order_by(AuditEvent.id)
    actions = [e.action for e in session.scalars(spoken)]
    assert actions == ["create", "update", "delete"]
    assert send(admin, "/taller/ayuda-hablada/quitar", {"pantalla": "workspace/home.html"}, form).status_code == 404


def test_a_recording_is_checked_by_its_content_and_its_size(app, session, speakers):
    admin = signed_in(app, "ana")
    token = csrf_of(admin.get("/taller/ayuda-hablada").text)
    not_audio = admin.post(
        "/taller/ayuda-hablada/grabar",
        data={"csrf_token": token, "pantalla": "workspace/home.html"},
        files={"file": ("ayuda.mp3", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "audio/mpeg")},
    )
    assert not_audio.status_code == 422 and "no es una grabación" in not_audio.text
    ogg = admin.post(
        "/taller/ayuda-hablada/grabar",
        data={"csrf_token": token, "pantalla": "workspace/nowhere.html"},
        files={"file": ("a.ogg", b"OggS" + b"\x00" * 100, "audio/ogg")},
    )
    assert ogg.status_code == 404
    huge = admin.post(
        "/taller/ayuda-hablada/grabar",
        data={"csrf_token": token, "pantalla": "workspace/home.html"},
        files={"file": ("a.mp3", MP3 + b"\x00" * (5 * 1024 * 1024), "audio/mpeg")},
    )
    assert huge.status_code == 413
    fresh(session)
    assert session.scalars(select(SpokenHelp)).first() is None

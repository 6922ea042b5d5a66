"""The bank screens, through the pages the treasurer uses (plain forms, no JavaScript): uploading a statement,
checking its columns against a preview and importing it; matching each movement; undoing a match; and what is
left unmatched, with its age. Bad files and bad forms get a Spanish message next to the field, never a 500."""

from __future__ import annotations

import re

import pytest
from banking import BANORTE, BBVA, bank_lines, rows, spei_payout, transfer
from factories import fresh, make_weaver
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person, post, signed_in

from shop.accounts.models import Role, User
from shop.i18n import translator
from shop.ledger.balances import balance
from shop.ledger.bank_statements import MAX_STATEMENT_BYTES
from shop.ledger.models import BankLine, BankMapping, BankMatch, BankStatement, StatementStatus
from shop.orders.models import Order

es = translator("es")


@pytest.fixture
def desk(app, session):
    """Teresa the treasurer and Carmen on the council, signed in; María, a weaver, too."""
    person(session, "tesorera", Role.treasurer, name="Teresa Tesorera")
    person(session, "consejera", Role.council, name="Carmen Consejera")
    person(session, "maria", Role.member, weaver=make_weaver(session), name="María Pérez")
    return {"treasurer": signed_in(app, "tesorera"), "council": signed_in(app, "consejera")}


def upload(client, data: bytes, *, bank="BBVA", new_bank="", filename="movimientos.csv", token=None, **extra):
    token = token if token is not None else csrf_of(client.get("/taller/banco/importar").text)
    fields = {"bank": bank, "new_bank": new_bank, **({"csrf_token": token} if token else {})}
    return client.post(
        "/taller/banco/importar",
        data=fields,
        files={"file": (filename, data, "text/csv")},
        follow_redirects=False,
        **extra,
    )


def import_form(page_html: str) -> dict:
    """The hidden fields of the preview's import form, as the browser would send them."""
    form = page_html[page_html.index('method="post" action="/taller/banco/importar/') :]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form[: form.index("</form>")]))


def count(session, model) -> int:
    fresh(session)
    return session.scalar(select(func.count()).select_from(model))


# --- who may --------------------------------------------------------------------------------------------------


def test_the_treasurer_and_the_council_reach_the_bank_and_a_weaver_does_not(app, session, desk):
    for who in ("treasurer", "council"):
        page = desk[who].get("/taller/banco")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert 'href="/taller/banco"' in desk[who].get("/taller/inicio").text
    weaver = signed_in(app, "maria")
    assert 'href="/taller/banco"' not in weaver.get("/taller/inicio").text
    for path in ("/taller/banco", "/taller/banco/importar", "/taller/banco/conciliar"):
        assert weaver.get(path).status_code == 403
    refused = upload(weaver, BBVA, token=csrf_of(weaver.get("/taller/inicio").text))
    assert refused.status_code == 403
    assert count(session, BankStatement) == 0


def test_every_form_needs_its_csrf_token(session, desk):
    treasurer = desk["treasurer"]
    assert upload(treasurer, BBVA, token="").status_code == 403
    assert upload(treasurer, BBVA, token="forged").status_code == 403
    assert count(session, BankStatement) == 0
    payment = transfer(session, 185_000)
    (line,) = bank_lines(session, _user(session, "tesorera"), (0, "DEPOSITO", "", 185_000))
    session.commit()
    choice = {"choice": f"payment:{payment.id}"}
    assert treasurer.post(f"/taller/banco/lineas/{line.id}/conciliar", data=choice).status_code == 403
    assert count(session, BankMatch) == 0 and balance(session, "bank") == 0


def _user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


# --- upload, columns, preview, import -------------------------------------------------------------------------


def test_upload_check_the_columns_and_import_then_the_same_file_adds_nothing(session, desk):
    treasurer = desk["treasurer"]
    uploaded = upload(treasurer, BBVA, bank="", new_bank="BBVA México")
    assert uploaded.status_code == 303
    statement_id = int(uploaded.headers["location"].rsplit("/", 1)[1])
    preview = treasurer.get(uploaded.headers["location"])
    assert preview.status_code == 200
    text = preview.text
    assert (
        es.gettext(
            "A first guess from the names of the columns: check each one. It is saved for this bank when you import."
        )
        in text
    )
    assert '<option value="Día" selected>Día</option>' in text
    assert '<option value="Abono" selected>Abono</option>' in text
    assert "Windows-1252" in text and "COMISIÓN MANEJO DE CUENTA" in text
    assert es.money(185_000, "MXN", trim_cents=False) in text
    assert es.ngettext("Import %(num)d new movement", "Import %(num)d new movements", 3) in text
    assert count(session, BankLine) == 0  # nothing before she presses the button

    imported = treasurer.post(f"/taller/banco/importar/{statement_id}", data=import_form(text), follow_redirects=False)
    assert (imported.status_code, imported.headers["location"]) == (303, "/taller/banco/conciliar")
    flash = treasurer.get(imported.headers["location"]).text
    assert "Importado: 3 movimientos nuevos del banco (0 ya estaban)" in flash
    assert count(session, BankLine) == 3
    saved = session.scalars(select(BankMapping)).one()
    assert (saved.bank_name, saved.date_column, saved.withdrawal_column) == ("BBVA México", "Día", "Cargo")
    # Pressing the button again (back, resubmit) imports nothing twice.
    again = treasurer.post(f"/taller/banco/importar/{statement_id}", data=import_form(text), follow_redirects=False)
    assert again.status_code == 303 and count(session, BankLine) == 3

    # Next month, the same file by mistake: the saved columns are used, and nothing is new.
    second = upload(treasurer, BBVA, bank="BBVA México")
    page = treasurer.get(second.headers["location"]).text
    assert es.gettext("These are the columns saved for %(bank)s last time.", bank="BBVA México") in page
    assert "Este mismo archivo ya se importó" in page and es.gettext("already imported") in page
    assert "no hay nada nuevo que importar" in page and 'method="post" action="/taller/banco/importar/' not in page
    # Had another import added them while she looked, importing records the statement and says nothing was new.
    done = post(treasurer, second.headers["location"], import_form(text), form_page=second.headers["location"])
    assert "Nada nuevo: los 3 movimientos ya se habían importado." in treasurer.get(done.headers["location"]).text
    assert count(session, BankLine) == 3


def test_columns_the_file_lacks_are_marked_on_their_fields_and_can_be_corrected(session, desk):
    treasurer = desk["treasurer"]
    where = upload(treasurer, BANORTE, bank="", new_bank="Banorte").headers["location"]
    guessed = treasurer.get(where)
    assert guessed.status_code == 200 and 'name="header_row" inputmode="numeric" size="4" value="5"' in guessed.text
    chosen = import_form(guessed.text)
    wrong = treasurer.get(where, params={**chosen, "header_row": "1"})
    assert wrong.status_code == 422
    assert 'id="m-date_column-error"' in wrong.text
    assert es.gettext("Row %(row)d has no column “%(column)s”.", row=1, column="Fecha") in wrong.text
    assert 'method="post" action="/taller/banco/importar/' not in wrong.text  # no import while it is wrong
    typo = treasurer.get(where, params={**chosen, "header_row": "cinco", "delimiter": "coma"})
    assert typo.status_code == 422
    assert es.gettext("Write the number of the row, such as 1 or 5.") in typo.text and 'value="cinco"' in typo.text
    assert es.gettext("Choose one of the options.") in typo.text
    right = treasurer.get(where, params=chosen)
    assert right.status_code == 200 and "DEPOSITO SPEI JJ-000123" in right.text


def test_a_file_with_bad_rows_names_each_one_and_imports_nothing(session, desk):
    treasurer = desk["treasurer"]
    bad = rows("03/11/2026,DEPOSITO,1,100.00", "31/11/2026,DEPOSITO,2,100.00", "04/11/2026,DEPOSITO,3,cien pesos")
    where = upload(treasurer, bad, bank="", new_bank="Banco Azteca").headers["location"]
    page = treasurer.get(where)
    assert page.status_code == 422
    assert "Fila 3, columna “Fecha”: “31/11/2026” no es una fecha como 31/12/2026." in page.text
    assert "Fila 4, columna “Importe”: “cien pesos” no es una cantidad como 1,234.56." in page.text
    assert "No se puede importar nada mientras 2 filas tengan errores." in page.text
    assert 'method="post" action="/taller/banco/importar/' not in page.text
    statement_id = int(where.rsplit("/", 1)[1])
    mapping = {
        "header_row": "1",
        "delimiter": "comma",
        "date_column": "Fecha",
        "date_format": "dmy",
        "description_column": "Descripción",
        "reference_column": "Referencia",
        "amount_style": "signed",
        "amount_column": "Importe",
        "decimal_mark": "point",
    }
    forced = post(treasurer, f"/taller/banco/importar/{statement_id}", mapping, form_page=where)
    assert forced.status_code == 422 and "Fila 4, columna “Importe”" in forced.text
    assert count(session, BankLine) == 0 and count(session, BankMapping) == 0
    assert session.get(BankStatement, statement_id).status is StatementStatus.uploaded


@pytest.mark.parametrize(
    ("data", "filename", "status", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00 a spreadsheet", "estado.xlsx", 415, "Este es un archivo Excel (.xlsx), no CSV."),
        (b"%PDF-1.7 a statement", "estado.pdf", 415, "Este es un archivo PDF, no CSV."),
        (b"", "vacio.csv", 422, "El archivo está vacío."),
        (b"Fecha,Importe\n", "encabezado.csv", 422, "El archivo tiene una sola fila: no trae movimientos."),
    ],
    ids=["xlsx", "pdf", "empty", "header-only"],
)
def test_files_that_are_not_a_statement_are_refused_next_to_the_file(session, desk, data, filename, status, message):
    response = upload(desk["treasurer"], data, bank="", new_bank="Mi Banco", filename=filename)
    assert response.status_code == status
    assert message in response.text and 'id="file-error"' in response.text
    assert 'value="Mi Banco"' in response.text  # what she typed is kept
    assert count(session, BankStatement) == 0


def test_a_file_too_large_is_refused_before_it_is_read(session, desk):
    treasurer = desk["treasurer"]
    token = csrf_of(treasurer.get("/taller/banco/importar").text)
    big = b"Fecha,Importe\n" + b"03/11/2026,1.00\n" * (MAX_STATEMENT_BYTES // 16 + 4096)
    declared = upload(treasurer, big, token=token)
    assert declared.status_code == 413
    assert "El archivo es demasiado grande. El límite es 2.0 MB." in declared.text
    # Sent without a declared length (chunked): refused as soon as the limit is passed.
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n' + big + b"\r\n--x--\r\n"

    def chunks():
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    streamed = treasurer.post(
        "/taller/banco/importar",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
        follow_redirects=False,
    )
    assert streamed.status_code == 413 and "demasiado grande" in streamed.text
    assert count(session, BankStatement) == 0


def test_a_bank_and_a_file_are_both_needed(session, desk):
    treasurer = desk["treasurer"]
    nameless = upload(treasurer, BBVA, bank="", new_bank="  ")
    assert nameless.status_code == 422 and 'id="bank-error"' in nameless.text
    assert es.gettext("Choose the bank, or write its name.") in nameless.text
    token = csrf_of(treasurer.get("/taller/banco/importar").text)
    fileless = treasurer.post("/taller/banco/importar", data={"csrf_token": token, "new_bank": "BBVA"})
    assert fileless.status_code == 422 and es.gettext("Choose the bank's CSV file.") in fileless.text
    assert count(session, BankStatement) == 0
    assert treasurer.get("/taller/banco/importar/999").status_code == 404
    # A number no statement can have is refused before any query, saying why.
    too_big = treasurer.get("/taller/banco/importar/99999999999")
    assert too_big.status_code == 400
    assert "Debe ser 2147483647 o menos." in too_big.text


# --- matching -------------------------------------------------------------------------------------------------


@pytest.fixture
def to_match(session, desk):
    """Two transfers of 1,850 pesos (one 3 days old, one named by the bank line) and one bank line, imported."""
    teresa = _user(session, "tesorera")
    named = transfer(session, 185_000, days_ago=1)
    other = transfer(session, 185_000, days_ago=3)
    number = session.get(Order, named.order_id).number
    (line,) = bank_lines(session, teresa, (1, f"SPEI RECIBIDO {number}", "7788123", 185_000))
    session.commit()
    return {"named": named, "other": other, "line": line, "number": number}


def test_she_confirms_the_suggestion_and_the_money_moves_to_the_bank(session, desk, to_match):
    treasurer = desk["treasurer"]
    page = treasurer.get("/taller/banco/conciliar")
    assert page.status_code == 200
    suggested = f'name="choice" value="payment:{to_match["named"].id}" checked'
    assert suggested in page.text and es.gettext("suggested") in page.text
    assert f'value="payment:{to_match["other"].id}"' in page.text  # the other one, to pick instead
    assert balance(session, "pending_offline") == 370_000
    confirmed = post(
        treasurer,
        f"/taller/banco/lineas/{to_match['line'].id}/conciliar",
        {"choice": f"payment:{to_match['named'].id}", "suggested": f"payment:{to_match['named'].id}"},
        form_page="/taller/banco/conciliar",
    )
    assert confirmed.status_code == 303
    fresh(session)
    assert balance(session, "pending_offline") == 185_000 and balance(session, "bank") == 185_000
    match = session.scalars(select(BankMatch)).one()
    assert (match.suggested, match.confirmed_by, match.label) == (True, "Teresa Tesorera", to_match["number"])
    overview = treasurer.get("/taller/banco").text
    assert es.gettext("Transfer for %(order)s, %(buyer)s", order=to_match["number"], buyer="Ana López") in overview
    assert 'action="/taller/banco/lineas/{}/deshacer"'.format(to_match["line"].id) in overview


def test_a_second_person_confirming_the_same_line_is_told_who_was_first(app, session, desk, to_match):
    first, second = desk["treasurer"], desk["council"]
    token_first = csrf_of(first.get("/taller/banco/conciliar").text)
    token_second = csrf_of(second.get("/taller/banco/conciliar").text)  # both have the page open
    path = f"/taller/banco/lineas/{to_match['line'].id}/conciliar"
    choice = f"payment:{to_match['named'].id}"
    assert (
        first.post(path, data={"choice": choice, "csrf_token": token_first}, follow_redirects=False).status_code == 303
    )
    late = second.post(path, data={"choice": choice, "csrf_token": token_second}, follow_redirects=False)
    assert late.status_code == 409
    assert "Teresa Tesorera ya concilió esta línea del banco hace un momento." in late.text
    also_late = second.post(
        path, data={"choice": f"payment:{to_match['other'].id}", "csrf_token": token_second}, follow_redirects=False
    )
    assert also_late.status_code == 409
    assert count(session, BankMatch) == 1 and balance(session, "bank") == 185_000


def test_she_fixes_a_suggestion_by_picking_another_or_none(session, desk, to_match):
    treasurer = desk["treasurer"]
    path = f"/taller/banco/lineas/{to_match['line'].id}/conciliar"
    none = post(treasurer, path, {"choice": "none"}, form_page="/taller/banco/conciliar")
    assert none.status_code == 303
    fresh(session)
    assert session.get(BankLine, to_match["line"].id).set_aside_by == "Teresa Tesorera"
    page = treasurer.get("/taller/banco/conciliar").text
    assert 'name="choice" value="none" checked' in page  # no longer suggested
    assert "lo dejó sin conciliar" in treasurer.get("/taller/banco").text
    picked = post(
        treasurer,
        path,
        {"choice": f"payment:{to_match['other'].id}", "suggested": ""},
        form_page="/taller/banco/conciliar",
    )
    assert picked.status_code == 303
    fresh(session)
    match = session.scalars(select(BankMatch)).one()
    assert (match.payment_id, match.suggested) == (to_match["other"].id, False)


def test_nonsense_choices_are_refused_on_the_line_and_nothing_moves(session, desk, to_match):
    treasurer = desk["treasurer"]
    path = f"/taller/banco/lineas/{to_match['line'].id}/conciliar"
    for choice, status in (("", 422), ("payment:abc", 422), ("order:1", 422), ("payment:999999", 404)):
        response = post(treasurer, path, {"choice": choice}, form_page="/taller/banco/conciliar")
        assert response.status_code == status, choice
        assert f'id="linea-{to_match["line"].id}-error"' in response.text
    gone = post(treasurer, "/taller/banco/lineas/999/conciliar", {"choice": "none"}, form_page="/taller/banco")
    assert gone.status_code == 404
    assert count(session, BankMatch) == 0 and balance(session, "bank") == 0


def test_undoing_a_match_asks_why_and_reverses_the_money(session, desk, to_match):
    treasurer = desk["treasurer"]
    line_id = to_match["line"].id
    post(
        treasurer,
        f"/taller/banco/lineas/{line_id}/conciliar",
        {"choice": f"payment:{to_match['named'].id}"},
        form_page="/taller/banco/conciliar",
    )
    why_not = post(treasurer, f"/taller/banco/lineas/{line_id}/deshacer", {"reason": " "}, form_page="/taller/banco")
    assert why_not.status_code == 422 and f'id="why-{line_id}-error"' in why_not.text
    assert es.gettext("Say why, for the record.") in why_not.text
    undone = post(
        treasurer, f"/taller/banco/lineas/{line_id}/deshacer", {"reason": "Era otro pedido"}, form_page="/taller/banco"
    )
    assert undone.status_code == 303
    fresh(session)
    assert balance(session, "bank") == 0 and balance(session, "pending_offline") == 370_000
    assert session.get(BankLine, line_id).payment_id is None
    twice = post(
        treasurer, f"/taller/banco/lineas/{line_id}/deshacer", {"reason": "otra vez"}, form_page="/taller/banco"
    )
    assert twice.status_code == 409


def test_what_is_left_unmatched_is_listed_with_its_age_oldest_first(session, desk):
    teresa = _user(session, "tesorera")
    old = transfer(session, 111_000, days_ago=9)
    transfer(session, 112_000, days_ago=0)
    spei_payout(session, 52_000, tracking_key="MBAN0100999", days_ago=4)
    bank_lines(session, teresa, (6, "COMISION POR MANEJO", "", -1_500), (2, "DEPOSITO SIN NOMBRE", "", 40_000))
    session.commit()
    page = desk["council"].get("/taller/banco").text
    number = session.get(Order, old.order_id).number
    assert page.index(number) < page.index("hoy")  # the 9-day-old transfer first, today's after
    assert "9 días" in page and "4 días" in page and "6 días" in page and "2 días" in page
    assert page.index("COMISION POR MANEJO") < page.index("DEPOSITO SIN NOMBRE")
    assert "MBAN0100999" in page
    assert es.money(223_000, "MXN", trim_cents=False) in page  # still to reconcile

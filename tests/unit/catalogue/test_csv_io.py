import io

import pytest
from factories import make_category, make_product, make_weaver
from sqlalchemy import func, select

from shop.catalogue import csv_io
from shop.catalogue.models import Product, ProductKind, ProductStatus
from shop.i18n import translator

EN = translator("en")
HEADER = ",".join(csv_io.COLUMNS)


@pytest.fixture
def setup(session):
    make_category(session, slug="rebozos")
    make_weaver(session, slug="maria-perez")
    make_weaver(session, slug="petrona-lopez")
    session.commit()


def row(**values) -> str:
    defaults = {
        "slug": "rebozo-anil",
        "category": "rebozos",
        "status": "active",
        "kind": "unique",
        "price_mxn": "2450.50",
        "stock_on_hand": "1",
        "weavers": "maria-perez:60; petrona-lopez:40",
        "title_es": "Rebozo de añil",
        "title_en": "Indigo rebozo",
        "description_es": "Línea uno.\n\nLínea dos, con coma.",
    }
    defaults.update(values)
    out = io.StringIO()
    import csv

    csv.DictWriter(out, fieldnames=csv_io.COLUMNS, lineterminator="\n").writerow(defaults)
    return out.getvalue()


def check(session, text):
    return csv_io.check_file(session, io.StringIO(text), EN)


def test_a_clean_file_is_imported_whole(session, setup):
    text = (
        HEADER
        + "\n"
        + row()
        + row(
            slug="camino",
            kind="made_to_order",
            stock_on_hand="0",
            lead_time_days="30",
            deposit_percent="50",
            weavers="maria-perez",
        )
    )
    checked = check(session, text)
    assert checked.errors == []
    assert csv_io.import_rows(session, checked.rows) == (2, 0)
    session.commit()
    rebozo = session.scalar(select(Product).where(Product.slug == "rebozo-anil"))
    assert rebozo.price_amount == 245_050
    assert rebozo.description_es == "Línea uno.\n\nLínea dos, con coma."
    camino = session.scalar(select(Product).where(Product.slug == "camino"))
    assert (camino.kind, camino.deposit_bp, camino.lead_time_days) == (ProductKind.made_to_order, 5000, 30)


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(session, setup):
    text = (
        HEADER
        + "\n"
        + row()  # line 2: fine, but spans lines 2-4 because of the description
        + row(slug="b", price_mxn="12.345")  # line 5
        + row(slug="c", category="sillas", kind="forever")  # line 8
        + row(slug="rebozo-anil")  # line 11: duplicate slug
        + row(slug="d", stock_on_hand="dos", weavers="nadie")  # line 14
        + row(slug="e", weavers="maria-perez:50; petrona-lopez:40")  # line 17: shares add up to 90%
    )
    checked = check(session, text)
    by_line: dict[int, set] = {}
    for error in checked.errors:
        by_line.setdefault(error.line, set()).add(error.field)
    assert by_line == {
        5: {"price_mxn"},
        8: {"category", "kind"},
        11: {"slug"},
        14: {"stock_on_hand", "weavers"},
        17: {"weavers"},
    }
    assert any("add up to 90%" in e.message for e in checked.errors)
    assert session.scalar(select(func.count()).select_from(Product)) == 0


def test_missing_or_unknown_columns_are_reported(session, setup):
    checked = check(session, "title_es,title_en\nx,y\n")
    assert [(e.line, e.message) for e in checked.errors] == [(1, "The file lacks these columns: slug.")]
    checked = check(session, HEADER + ",colour\n")
    assert [e.line for e in checked.errors] == [1] and "colour" in checked.errors[0].message
    checked = check(session, "slug,title_es\nnew-piece,Nueva\n")
    assert [e.line for e in checked.errors] == [2]
    assert "new product" in checked.errors[0].message and "category, kind, price_mxn" in checked.errors[0].message


def test_columns_left_out_keep_their_values_on_existing_products(session, setup):
    full = check(session, HEADER + "\n" + row(stock_on_hand="1", dyes_es="Añil", status="active"))
    csv_io.import_rows(session, full.rows)
    session.commit()
    partial = check(session, "slug,price_mxn,status\nrebozo-anil,2600,\n")
    assert partial.errors == []
    assert csv_io.import_rows(session, partial.rows) == (0, 1)
    session.commit()
    product = session.scalar(select(Product).where(Product.slug == "rebozo-anil"))
    assert product.price_amount == 260_000
    assert (product.status, product.stock_on_hand, product.dyes_es) == (ProductStatus.active, 1, "Añil")
    assert product.description_es.startswith("Línea uno.")


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "1e999999", "treinta"])
def test_nonsense_percentages_are_reported_not_crashed_on(session, setup, value):
    checked = check(session, HEADER + "\n" + row(kind="made_to_order", lead_time_days="30", deposit_percent=value))
    assert [(e.line, e.field) for e in checked.errors] == [(2, "deposit_percent")]


def test_existing_slugs_are_updated_not_duplicated(session, setup):
    maria = make_weaver(session, slug="juana")
    make_product(session, slug="rebozo-anil", weavers=[(maria, 10_000)], title_en="Old title")
    session.commit()
    checked = check(session, HEADER + "\n" + row(title_en="New title"))
    assert csv_io.import_rows(session, checked.rows) == (0, 1)
    session.commit()
    assert session.scalar(select(Product.title_en).where(Product.slug == "rebozo-anil")) == "New title"


def test_export_then_import_round_trips(session, setup):
    checked = check(
        session,
        HEADER
        + "\n"
        + row()
        + row(
            slug="serie",
            kind="series",
            stock_on_hand="5",
            status="draft",
            price_mxn="300",
            weavers="petrona-lopez",
        ),
    )
    csv_io.import_rows(session, checked.rows)
    session.commit()
    exported = io.StringIO()
    assert csv_io.export_products(session, exported) == 2
    text = exported.getvalue()
    assert "maria-perez:60; petrona-lopez:40" in text
    assert "2450.50" in text
    again = check(session, text)
    assert again.errors == []
    assert [data.model_dump() for _, data in again.rows] == [data.model_dump() for _, data in checked.rows]
    assert session.scalar(select(Product.status).where(Product.slug == "serie")) is ProductStatus.draft


def test_text_a_spreadsheet_would_run_is_exported_as_text_and_imported_back_as_it_was(session, setup):
    texts = {
        "title_es": '=HYPERLINK("https://evil.example","clic")',
        "title_en": "+1 indigo",
        "technique_es": "-telar de cintura",
        "technique_en": "@SUM(A1)",
        "dyes_es": "'añil' natural",
    }
    checked = check(session, HEADER + "\n" + row(**texts))
    assert checked.errors == []
    csv_io.import_rows(session, checked.rows)
    product = session.scalar(select(Product).where(Product.slug == "rebozo-anil"))
    product.materials_es = texts["materials_es"] = "'=already quoted"  # written in the shop, not by a file
    session.commit()
    exported = io.StringIO()
    csv_io.export_products(session, exported)
    import csv

    cells = next(csv.DictReader(io.StringIO(exported.getvalue())))
    assert cells["title_es"] == "'" + texts["title_es"]
    assert cells["title_en"] == "'+1 indigo" and cells["technique_es"] == "'-telar de cintura"
    assert cells["technique_en"] == "'@SUM(A1)" and cells["materials_es"] == "''=already quoted"
    assert cells["dyes_es"] == "'añil' natural"  # an apostrophe before plain text is left alone
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells.values())

    again = check(session, exported.getvalue())
    assert again.errors == []
    assert {name: getattr(again.rows[0][1], name) for name in texts} == texts

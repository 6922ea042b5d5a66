"""Finding a piece at the counter: the catalogue's full-text search, so a word of the name finds it whatever
its accents, on SQLite and PostgreSQL alike."""

from factories import make_product, make_user, make_weaver, sign_in

from shop.accounts.models import Role


def test_a_member_finds_a_piece_by_a_word_of_its_name(client, session):
    petrona = make_weaver(session, name="Petrona López")
    huipil = make_product(session, title_es="Huipil de algodón bordado", weavers=[(petrona, 10_000)])
    rebozo = make_product(session, title_es="Rebozo de lana", weavers=[(make_weaver(session), 10_000)])
    make_user(session, roles=[Role.council], username="lucia", name="Lucía")
    session.commit()
    assert sign_in(client, "lucia").status_code == 303

    for words in ("algodon", "BORDADO", "algod", "huipil algodón", "Petrona"):
        page = client.get("/taller/venta", params={"q": words})
        assert page.status_code == 200
        assert f'id="pick-{huipil.id}"' in page.text, words
        assert f'id="pick-{rebozo.id}"' not in page.text, words
    everything = client.get("/taller/venta").text
    assert f'id="pick-{huipil.id}"' in everything and f'id="pick-{rebozo.id}"' in everything
    nothing = client.get("/taller/venta", params={"q": "seda"}).text
    assert f'id="pick-{huipil.id}"' not in nothing and f'id="pick-{rebozo.id}"' not in nothing

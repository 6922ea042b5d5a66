"""The transport layer's shared part: what the HTML pages (``shop.web``) and the JSON API (``shop.api``) both
need: the request's session, who is signed in and what she may do, how the catalogue is presented, its URLs, and
the page cache's mark. Like them it may use FastAPI and Starlette, and no domain may import it (import contracts
in pyproject.toml). It lives in the JSON API's package, which never imports the HTML pages, and imports none of
the API's routes; the pages import it from here (DESIGN rules 1 and 8)."""

"""The transport layer's shared part: what the HTML pages (``shop.web``) and the JSON API (``shop.api``) both
need: the request's session, who is signed in and what she may do, how the catalogue is presented, its URLs, and
the page cache's mark. Like them it may use FastAPI and Starlette, and no domain may import it (import contracts
in pyproject.toml). It imports neither transport, so the API never imports the web layer."""

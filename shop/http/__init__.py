"""What the HTML pages (``shop.web``) and the JSON API (``shop.api``) both need: the request's session, who is
signed in and what she may do, how the catalogue is presented, its URLs, and the page cache's mark. It imports
neither transport, so the API never imports the web layer."""

"""What the store says of itself, set by the admin rather than written into the code: the pages every shop has
(contact, shipping, returns, about, terms, the aviso de privacidad), the cooperative's contact details, and the
pictures the home page shows."""

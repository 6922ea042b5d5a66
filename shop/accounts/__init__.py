"""People who work in the shop: users and roles, PIN and password sign-in, devices, sessions."""

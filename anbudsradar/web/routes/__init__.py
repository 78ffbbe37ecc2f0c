"""Routes, one module per audience or job: public tender pages, login, coordinator pages, the API."""

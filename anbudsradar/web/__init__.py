"""The web app: server-rendered pages in Swedish for officers and the coordinator, and a JSON API.

`anbudsradar.web.app.create_app(database_url, settings)` builds the ASGI app; `anbudsradar serve`
runs it with uvicorn. See docs/web.md.
"""

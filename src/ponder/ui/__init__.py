"""The page `ponder serve` shows at /: plain HTML, CSS and JavaScript modules, served as they
are (no build step). It talks to the server only through the public API (Responses, the
context layout, the conversations list), as any client would; vendor/ holds marked and
DOMPurify with their licenses. Only static/ is served."""

from importlib import resources

FOLDER = str(resources.files("ponder.ui").joinpath("static"))
INDEX = str(resources.files("ponder.ui").joinpath("static", "index.html"))

"""`labcheck board`: the class live in a browser (state.py grades, view.py renders, app.py serves,
targets.py says who is graded where). Needs the `labcheck[board]` extra (Starlette, uvicorn)."""

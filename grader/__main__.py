from labcheck.cli import run

run()

from labcheck.fast_cli import run

run()

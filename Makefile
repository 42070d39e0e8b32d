# The two commands the README starts with.
.PHONY: demo test setup

demo:
	scripts/setup.sh
	.venv/bin/monitor demo

test:
	scripts/setup.sh --with-test
	.venv/bin/python -m pytest -q

setup:
	scripts/setup.sh --with-test

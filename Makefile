# Shortcuts for the README's two commands (scripts/demo.sh and scripts/test.sh need no make).
.PHONY: demo test setup

demo:
	scripts/demo.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh --with-test

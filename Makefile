# Thin wrappers; the real commands are the scripts.
.PHONY: test quick
test:
	./scripts/test.sh
quick:
	./scripts/test.sh --quick

// Package django holds sessionkit's wire-compatibility tests against a real
// Django (Debian's python3-django 3.2). It has no API: everything is in its
// _test.go files, which drive Django through testdata/djangohelper.py and
// need SESSIONKIT_PYTHON (and SESSIONKIT_POSTGRES_DSN for the PostgreSQL
// cases). SHARING.md beside this file says how to configure both sides.
package django
